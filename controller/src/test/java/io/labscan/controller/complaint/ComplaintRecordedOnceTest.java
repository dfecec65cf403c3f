package io.labscan.controller.complaint;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store refuses a second record of the same IMAP message (mailbox, UIDVALIDITY, UID), so two
 * controllers that both triaged it (both held the mailboxes' lock for a moment) record it once
 * (issue 20). On a real SQLite file; {@link ComplaintRecordedOnceOnPostgresTest} runs the same on
 * PostgreSQL, and races two controllers' stores there.
 */
class ComplaintRecordedOnceTest {
  static final String ABUSE = "imaps://abuse@mail.example.edu:993/INBOX";
  static final Instant AT = Instant.parse("2026-12-07T09:00:00Z");
  @TempDir Path dir;

  Storage open(Path file) {
    return Storage.open(file);
  }

  static ComplaintRecord complaint(String key, String handledBy) {
    return new ComplaintRecord(0, ABUSE, key, AT, AT, "Re: your virus", "harold@example.org", 4_000, Outcome.TRIAGED,
        "", "Sent by lab-pc-07 (" + handledBy + ")", "10.20.3.17", "h-07", "lab-pc-07", OptionalDouble.of(0.9), true,
        true, "recorded", "mail:" + key, "{\"answer\":\"lab-pc-07\"}");
  }

  @Test
  void theSameImapMessageRecordedTwiceIsStoredOnceAndTheSecondCallerIsToldSo() {
    try (Storage store = open(dir.resolve("c.db"))) {
      ComplaintLog log = new ComplaintLog(store);

      ComplaintLog.Saved first = log.record(complaint("<worm-1@lab-pc-07>", "controller a"), 7, 41);
      ComplaintLog.Saved second = log.record(complaint("<worm-1@lab-pc-07>", "controller b"), 7, 41);

      assertThat(first.first()).isTrue();
      assertThat(second.first()).isFalse();
      assertThat(second.complaint().seq()).isEqualTo(first.complaint().seq());
      assertThat(second.complaint().summary()).contains("controller a");
      assertThat(log.list(10, OptionalLong.empty())).hasSize(1);
    }
  }

  @Test
  void otherMessagesWithTheSameMessageIdAreStillRecordedEachOnce() {
    try (Storage store = open(dir.resolve("c.db"))) {
      ComplaintLog log = new ComplaintLog(store);

      // The Message-ID is the sender's claim: two messages may carry the same one.
      assertThat(log.record(complaint("<same@x>", "a"), 7, 41).first()).isTrue();
      assertThat(log.record(complaint("<same@x>", "a"), 7, 42).first()).isTrue();
      // The same UID under another UIDVALIDITY is another message (the folder was rebuilt).
      assertThat(log.record(complaint("<other@x>", "a"), 8, 41).first()).isTrue();

      assertThat(log.list(10, OptionalLong.empty())).hasSize(3);
    }
  }
}
