package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.alert.Alert;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictRepository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every watched complaint mailbox of a running controller ({@code serve --complaint-mailbox}),
 * one {@link MailboxWatcher} thread each, sharing the triage of the web UI and the CLI.
 */
public final class ComplaintWatch implements AutoCloseable {
  private final List<MailboxWatcher> watchers = new ArrayList<>();

  private ComplaintWatch() {}

  /** Starts watching every mailbox; alerts go to {@code alerts}. */
  public static ComplaintWatch start(List<MailboxConfig> mailboxes, WatchSettings settings, Storage store,
      MailTriage triage, Consumer<Alert> alerts, Clock clock) {
    return start(mailboxes, settings, store, triage, alerts, clock, () -> true);
  }

  /**
   * As the other {@code start}; a message is triaged only while {@code mayHandle} says so (the
   * complaint mailboxes' lock among controllers sharing a database, issue 20).
   */
  public static ComplaintWatch start(List<MailboxConfig> mailboxes, WatchSettings settings, Storage store,
      MailTriage triage, Consumer<Alert> alerts, Clock clock, java.util.function.BooleanSupplier mayHandle) {
    requireNonNull(mailboxes, "mailboxes");
    requireNonNull(mayHandle, "mayHandle");
    requireNonNull(store, "store");
    ComplaintLog log = new ComplaintLog(store);
    ComplaintHandler handler = new ComplaintHandler(triage,
        hostId -> store.verdict(hostId).map(VerdictRepository.VerdictRecord::verdict), alerts, clock,
        settings.maxMessageBytes());
    ComplaintWatch watch = new ComplaintWatch();
    for (MailboxConfig m : mailboxes) {
      MailboxWatcher w = new MailboxWatcher(m, settings, log, handler, clock, mayHandle);
      watch.watchers.add(w);
      w.start();
    }
    return watch;
  }

  /** Nothing watched. */
  public static ComplaintWatch none() {
    return new ComplaintWatch();
  }

  public List<MailboxStatus> status() {
    return watchers.stream().map(MailboxWatcher::status).toList();
  }

  @Override
  public void close() {
    watchers.forEach(MailboxWatcher::close);
  }
}
