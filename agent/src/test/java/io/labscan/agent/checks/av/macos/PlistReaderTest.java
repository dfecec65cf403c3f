package io.labscan.agent.checks.av.macos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlistReaderTest {
  private static final String APPLE_DOCTYPE = "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\""
      + " \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">";
  private static final String SECRET = "s3cr3t-must-not-leak";

  @TempDir Path dir;

  private static PlistValue parse(String xml) throws PlistParseException {
    return PlistReader.parse(xml.getBytes(StandardCharsets.UTF_8));
  }

  private static String plist(String body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + APPLE_DOCTYPE
        + "\n<plist version=\"1.0\">\n" + body + "\n</plist>\n";
  }

  @Test
  void everyXmlValueTypeIsRead() throws PlistParseException {
    PlistValue value = parse(plist("""
        <dict>
          <key>name</key><string>XProtect &amp; friends</string>
          <key>count</key><integer>5272</integer>
          <key>negative</key><integer>-3</integer>
          <key>ratio</key><real>0.25</real>
          <key>on</key><true/>
          <key>off</key><false/>
          <key>when</key><date>2026-11-20T08:02:00Z</date>
          <key>blob</key><data>
            SGVs
            bG8=
          </data>
          <key>list</key><array><string>a</string><integer>1</integer></array>
        </dict>"""));

    PlistValue.Dict dict = (PlistValue.Dict) value;
    assertThat(dict.get("name")).contains(new PlistValue.Str("XProtect & friends"));
    assertThat(dict.get("count")).contains(new PlistValue.Int(5272));
    assertThat(dict.get("negative")).contains(new PlistValue.Int(-3));
    assertThat(dict.get("ratio")).contains(new PlistValue.Real(0.25));
    assertThat(dict.get("on")).contains(new PlistValue.Bool(true));
    assertThat(dict.get("off")).contains(new PlistValue.Bool(false));
    assertThat(dict.get("when"))
        .contains(new PlistValue.Date(Instant.parse("2026-11-20T08:02:00Z")));
    assertThat(((PlistValue.Data) dict.get("blob").orElseThrow()).bytes())
        .isEqualTo("Hello".getBytes(StandardCharsets.US_ASCII));
    assertThat(dict.get("list")).contains(new PlistValue.Array(
        List.of(new PlistValue.Str("a"), new PlistValue.Int(1))));
    assertThat(dict.entries().keySet()).startsWith("name", "count");
  }

  @Test
  void integerOrStringCountsAsText() throws PlistParseException {
    PlistValue.Dict dict = (PlistValue.Dict) parse(plist(
        "<dict><key>Version</key><integer>2178</integer>"
            + "<key>CFBundleShortVersionString</key><string>5272</string></dict>"));

    assertThat(dict.text("Version")).contains("2178");
    assertThat(dict.text("CFBundleShortVersionString")).contains("5272");
  }

  @Test
  void externalEntityInAnInternalSubsetIsNeverResolved() throws IOException {
    Path secret = Files.writeString(dir.resolve("secret.txt"), SECRET);
    String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE plist [<!ENTITY xxe SYSTEM \""
        + secret.toUri() + "\">]>\n<plist version=\"1.0\"><dict><key>Version</key>"
        + "<string>&xxe;</string></dict></plist>";

    Throwable thrown = catchThrowable(() -> parse(xml));

    assertThat(thrown).isInstanceOf(PlistParseException.class);
    assertThat(thrown.getMessage()).doesNotContain(SECRET);
  }

  @Test
  void externalDtdIsNeverLoaded() throws IOException {
    Path secret = Files.writeString(dir.resolve("secret.txt"), SECRET);
    Path dtd = Files.writeString(dir.resolve("evil.dtd"),
        "<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">");
    String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE plist SYSTEM \"" + dtd.toUri() + "\">\n"
        + "<plist version=\"1.0\"><dict><key>Version</key><string>&xxe;</string></dict></plist>";

    Throwable thrown = catchThrowable(() -> parse(xml));

    assertThat(thrown).isInstanceOf(PlistParseException.class);
    assertThat(thrown.getMessage()).doesNotContain(SECRET);
  }

  @Test
  void entityExpansionBombIsRejected() {
    StringBuilder dtd = new StringBuilder("<!DOCTYPE plist [<!ENTITY a0 \"lol\">");
    for (int i = 1; i <= 10; i++) {
      String prev = "&a" + (i - 1) + ";";
      dtd.append("<!ENTITY a").append(i).append(" \"").append(prev.repeat(10)).append("\">");
    }
    dtd.append("]>");
    String xml = "<?xml version=\"1.0\"?>" + dtd
        + "<plist><dict><key>k</key><string>&a10;</string></dict></plist>";

    assertThatThrownBy(() -> parse(xml)).isInstanceOf(PlistParseException.class);
  }

  @Test
  void htmlIsNotAPlist() {
    assertThatThrownBy(() -> parse("<html><body>hi</body></html>"))
        .isInstanceOf(PlistParseException.class)
        .hasMessage("root element is not <plist>");
  }

  @Test
  void malformedXmlSaysWhere() {
    assertThatThrownBy(() -> parse(plist("<dict><key>Version</key><string>1</dict>")))
        .isInstanceOf(PlistParseException.class)
        .hasMessageStartingWith("not well-formed XML: line 4:");
  }

  @Test
  void markupInsideAStringIsRejected() {
    assertThatThrownBy(() -> parse(plist("<string>a<b>c</b></string>")))
        .isInstanceOf(PlistParseException.class)
        .hasMessage("<string> holds markup instead of text");
  }

  @Test
  void nestingDeeperThanTheLimitIsRejected() {
    int depth = PlistReader.MAX_DEPTH + 1;
    String xml = plist("<array>".repeat(depth) + "</array>".repeat(depth));

    assertThatThrownBy(() -> parse(xml)).isInstanceOf(PlistParseException.class);
  }

  @Test
  void integerBeyondSixtyFourBitsIsRejected() {
    assertThatThrownBy(() -> parse(plist("<integer>99999999999999999999</integer>")))
        .isInstanceOf(PlistParseException.class)
        .hasMessageStartingWith("<integer> out of range");
  }

  @Test
  void binaryPlistDictIsRead() throws PlistParseException {
    Map<String, Object> entries = new LinkedHashMap<>();
    entries.put("CFBundleShortVersionString", "5272");
    entries.put("Version", 5272L);

    PlistValue.Dict dict = (PlistValue.Dict) PlistReader.parse(BinaryPlistFixture.dict(entries));

    assertThat(dict.get("CFBundleShortVersionString")).contains(new PlistValue.Str("5272"));
    assertThat(dict.get("Version")).contains(new PlistValue.Int(5272));
  }

  @Test
  void binaryPlistContainingItselfIsRejected() {
    byte[] selfReferencingArray = {(byte) 0xA1, 0};

    assertThatThrownBy(() -> PlistReader.parse(
        BinaryPlistFixture.assemble(List.of(selfReferencingArray), 0)))
        .isInstanceOf(PlistParseException.class)
        .hasMessage("binary plist object 0 contains itself");
  }

  @Test
  void binaryPlistWithOffsetTableOutsideTheFileIsRejected() {
    byte[] bytes = BinaryPlistFixture.dict(Map.of("Version", 1L));
    bytes[bytes.length - 1] = (byte) 0xF0;

    assertThatThrownBy(() -> PlistReader.parse(bytes))
        .isInstanceOf(PlistParseException.class)
        .hasMessage("binary plist offset table lies outside the file");
  }

  @Test
  void truncatedBinaryPlistIsRejected() {
    assertThatThrownBy(() -> PlistReader.parse("bplist00\0\0".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(PlistParseException.class)
        .hasMessage("binary plist truncated: 10 bytes");
  }

  @Test
  void anyBytesGiveAValueOrAParseExceptionOnly() {
    Random random = new Random(20261127L);
    byte[] xml = plist("<dict><key>Version</key><integer>5272</integer>"
        + "<key>when</key><date>2026-11-20T08:02:00Z</date></dict>")
        .getBytes(StandardCharsets.UTF_8);
    Map<String, Object> entries = new LinkedHashMap<>();
    entries.put("CFBundleShortVersionString", "5272");
    entries.put("Version", 5272L);
    byte[] binary = BinaryPlistFixture.dict(entries);
    for (int i = 0; i < 4_000; i++) {
      byte[] input = mutate(i % 2 == 0 ? xml : binary, random);
      try {
        PlistReader.parse(input);
      } catch (PlistParseException expected) {
        // the only allowed failure
      }
    }
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] copy = valid.clone();
    for (int n = random.nextInt(3) + 1; n > 0; n--) {
      int at = random.nextInt(copy.length);
      copy[at] = (byte) random.nextInt(256);
    }
    return random.nextInt(8) == 0 ? Arrays.copyOf(copy, random.nextInt(copy.length)) : copy;
  }
}
