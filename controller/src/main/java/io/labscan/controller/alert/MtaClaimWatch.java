package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises an alert when a lab machine reports a configured MTA's exact address ({@link
 * MtaAddressClaims}): once per host and address while the claim lasts, as {@code VerdictService}
 * announces address conflicts between two hosts, through the same alert path (kind {@code
 * address-conflict}, {@link AlertDispatcher#raise}, claimed once among controllers sharing a
 * database by the alert's text).
 *
 * <p>Why a periodic round rather than a hook in ingest: the configured entries change without any
 * report (an administrator adds the MTA on the Settings page after the PC claimed its address),
 * and the claim must be found then too. One round reads the hosts' current addresses once
 * ({@link Storage#hosts()}, as the dashboard lists do) and does nothing at all when no entry names
 * a single address. What was announced is held in memory, like announced conflicts: a restart
 * announces open claims again; a claim that ends and comes back is announced again.
 */
public final class MtaClaimWatch {
  private static final Logger log = LoggerFactory.getLogger(MtaClaimWatch.class);

  private final Storage store;
  private final Supplier<? extends Collection<String>> trustEntries;
  private final Consumer<Alert> raise;
  private final Clock clock;
  /** Per host id: the claims (ip + entry) announced and still open. */
  private final Map<String, Set<String>> announced = new HashMap<>();

  /**
   * @param trustEntries the configured entries now ({@code serve --trust} and the Settings page's)
   * @param raise where alerts go ({@link AlertDispatcher#raise})
   */
  public MtaClaimWatch(Storage store, Supplier<? extends Collection<String>> trustEntries, Consumer<Alert> raise,
      Clock clock) {
    this.store = requireNonNull(store, "store");
    this.trustEntries = requireNonNull(trustEntries, "trustEntries");
    this.raise = requireNonNull(raise, "raise");
    this.clock = requireNonNull(clock, "clock");
  }

  /** One round: alerts each claim not announced before; returns the number of open claims. */
  public synchronized int check() {
    List<String> entries = List.copyOf(trustEntries.get());
    if (entries.stream().allMatch(e -> MtaAddressClaims.exactAddress(e).isEmpty())) {
      announced.clear();
      return 0;
    }
    Set<String> mailServers = store.hostsWithRole(PolicyProvider.MAIL_SERVER_ROLE);
    Map<String, Set<String>> open = new HashMap<>();
    Instant now = clock.instant();
    int claims = 0;
    for (HostSummary h : store.hosts()) {
      if (mailServers.contains(h.hostId())) {
        continue;
      }
      for (MtaAddressClaims.Claim c : MtaAddressClaims.find(entries, h.currentAddresses())) {
        claims++;
        String key = c.ip() + " " + c.entry();
        open.computeIfAbsent(h.hostId(), k -> new HashSet<>()).add(key);
        if (announced.getOrDefault(h.hostId(), Set.of()).contains(key)) {
          continue;
        }
        Verdict current = store.verdict(h.hostId()).map(VerdictRecord::verdict).orElse(Verdict.UNKNOWN);
        Alert alert = MtaAddressClaims.alert(h.hostId(), h.hostname(), current, now, c);
        log.warn("False MTA address claim: host {} claims {} (--trust {}).", h.hostId(), c.ip(),
            io.labscan.controller.text.LogText.of(c.entry()));
        try {
          raise.accept(alert);
        } catch (RuntimeException e) {
          log.warn("False MTA address claim of {} not alerted: {}", h.hostId(), e.toString());
        }
      }
    }
    announced.clear();
    announced.putAll(open);
    return claims;
  }
}
