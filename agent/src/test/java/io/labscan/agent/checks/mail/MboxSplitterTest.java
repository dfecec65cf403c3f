package io.labscan.agent.checks.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MboxSplitterTest {
  @TempDir Path tmp;

  private List<String> split(String mbox) throws Exception {
    Path file = Files.writeString(tmp.resolve("mbox"), mbox, StandardCharsets.ISO_8859_1);
    List<String> messages = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(file)) {
      long read = MboxSplitter.split(channel, (index, start, end) -> {
        assertThat(index).isEqualTo(messages.size() + 1);
        messages.add(mbox.substring((int) start, (int) end));
      });
      assertThat(read).isEqualTo(mbox.length());
    }
    return messages;
  }

  @Test
  void messagesEndBeforeTheBlankLineThatSeparatesThem() throws Exception {
    assertThat(split("""
        From a@x Wed Apr 17 09:30:00 2002
        Subject: one

        body one

        From b@x Wed Apr 17 09:31:00 2002
        Subject: two

        body two

        """)).containsExactly("Subject: one\n\nbody one\n", "Subject: two\n\nbody two\n");
  }

  @Test
  void quotedFromLinesInBodiesDoNotSplit() throws Exception {
    assertThat(split("From a@x Wed Apr 17 09:30:00 2002\nSubject: q\n\n>From here on\n"
        + ">>From there\n")).containsExactly("Subject: q\n\n>From here on\n>>From there\n");
  }

  @Test
  void fromNotAtLineStartDoesNotSplit() throws Exception {
    assertThat(split("From a@x date\nSubject: q\n\nmail From me\n Frommage\n"))
        .containsExactly("Subject: q\n\nmail From me\n Frommage\n");
  }

  @Test
  void crlfSeparatorsAreHandled() throws Exception {
    assertThat(split("From a@x date\r\nSubject: 1\r\n\r\nb\r\n\r\nFrom b@x date\r\nSubject: 2\r\n"))
        .containsExactly("Subject: 1\r\n\r\nb\r\n", "Subject: 2\r\n");
  }

  @Test
  void bytesBeforeTheFirstFromLineAreIgnored() throws Exception {
    assertThat(split("junk\nFrom a@x date\nSubject: 1\n")).containsExactly("Subject: 1\n");
  }

  @Test
  void lastMessageWithoutFinalNewlineRunsToTheEnd() throws Exception {
    assertThat(split("From a@x date\nSubject: 1\n\nno newline")).containsExactly(
        "Subject: 1\n\nno newline");
  }

  @Test
  void messageSpanningManyReadChunksIsOneRange() throws Exception {
    String body = "y".repeat(200_000);
    assertThat(split("From a@x date\nSubject: big\n\n" + body + "\n\nFrom b@x date\nS: 2\n"))
        .extracting(String::length)
        .containsExactly(("Subject: big\n\n" + body + "\n").length(), "S: 2\n".length());
  }

  @Test
  void fileWithoutFromLinesHasNoMessages() throws Exception {
    assertThat(split("Subject: not an mbox\n\nbody\n")).isEmpty();
  }
}
