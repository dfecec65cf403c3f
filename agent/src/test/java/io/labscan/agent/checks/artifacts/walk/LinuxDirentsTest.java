package io.labscan.agent.checks.artifacts.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinuxDirentsTest {

  /** One {@code linux_dirent64} record as the kernel writes it: padded to 8 bytes. */
  private static byte[] record(long inode, int type, String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    int length = (LinuxDirents.NAME_OFFSET + bytes.length + 1 + 7) & ~7;
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(inode).putLong(0).putShort((short) length).put((byte) type).put(bytes);
    return b.array();
  }

  private static byte[] concat(byte[]... records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] r : records) {
      out.writeBytes(r);
    }
    return out.toByteArray();
  }

  private static List<String> entries(byte[] buffer) throws IOException {
    LinuxDirents d = new LinuxDirents(buffer, buffer.length);
    List<String> out = new ArrayList<>();
    while (d.next()) {
      out.add(FileNames.display(buffer, d.nameOffset(), d.nameLength()) + ":" + d.type());
    }
    return out;
  }

  @Test
  void recordsGiveNameAndTypeAndSkipDotEntries() throws Exception {
    byte[] buffer = concat(record(2, LinuxDirents.DT_DIR, "."), record(1, LinuxDirents.DT_DIR, ".."),
        record(11, LinuxDirents.DT_REG, "WINKABCD.EXE"), record(12, LinuxDirents.DT_DIR, "SYSTEM32"),
        record(13, LinuxDirents.DT_LNK, "link"), record(14, LinuxDirents.DT_UNKNOWN, "..."));

    assertThat(entries(buffer)).containsExactly("WINKABCD.EXE:8", "SYSTEM32:4", "link:10", "...:0");
  }

  @Test
  void typesMapToWhatTheWalkDoesWithThem() {
    assertThat(LinuxDirents.typeOf(LinuxDirents.DT_REG)).isEqualTo(EntryType.FILE);
    assertThat(LinuxDirents.typeOf(LinuxDirents.DT_DIR)).isEqualTo(EntryType.DIRECTORY);
    assertThat(LinuxDirents.typeOf(LinuxDirents.DT_LNK)).isEqualTo(EntryType.SYMLINK);
    assertThat(LinuxDirents.typeOf(LinuxDirents.DT_FIFO)).isEqualTo(EntryType.SPECIAL);
    assertThat(LinuxDirents.typeOf(LinuxDirents.DT_CHR)).isEqualTo(EntryType.SPECIAL);
    assertThat(LinuxDirents.typeOf(LinuxDirents.DT_SOCK)).isEqualTo(EntryType.SPECIAL);
    assertThat(LinuxDirents.typeOf(LinuxDirents.DT_UNKNOWN)).isNull();
  }

  @Test
  void aRecordLongerThanTheBufferIsAnError() {
    byte[] one = record(11, LinuxDirents.DT_REG, "file.txt");
    one[16] = (byte) 200;

    assertThatThrownBy(() -> entries(one)).isInstanceOf(IOException.class).hasMessageContaining("length 200");
  }

  @Test
  void aRecordOfLengthZeroIsAnErrorNotALoop() {
    byte[] one = record(11, LinuxDirents.DT_REG, "file.txt");
    one[16] = 0;
    one[17] = 0;

    assertThatThrownBy(() -> entries(one)).isInstanceOf(IOException.class).hasMessageContaining("length 0");
  }

  @Test
  void aNameWithoutItsTerminatingNulIsAnError() {
    byte[] one = record(11, LinuxDirents.DT_REG, "abcd"); // 19 + 4 + NUL = 24: no padding
    one[one.length - 1] = 'e';

    assertThatThrownBy(() -> entries(one)).isInstanceOf(IOException.class).hasMessageContaining("no name");
  }

  @Test
  void aTruncatedHeaderIsAnError() {
    byte[] buffer = concat(record(11, LinuxDirents.DT_REG, "ok"), new byte[10]);

    assertThatThrownBy(() -> entries(buffer)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
  }
}
