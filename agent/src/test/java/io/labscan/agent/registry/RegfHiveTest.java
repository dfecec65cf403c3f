package io.labscan.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.registry.HiveBuilder.Key;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading registry hive files: keys, values, every list shape, and damaged files. */
class RegfHiveTest {
  private static final String RUN = "Microsoft\\Windows\\CurrentVersion\\Run";

  @TempDir Path dir;

  private static RegfHive hive(byte[] bytes) throws Exception {
    return RegfHive.of(ByteBuffer.wrap(bytes));
  }

  private static Key software() {
    Key root = new Key("CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}");
    root.key(RUN)
        .string("SecurityHealth", "%windir%\\system32\\SecurityHealthSystray.exe")
        .string("Wink", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe");
    return root;
  }

  private static RegfHive.Key at(RegfHive hive, String path) throws Exception {
    return hive.find(hive.root(), path).orElseThrow();
  }

  @Test
  void valuesOfAKeyAreReadByItsPath() throws Exception {
    RegfHive hive = hive(new HiveBuilder().build(software()));

    assertThat(hive.values(at(hive, RUN)))
        .containsEntry("Wink", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe")
        .containsEntry("SecurityHealth", "%windir%\\system32\\SecurityHealthSystray.exe");
  }

  @Test
  void keyNamesAreMatchedIgnoringCaseAsWindowsDoes() throws Exception {
    RegfHive hive = hive(new HiveBuilder().build(software()));

    assertThat(hive.find(hive.root(), "MICROSOFT\\windows\\CurrentVersion\\run")).isPresent();
    assertThat(hive.find(hive.root(), "Microsoft\\Windows\\CurrentVersion\\RunOnce")).isEmpty();
  }

  @Test
  void everyValueTypeIsRenderedAsTheLiveReaderRendersIt() throws Exception {
    Key root = new Key("ROOT");
    root.key("Types")
        .expand("Expand", "%SystemRoot%\\x.exe")
        .dword("Dword", -2)
        .value("Qword", HiveBuilder.REG_QWORD, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(1L << 40).array())
        .value("Multi", HiveBuilder.REG_MULTI_SZ, HiveBuilder.utf16z("a.exe\0b.exe\0"))
        .value("Binary", HiveBuilder.REG_BINARY, new byte[] {1, 2, (byte) 0xff})
        .value("", HiveBuilder.REG_SZ, HiveBuilder.utf16z("default"));
    RegfHive hive = hive(new HiveBuilder().build(root));

    assertThat(hive.values(at(hive, "Types")))
        .containsEntry("Expand", "%SystemRoot%\\x.exe")
        .containsEntry("Dword", "-2")
        .containsEntry("Qword", String.valueOf(1L << 40))
        .containsEntry("Multi", "a.exe;b.exe")
        .containsEntry("Binary", "0102ff")
        .containsEntry("", "default");
  }

  @Test
  void aStringEndsAtItsFirstNul() throws Exception {
    Key root = new Key("ROOT");
    root.key("K").value("S", HiveBuilder.REG_SZ, HiveBuilder.concat(HiveBuilder.utf16z("shown"),
        "hidden".getBytes(StandardCharsets.UTF_16LE)));
    RegfHive hive = hive(new HiveBuilder().build(root));

    assertThat(hive.values(at(hive, "K"))).containsEntry("S", "shown");
  }

  @Test
  void dataLargerThanOneCellIsReadFromItsBigDataSegments() throws Exception {
    char[] chars = new char[20_000];
    Arrays.fill(chars, 'x');
    String big = new String(chars) + "END";
    Key root = new Key("ROOT");
    root.key("K").value("Big", HiveBuilder.REG_BINARY, big.getBytes(StandardCharsets.US_ASCII));
    RegfHive hive = hive(new HiveBuilder().build(root));

    String hex = hive.values(at(hive, "K")).get("Big");
    assertThat(hex).hasSize(ValueText.MAX_CHARS).startsWith("787878");
  }

  @Test
  void subkeysAreListedFromEveryKindOfList() throws Exception {
    for (String kind : List.of("li", "lf", "lh", "ri")) {
      Key root = new Key("ROOT");
      Key services = root.key("Services");
      services.listKind = kind;
      for (String name : List.of("wuauserv", "Winmgmt", "Wink32", "Tcpip", "Dhcp")) {
        services.key(name).expand("ImagePath", "system32\\" + name + ".exe");
      }
      RegfHive hive = hive(new HiveBuilder().build(root));

      assertThat(hive.subkeys(at(hive, "Services"))).as(kind).extracting(RegfHive.Key::name)
          .containsExactlyInAnyOrder("wuauserv", "Winmgmt", "Wink32", "Tcpip", "Dhcp");
      assertThat(hive.values(at(hive, "Services\\Wink32"))).as(kind)
          .containsEntry("ImagePath", "system32\\Wink32.exe");
    }
  }

  @Test
  void unicodeKeyNamesAreRead() throws Exception {
    Key root = new Key("ROOT");
    Key user = root.key("Benutzer-Ärger-日本");
    user.asciiName = false;
    user.string("v", "x");
    RegfHive hive = hive(new HiveBuilder().build(root));

    assertThat(hive.subkeys(hive.root())).extracting(RegfHive.Key::name).containsExactly("Benutzer-Ärger-日本");
  }

  @Test
  void aHiveWithUnequalSequenceNumbersIsDirty() throws Exception {
    assertThat(hive(new HiveBuilder().dirty().build(software())).dirty()).isTrue();
    assertThat(hive(new HiveBuilder().build(software())).dirty()).isFalse();
  }

  @Test
  void aHiveFileIsOpenedFromDisk() throws Exception {
    Path file = new HiveBuilder().write(software(), dir.resolve("SOFTWARE"));

    RegfHive hive = RegfHive.open(file);

    assertThat(hive.values(at(hive, RUN))).containsKey("Wink");
  }

  @Test
  void aFileWithoutTheRegfSignatureIsRefused() {
    byte[] bytes = new HiveBuilder().build(software());
    bytes[0] = 'x';

    assertThatThrownBy(() -> hive(bytes)).isInstanceOf(HiveFormatException.class).hasMessageContaining("regf");
  }

  @Test
  void aWindows9xRegistryIsNamedAsSuch() {
    byte[] bytes = new byte[8192];
    System.arraycopy("CREG".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 4);

    assertThatThrownBy(() -> hive(bytes)).hasMessageContaining("Windows 95/98/ME");
  }

  @Test
  void aHiveCutShortIsAFormatErrorNamingTheCell() throws Exception {
    byte[] whole = new HiveBuilder().build(software());
    RegfHive cut = hive(Arrays.copyOf(whole, 4096 + 64));

    assertThatThrownBy(() -> cut.find(cut.root(), RUN)).isInstanceOf(HiveFormatException.class)
        .hasMessageContaining("cell").hasMessageContaining("0x");
  }

  @Test
  void aRootOffsetPointingOutsideTheHiveIsAFormatError() throws Exception {
    byte[] bytes = new HiveBuilder().build(software());
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(36, 0x7fff0000);

    assertThatThrownBy(() -> hive(bytes).root()).isInstanceOf(HiveFormatException.class);
  }

  @Test
  void aListClaimingMoreEntriesThanItsCellHoldsIsAFormatError() throws Exception {
    Key root = new Key("ROOT");
    root.key("Run").string("a", "b");
    root.listKind = "li";
    byte[] bytes = new HiveBuilder().build(root);
    RegfHive clean = hive(bytes);
    int list = clean.root().subkeyList();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(4096 + list + 4 + 2, (short) 60_000);

    assertThatThrownBy(() -> hive(bytes).subkeys(hive(bytes).root())).isInstanceOf(HiveFormatException.class)
        .hasMessageContaining("too small");
  }

  @Test
  void anIndexRootInsideAnIndexRootIsRefusedNotFollowedForever() throws Exception {
    Key root = new Key("ROOT");
    root.key("A");
    root.key("B");
    root.listKind = "ri";
    byte[] bytes = new HiveBuilder().build(root);
    RegfHive clean = hive(bytes);
    int ri = clean.root().subkeyList();
    // Point the index root's first list at the index root itself.
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4096 + ri + 4 + 4, ri);

    assertThatThrownBy(() -> hive(bytes).subkeys(hive(bytes).root())).isInstanceOf(HiveFormatException.class)
        .hasMessageContaining("index root inside an index root");
  }

  @Test
  void aKeyThatListsItselfAsItsSubkeyIsReadWithoutLooping() throws Exception {
    Key root = new Key("ROOT");
    root.key("Loop");
    root.listKind = "li";
    byte[] bytes = new HiveBuilder().build(root);
    RegfHive clean = hive(bytes);
    int list = clean.root().subkeyList();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4096 + list + 4 + 4, clean.root().cell());
    RegfHive looped = hive(bytes);

    assertThat(looped.find(looped.root(), "ROOT\\ROOT\\ROOT")).isPresent();
    assertThat(looped.subkeys(looped.root())).hasSize(1);
  }

  @Test
  void aListNamingOneHugeKeyOverAndOverIsAFormatErrorNotAnOutOfMemory() throws Exception {
    Key root = new Key("ROOT");
    root.key("x".repeat(30_000));
    root.listKind = "li";
    byte[] bytes = new HiveBuilder().build(root);
    RegfHive clean = hive(bytes);
    int child = clean.subkeys(clean.root()).get(0).cell();
    // A list of 60,000 entries, every one the same 30,000-character key: 1.8 billion characters.
    ByteBuffer grown = ByteBuffer.allocate(bytes.length + 4096 * 60).order(ByteOrder.LITTLE_ENDIAN);
    grown.put(bytes);
    int listCell = bytes.length - 4096;
    int size = 8 + 4 * 60_000;
    grown.putInt(4096 + listCell, -((size + 7) & ~7));
    grown.putShort(4096 + listCell + 4, (short) 0x696c);
    grown.putShort(4096 + listCell + 6, (short) 60_000);
    for (int i = 0; i < 60_000; i++) {
      grown.putInt(4096 + listCell + 8 + 4 * i, child);
    }
    grown.putInt(40, grown.capacity() - 4096);
    grown.putInt(4096 + clean.root().cell() + 4 + 28, listCell);
    grown.putInt(4096 + clean.root().cell() + 4 + 20, 60_000);
    RegfHive hostile = RegfHive.of(ByteBuffer.wrap(grown.array()));

    assertThatThrownBy(() -> hostile.subkeys(hostile.root())).isInstanceOf(HiveFormatException.class)
        .hasMessageContaining("characters in all");
  }

  @Test
  void aValueListEntryThatIsNoValueIsAFormatError() throws Exception {
    Key root = new Key("ROOT");
    root.string("a", "b");
    byte[] bytes = new HiveBuilder().build(root);
    RegfHive clean = hive(bytes);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4096 + clean.root().valueList() + 4,
        clean.root().cell());

    assertThatThrownBy(() -> hive(bytes).values(hive(bytes).root())).hasMessageContaining("is not a value");
  }

  @Test
  void aFreeCellIsNotReadAsData() throws Exception {
    byte[] bytes = new HiveBuilder().build(software());
    RegfHive clean = hive(bytes);
    int root = clean.root().cell();
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(4096 + root, -buffer.getInt(4096 + root));

    assertThatThrownBy(() -> hive(bytes).root()).hasMessageContaining("not in use");
  }

  @Test
  void aHiveFileBehindASymbolicLinkIsNotOpened() throws Exception {
    Path real = new HiveBuilder().write(software(), dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("SOFTWARE"), real);

    assertThatThrownBy(() -> RegfHive.open(link)).isInstanceOf(java.io.IOException.class);
  }
}
