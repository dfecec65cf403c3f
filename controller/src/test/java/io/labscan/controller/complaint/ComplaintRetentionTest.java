package io.labscan.controller.complaint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.store.Pruner;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Complaint retention on a real SQLite file: old complaints go, what the watch resumes from stays. */
class ComplaintRetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");
  private static final String ABUSE = "imaps://abuse@mail.example.edu:993/INBOX";
  private static final String POSTMASTER = "imaps://postmaster@mail.example.edu:993/INBOX";
  @TempDir Path dir;

  private static Instant daysAgo(long days) {
    return NOW.minus(Duration.ofDays(days));
  }

  private static ComplaintRecord complaint(String mailbox, String key, Instant at, Outcome outcome) {
    return new ComplaintRecord(0, mailbox, key, at, at, "Re: your virus", "harold@example.org", 4_000, outcome, "",
        "Sent by lab-pc-07", "10.20.3.17", "", "lab-pc-07", OptionalDouble.of(0.9), true, true, "recorded",
        "mail:" + key, "{\"answer\":\"lab-pc-07\"}");
  }

  private static Pruner pruner(Storage store, int complaintDays) {
    return new Pruner(store, new Pruner.Retention(30, 90, 730, 400, complaintDays), Clock.fixed(NOW, ZoneOffset.UTC),
        List.of(new ComplaintRetention()));
  }

  @Test
  void complaintsOlderThanTheRetentionArePrunedWithTheirImapMessagesAndNewerOnesStay() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      ComplaintLog log = new ComplaintLog(store);
      for (int uid = 1; uid <= Pruner.BATCH + 20; uid++) {
        log.save(complaint(ABUSE, "<old-" + uid + "@x>", daysAgo(500), Outcome.TRIAGED), 7, uid);
        log.moved(ABUSE, 7, uid, "Triaged");
      }
      ComplaintRecord recent = log.save(complaint(ABUSE, "<new@x>", daysAgo(10), Outcome.TRIAGED), 7, 1000);
      log.moved(ABUSE, 7, 1000, "Triaged");

      Pruner.Result result = pruner(store, 400).prune(false);

      assertThat(result.rows()).containsEntry("complaint_messages", (long) Pruner.BATCH + 20)
          .containsEntry("complaint_uids", (long) Pruner.BATCH + 20);
      assertThat(log.list(ComplaintLog.MAX_LIST, OptionalLong.empty())).extracting(ComplaintRecord::seq)
          .containsExactly(recent.seq());
      assertThat(log.lastUid(ABUSE, 7)).hasValue(1000);
    }
  }

  @Test
  void theNewestMessageOfEachFolderStaysSoTheWatchNeverTriagesOlderOnesAgain() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      ComplaintLog log = new ComplaintLog(store);
      log.save(complaint(POSTMASTER, "<a@x>", daysAgo(600), Outcome.TRIAGED), 3, 41);
      log.moved(POSTMASTER, 3, 41, "Triaged");
      log.save(complaint(POSTMASTER, "<b@x>", daysAgo(500), Outcome.FAILED), 3, 42); // stays in the folder

      pruner(store, 400).prune(false);

      assertThat(log.lastUid(POSTMASTER, 3)).hasValue(42);
      assertThat(log.byKey(POSTMASTER, "<a@x>")).isEmpty();
      assertThat(log.byKey(POSTMASTER, "<b@x>")).isPresent();
    }
  }

  @Test
  void aMessageWhoseMoveIsStillPendingStays() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      ComplaintLog log = new ComplaintLog(store);
      log.save(complaint(ABUSE, "<pending@x>", daysAgo(500), Outcome.TRIAGED), 7, 5); // not moved yet
      log.save(complaint(ABUSE, "<newest@x>", daysAgo(450), Outcome.TRIAGED), 7, 6);
      log.moved(ABUSE, 7, 6, "Triaged");

      pruner(store, 400).prune(false);

      assertThat(log.movedTo(ABUSE, 7, 5)).hasValue(java.util.Optional.empty());
      assertThat(log.byKey(ABUSE, "<pending@x>")).isPresent();
    }
  }

  @Test
  void aDryRunCountsAndDeletesNothing() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      ComplaintLog log = new ComplaintLog(store);
      log.save(complaint(ABUSE, "<a@x>", daysAgo(500), Outcome.TRIAGED), 7, 1);
      log.moved(ABUSE, 7, 1, "Triaged");
      log.save(complaint(ABUSE, "<b@x>", daysAgo(1), Outcome.TRIAGED), 7, 2);
      log.moved(ABUSE, 7, 2, "Triaged");

      Pruner.Result result = pruner(store, 400).prune(true);

      assertThat(result.rows()).containsEntry("complaint_messages", 1L).containsEntry("complaint_uids", 1L);
      assertThat(log.byKey(ABUSE, "<a@x>")).isPresent();
    }
  }

  @Test
  void complaintsMustBeKeptAtLeastAMonth() {
    assertThatThrownBy(() -> new Pruner.Retention(30, 90, 730, 400, 7))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("complaints must be kept at least 31 days");
    assertThat(Pruner.Retention.defaults().complaintDays()).isEqualTo(400);
  }
}
