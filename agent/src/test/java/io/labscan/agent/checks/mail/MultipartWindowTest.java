package io.labscan.agent.checks.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MultipartWindowTest {

  private static OptionalLong cut(String body, String boundary, int budget) throws Exception {
    return MultipartWindow.cutAfter(
        new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)), boundary, budget);
  }

  private static String parts(int count) {
    StringBuilder body = new StringBuilder("preamble\r\n");
    for (int i = 0; i < count; i++) {
      body.append("--b1\r\nContent-Type: text/plain\r\n\r\npart ").append(i).append("\r\n");
    }
    return body.append("--b1--\r\n").toString();
  }

  @Test
  void multipartWithinTheBudgetIsNotCut() throws Exception {
    assertThat(cut(parts(3), "b1", 3)).isEmpty();
  }

  @Test
  void multipartOverTheBudgetIsCutAtTheFirstDelimiterPastIt() throws Exception {
    String body = parts(5);

    OptionalLong cut = cut(body, "b1", 2);

    assertThat(cut).isPresent();
    assertThat(body.substring((int) cut.getAsLong())).startsWith("--b1\r\n").contains("part 2")
        .doesNotContain("part 1");
  }

  @Test
  void delimiterTextInsideALineDoesNotCount() throws Exception {
    assertThat(cut("--b1\r\nx --b1 y\r\n--b1--\r\n", "b1", 1)).isEmpty();
  }

  @Test
  void withoutABoundaryEveryDashDashLineCounts() throws Exception {
    assertThat(cut("--a\r\n--b\r\n--c\r\n", null, 2)).hasValue(10);
  }
}
