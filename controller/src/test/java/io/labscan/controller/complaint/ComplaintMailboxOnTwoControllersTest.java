package io.labscan.controller.complaint;

import static io.labscan.controller.complaint.ComplaintMail.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.jobs.SingletonLocks;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One complaint mailbox (a real Dovecot) watched by two controllers on one real PostgreSQL
 * database (issue 20): only the holder of the complaint mailboxes' lock watches it, so each
 * message is triaged once; when the holder stops, the other takes the mailbox over.
 */
class ComplaintMailboxOnTwoControllersTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;
  private Dovecot dovecot;
  private final List<Controller> controllers = new ArrayList<>();
  private final WatchSettings settings = WatchSettings.defaults()
      .withBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
      .withIdleRefresh(Duration.ofSeconds(20), Duration.ofSeconds(30)).withLimits(64 * 1024, 1000);
  private final ComplaintMail mail = new ComplaintMail(Instant.now().minusSeconds(300));

  @BeforeEach
  void mailServer() throws Exception {
    dovecot = Dovecot.start(dir);
    PostgresStorage.database(dir.resolve("fleet"));
  }

  @AfterEach
  void stop() throws Exception {
    controllers.forEach(Controller::close);
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private Controller watching(String name) {
    Controller c = Controller.open(ControllerConfig.builder(dir.resolve(name)).clock(Clock.systemUTC()).build(),
        PostgresStorage.open(dir.resolve("fleet")));
    controllers.add(c);
    c.watchComplaintMailboxes(List.of(dovecot.inbox()), settings);
    return c;
  }

  private static List<ComplaintRecord> complaints(Controller c) {
    return new ComplaintLog(c.store()).list(100, OptionalLong.empty());
  }

  @Test
  void twoControllersTriageEachMessageOnceAndTheSurvivorTakesTheMailboxOver() throws Exception {
    Controller a = watching("a");
    Controller b = watching("b");
    await().atMost(WAIT).until(() -> a.singletons().held(SingletonLocks.COMPLAINT_MAILBOXES)
        ^ b.singletons().held(SingletonLocks.COMPLAINT_MAILBOXES));
    Controller holder = a.singletons().held(SingletonLocks.COMPLAINT_MAILBOXES) ? a : b;
    Controller other = holder == a ? b : a;
    await().atMost(WAIT).untilAsserted(() -> assertThat(holder.complaintsView().mailboxes()).hasSize(1));
    assertThat(other.complaintsView().mailboxes()).as("the other controller stands by").isEmpty();

    dovecot.append("INBOX", bytes(mail.worm("worm-1@lab-pc-07")));
    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("INBOX")).isEmpty());
    assertThat(complaints(a)).extracting(ComplaintRecord::messageKey).hasSize(1);

    holder.close();
    controllers.remove(holder);
    await().atMost(WAIT).until(() -> other.singletons().held(SingletonLocks.COMPLAINT_MAILBOXES));
    dovecot.append("INBOX", bytes(mail.worm("worm-2@lab-pc-07")));

    await().atMost(WAIT).untilAsserted(() -> assertThat(dovecot.messageIds("INBOX")).isEmpty());
    assertThat(complaints(other)).hasSize(2);
    assertThat(complaints(other)).extracting(ComplaintRecord::messageKey).doesNotHaveDuplicates();
  }
}
