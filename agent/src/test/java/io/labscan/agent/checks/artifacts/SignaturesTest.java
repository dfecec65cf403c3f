package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.contract.rules.BodySignature;
import io.labscan.contract.rules.Eicar;
import io.labscan.contract.rules.HashAlgorithm;
import io.labscan.contract.rules.HashSignature;
import io.labscan.contract.rules.RuleParseException;
import io.labscan.contract.rules.RuleSet;
import io.labscan.contract.rules.Signatures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignaturesTest {
  private static final String EICAR_SHA1 = "3395856ce81f2b7382dee72602f798b642f14140";

  static Signatures load(String fileName, String text) throws Exception {
    return Signatures.load(fileName, new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void hdbLineMatchesAFileWithThatMd5AndSize() throws Exception {
    Signatures s = load("test.hdb", Eicar.MD5 + ":68:Eicar-Test-Signature\n");

    assertThat(CompiledSignatures.of(s).hashIndex().needed(68)).containsExactly(HashAlgorithm.MD5);
    assertThat(CompiledSignatures.of(s).hashIndex().matches(68, Map.of(HashAlgorithm.MD5, Eicar.MD5)))
        .extracting(HashSignature::name).containsExactly("Eicar-Test-Signature");
  }

  @Test
  void hashRulesAskForNothingWhenNoSignatureHasTheFileSize() throws Exception {
    Signatures s = load("test.hdb", Eicar.MD5 + ":68:Eicar-Test-Signature\n");

    assertThat(CompiledSignatures.of(s).hashIndex().needed(69)).isEmpty();
  }

  @Test
  void sameDigestWithAnotherSizeDoesNotMatch() throws Exception {
    Signatures s = load("test.hdb", Eicar.MD5 + ":68:Eicar-Test-Signature\n");

    assertThat(CompiledSignatures.of(s).hashIndex().matches(70, Map.of(HashAlgorithm.MD5, Eicar.MD5))).isEmpty();
  }

  @Test
  void hsbAcceptsSha1AndSha256AndUpperCaseHex() throws Exception {
    Signatures s = load("test.hsb", EICAR_SHA1.toUpperCase() + ":68:Eicar.Sha1\n"
        + Eicar.SHA256 + ":68:Eicar.Sha256\n");

    assertThat(CompiledSignatures.of(s).hashIndex().needed(68)).containsExactlyInAnyOrder(HashAlgorithm.SHA1, HashAlgorithm.SHA256);
    assertThat(CompiledSignatures.of(s).hashIndex().matches(68, Map.of(HashAlgorithm.SHA1, EICAR_SHA1)))
        .extracting(HashSignature::name).containsExactly("Eicar.Sha1");
  }

  @Test
  void hsbStarSizeWithFunctionalityLevelMatchesAnySize() throws Exception {
    Signatures s = load("test.hsb", Eicar.SHA256 + ":*:Eicar.AnySize:73\n");

    assertThat(CompiledSignatures.of(s).hashIndex().needed(12345)).containsExactly(HashAlgorithm.SHA256);
    assertThat(CompiledSignatures.of(s).hashIndex().matches(12345, Map.of(HashAlgorithm.SHA256, Eicar.SHA256))).hasSize(1);
  }

  @Test
  void blankLinesCommentsAndCrLfAreAccepted() throws Exception {
    Signatures s = load("test.hdb", "# local additions\r\n\r\n" + Eicar.MD5 + ":68:Eicar\r\n");

    assertThat(s.hashCount()).isEqualTo(1);
  }

  @Test
  void malformedHdbLineNamesFileAndLine() {
    assertThatThrownBy(() -> load("daily.hdb", Eicar.MD5 + ":68:Good\n" + Eicar.MD5 + ":68\n"))
        .isInstanceOf(RuleParseException.class)
        .hasMessage("daily.hdb line 2: expected MD5:size:name[:min_flevel[:max_flevel]], found 2 field(s)")
        .satisfies(e -> assertThat(((RuleParseException) e).line()).hasValue(2));
  }

  @Test
  void sha256InAnHdbIsRefused() {
    assertThatThrownBy(() -> load("x.hdb", Eicar.SHA256 + ":68:Wrong"))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("x.hdb line 1: the hash must be 32 hex digits");
  }

  @Test
  void nonHexDigestIsRefused() {
    assertThatThrownBy(() -> load("x.hdb", "zz" + Eicar.MD5.substring(2) + ":68:Bad"))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("not a hex digit");
  }

  @Test
  void starSizeIsRefusedInAPlainHdbOnlyWhenMalformedOtherwiseAccepted() throws Exception {
    assertThat(load("x.hdb", Eicar.MD5 + ":*:AnySize:73").hashCount()).isEqualTo(1);
    assertThatThrownBy(() -> load("x.hdb", Eicar.MD5 + ":-1:Negative"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("file size '-1'");
  }

  @Test
  void signatureNameWithControlCharactersIsRefused() {
    assertThatThrownBy(() -> load("x.hdb", Eicar.MD5 + ":68:Evil\u001b[2J"))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("control or non-ASCII character at position 5");
  }

  @Test
  void unknownDatabaseTypeIsRefused() {
    assertThatThrownBy(() -> load("main.cvd", "whatever"))
        .isInstanceOf(RuleParseException.class)
        .hasMessage("main.cvd: unsupported database type: expected .hdb, .hsb or .ndb");
  }

  @Test
  void ndbLineCompilesToSegmentsAndGaps() throws Exception {
    Signatures s = load("t.ndb", "Test.Sig:0:*:4d5a??00*deadbeef{4-8}cafe\n");

    BodySignature b = s.bodySignature("Test.Sig").orElseThrow();
    assertThat(b.segmentCount()).isEqualTo(3);
    assertThat(b.gapMin(0)).isZero();
    assertThat(b.gapMax(0)).isEqualTo(BodySignature.UNBOUNDED);
    assertThat(b.gapMin(1)).isEqualTo(4);
    assertThat(b.gapMax(1)).isEqualTo(8);
    assertThat(b.anchor()).containsExactly(0xde, 0xad, 0xbe, 0xef);
  }

  @Test
  void ndbUnsupportedFeaturesAreSkippedWithAWarningNamingTheLine() throws Exception {
    Signatures s = load("daily.ndb", """
        Ok.Sig:0:*:41424344
        Alt.Sig:0:*:4142(43|44)45
        Ep.Sig:1:EP+0:e800000000
        Html.Sig:3:*:3c696672616d65
        Short.Sig:0:*:41??42
        """);

    assertThat(s.bodyCount()).isEqualTo(1);
    assertThat(s.warnings()).hasSize(4);
    assertThat(s.warnings().get(0)).startsWith("daily.ndb line 2: skipped:").contains("alternatives");
    assertThat(s.warnings().get(1)).startsWith("daily.ndb line 3: skipped: offset EP+0");
    assertThat(s.warnings().get(2)).startsWith("daily.ndb line 4: skipped: target type 3");
    assertThat(s.warnings().get(3)).startsWith("daily.ndb line 5: skipped:").contains("two consecutive fixed bytes");
  }

  @Test
  void ndbMalformedLinesNameFileAndLine() {
    assertThatThrownBy(() -> load("x.ndb", "A:0:*:414\n"))
        .isInstanceOf(RuleParseException.class).hasMessageStartingWith("x.ndb line 1: ").hasMessageContaining("odd number");
    assertThatThrownBy(() -> load("x.ndb", "\nA:0:*:41{5-2}42\n"))
        .isInstanceOf(RuleParseException.class).hasMessageStartingWith("x.ndb line 2: ").hasMessageContaining("minimum above");
    assertThatThrownBy(() -> load("x.ndb", "A:0:*:*4142\n"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("must not start with a gap");
    assertThatThrownBy(() -> load("x.ndb", "A:0:*:4142*\n"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("must not end with a gap");
    assertThatThrownBy(() -> load("x.ndb", "A:0:*\n"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("found 3 field(s)");
    assertThatThrownBy(() -> load("x.ndb", "A:0:12x:4142\n"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("offset '12x'");
    assertThatThrownBy(() -> load("x.ndb", "A:99:*:4142\n"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("target type 99 does not exist");
    assertThatThrownBy(() -> load("x.ndb", "A:0:*:41zz\n"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("unexpected 'z'");
    assertThatThrownBy(() -> load("x.ndb", "A:0:*:4142:50:40\n"))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("maximum functionality level is below");
  }

  @Test
  void overlongLineIsRefusedWithoutReadingItAll() {
    String huge = "A:0:*:" + "41".repeat(Signatures.MAX_LINE_CHARS);
    assertThatThrownBy(() -> load("x.ndb", huge))
        .isInstanceOf(RuleParseException.class).hasMessageContaining("line 1: line longer than");
  }

  @Test
  void folderLoadingReadsEveryDatabaseKind(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.hdb"), Eicar.MD5 + ":68:Eicar.Md5\n");
    Files.writeString(dir.resolve("b.HSB"), Eicar.SHA256 + ":68:Eicar.Sha256\n");
    Files.writeString(dir.resolve("c.ndb"), "Eicar.Body:0:*:455349434152\n");
    Files.writeString(dir.resolve("readme.txt"), "not a database");

    Signatures s = Signatures.loadFolder(dir);

    assertThat(s.hashCount()).isEqualTo(2);
    assertThat(s.bodyCount()).isEqualTo(1);
  }

  @Test
  void ruleSetWithExtraSignaturesKeepsItsVersion() throws Exception {
    RuleSet rules = RuleSet.builtIn().withSignatures(load("c.ndb", "Eicar.Body:0:*:455349434152\n"));

    assertThat(rules.version()).isEqualTo(RuleSet.builtIn().version());
    assertThat(rules.signatures().bodyCount()).isEqualTo(1);
    assertThat(rules.signatures().hashCount()).isEqualTo(2);
  }
}
