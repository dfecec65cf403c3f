package io.labscan.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.agent.checks.artifacts.FuzzAccess;
import io.labscan.contract.rules.RuleParseException;
import io.labscan.contract.rules.Signatures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * ClamAV databases from users and controllers are hostile input: {@link Signatures#load}
 * returns signatures or throws {@link RuleParseException} (nothing else), never yields more
 * signatures than the file has lines, and a loaded {@code .ndb} scans any file within its
 * budget. Seeds: EICAR hash and body signatures and harmless hand-written patterns.
 */
class ClamAvSignaturesFuzzTest {
  private static final String EICAR =
      "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  /** Files the loaded body signatures are run against: EICAR, a DOS/PE stub, an ELF stub. */
  private static final byte[][] HAYSTACKS = {
      EICAR.getBytes(StandardCharsets.US_ASCII),
      stub(new byte[] {'M', 'Z', (byte) 0x90, 0}, 256),
      stub(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 256),
  };

  @FuzzTest
  void hdbDatabasesLoadOrAreRefused(byte[] file) {
    load("fuzz.hdb", file).ifPresent(s -> {
      assertThat(s.hashCount()).isLessThanOrEqualTo(lines(file));
      assertThat(s.bodyCount()).isZero();
    });
  }

  @FuzzTest
  void hsbDatabasesLoadOrAreRefused(byte[] file) {
    load("fuzz.hsb", file).ifPresent(s -> {
      assertThat(s.hashCount()).isLessThanOrEqualTo(lines(file));
      assertThat(s.bodyCount()).isZero();
    });
  }

  @FuzzTest
  void ndbDatabasesLoadOrAreRefusedAndScanWithinBudget(byte[] file) {
    load("fuzz.ndb", file).ifPresent(s -> {
      assertThat(s.bodyCount() + s.warnings().size()).isLessThanOrEqualTo(lines(file));
      assertThat(s.hashCount()).isZero();
      s.warnings().forEach(w -> Text.assertReportable(w, 1024));
      for (byte[] haystack : new byte[][] {HAYSTACKS[0], HAYSTACKS[1], HAYSTACKS[2], file}) {
        FuzzAccess.Scan scan = FuzzAccess.scanBodies(s, haystack);
        assertThat(scan.matches()).isBetween(0, s.bodyCount());
      }
    });
  }

  /** The loaded database, or empty when it was refused with a reportable reason. */
  private static Optional<Signatures> load(String name, byte[] file) {
    try {
      return Optional.of(Signatures.load(name, new ByteArrayInputStream(file)));
    } catch (RuleParseException refused) {
      Text.assertReportable(refused.getMessage(), 1024);
      return Optional.empty();
    } catch (IOException e) {
      throw new AssertionError("reading from memory cannot fail", e);
    }
  }

  private static int lines(byte[] file) {
    int lines = 1;
    for (byte b : file) {
      if (b == '\n') {
        lines++;
      }
    }
    return lines;
  }

  private static byte[] stub(byte[] magic, int length) {
    byte[] b = new byte[length];
    System.arraycopy(magic, 0, b, 0, magic.length);
    for (int i = magic.length; i < length; i++) {
      b[i] = (byte) (i * 31);
    }
    return b;
  }
}
