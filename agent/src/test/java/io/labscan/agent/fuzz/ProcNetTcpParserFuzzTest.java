package io.labscan.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.agent.checks.egress.linux.ProcNetTcpParser;
import io.labscan.agent.checks.egress.linux.SocketRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@link ProcNetTcpParser} is pure and total: any text, in either word order, gives rows and
 * a count of skipped lines, never an exception; it yields at most one row per line, every row
 * is well-formed, and the streaming form agrees with the in-memory one. Seeds: recorded
 * {@code /proc/net/tcp} and {@code tcp6} files and single rows.
 */
class ProcNetTcpParserFuzzTest {
  private static final int MAX_ROWS = 16;

  @FuzzTest
  void everyTextParsesInBothByteOrders(byte[] bytes) throws IOException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    long lines = text.isEmpty() ? 0 : text.chars().filter(c -> c == '\n').count() + 1;
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      ProcNetTcpParser.Parsed parsed = ProcNetTcpParser.parse(text, order);

      assertThat(parsed.rows().size() + (long) parsed.skippedLines()).isLessThanOrEqualTo(lines);
      parsed.rows().forEach(ProcNetTcpParserFuzzTest::assertWellFormed);

      ProcNetTcpParser.Parsed streamed = ProcNetTcpParser.parse(
          new BufferedReader(new StringReader(text)), order, port -> true, MAX_ROWS);
      assertThat(streamed.rows().size()).isLessThanOrEqualTo(MAX_ROWS);
      if (text.indexOf('\r') < 0) {
        // Both split lines at '\n' alone (BufferedReader also splits at '\r').
        if (parsed.rows().size() < MAX_ROWS) {
          assertThat(streamed).isEqualTo(parsed);
        } else {
          assertThat(streamed.rows()).isEqualTo(parsed.rows().subList(0, MAX_ROWS));
        }
      }
    }
  }

  private static void assertWellFormed(SocketRow row) {
    assertThat(row.uid()).isBetween(0L, 0xffff_ffffL);
    assertThat(row.inode()).isNotNegative();
    assertThat(row.local().port()).isBetween(0, 0xffff);
    assertThat(row.remote().port()).isBetween(0, 0xffff);
  }
}
