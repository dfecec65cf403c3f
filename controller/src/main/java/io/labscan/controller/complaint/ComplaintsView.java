package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** What the Complaints page, its JSON API and {@code /metrics} read. */
public interface ComplaintsView {
  /** Days {@link #perDay} covers, today included. */
  int METRIC_DAYS = 14;

  /** Complaints newest first, at most {@code limit}, below number {@code before} when given. */
  List<ComplaintRecord> list(int limit, OptionalLong before);

  Optional<ComplaintRecord> get(long seq);

  /** The watched mailboxes and how their watch is doing. */
  List<MailboxStatus> mailboxes();

  /** A host's current verdict. */
  Optional<Verdict> verdict(String hostId);

  /**
   * Complaints handled per UTC day ({@code 2026-12-07}) and outcome id, for the last
   * {@link #METRIC_DAYS} days; every day and outcome present (zeros too), oldest first.
   */
  Map<String, Map<String, Long>> perDay();

  /** The complaints stored in {@code store}; {@code mailboxes} says how the watch is doing. */
  static ComplaintsView of(Storage store, Supplier<List<MailboxStatus>> mailboxes, Clock clock) {
    requireNonNull(store, "store");
    requireNonNull(mailboxes, "mailboxes");
    requireNonNull(clock, "clock");
    ComplaintLog log = new ComplaintLog(store);
    return new ComplaintsView() {
      @Override
      public List<ComplaintRecord> list(int limit, OptionalLong before) {
        return log.list(limit, before);
      }

      @Override
      public Optional<ComplaintRecord> get(long seq) {
        return log.get(seq);
      }

      @Override
      public List<MailboxStatus> mailboxes() {
        return mailboxes.get();
      }

      @Override
      public Optional<Verdict> verdict(String hostId) {
        return store.verdict(hostId).map(VerdictRepository.VerdictRecord::verdict);
      }

      @Override
      public Map<String, Map<String, Long>> perDay() {
        LocalDate today = clock.instant().atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate first = today.minusDays(METRIC_DAYS - 1);
        var counts = log.perDay(first.atStartOfDay().toInstant(ZoneOffset.UTC));
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
          Map<String, Long> day = new LinkedHashMap<>();
          for (Outcome o : Outcome.values()) {
            day.put(o.id(), counts.getOrDefault(d, Map.of()).getOrDefault(o, 0L));
          }
          out.put(d.toString(), day);
        }
        return out;
      }
    };
  }
}
