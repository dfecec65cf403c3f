package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.net.Addresses;
import io.labscan.controller.text.HostnameKey;
import io.labscan.controller.triage.AddressHolding;
import io.labscan.controller.triage.EgressHit;
import io.labscan.controller.triage.HostState;
import io.labscan.controller.triage.MailServerHost;
import io.labscan.controller.triage.Triage;
import io.labscan.controller.triage.TriageEvidence;
import io.labscan.controller.triage.TriageOptions;
import io.labscan.controller.verdict.EgressAllowance;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Triage's questions answered from the SQLite store: who held an address when, who sent
 * SMTP when, whose harvest holds which digests, whose address is whose.
 */
public final class SqliteTriageEvidence implements TriageEvidence {
  /**
   * How far before its first report a host is assumed to have held an address: agents report
   * inventory at start, within seconds of an address change, with every egress flush and every
   * scan, so a host that sent mail just before its first report of the day still counts, unless
   * another host held the address in between, or the host's reported boot time lies after that
   * stretch's start. The stretch is an assumption, not a report: the holding carries its first
   * report ({@link AddressHolding#firstReported()}) and triage never lets the assumed part alone
   * record an answer ({@link AddressHolding#assumedAt}; red-team round 4, F5: DHCP gave the
   * address to a BYOD laptop in the morning, the lab PC got it in the afternoon).
   */
  static final Duration HOLD_BACKFILL = Duration.ofHours(6);
  /**
   * Windows up to this long are found by their start time; longer ones (rare: the policy's
   * window is a minute) by the partial index {@code egress_long_windows}. Must equal the
   * bound in V006__query_indexes.sql, or that index is not used.
   */
  static final Duration SHORT_WINDOW = Duration.ofHours(1);
  /** Filter for windows policy did not allow (egress_unallowed_by_time serves it). */
  static final String UNALLOWED = " AND e.allowed = 0";
  /** Most egress windows one question loads. */
  static final int MAX_EGRESS_ROWS = 20_000;
  /** Digests per IN (...) query. */
  private static final int DIGEST_CHUNK = 500;

  private final Database database;
  private final SqlReports hosts;
  private final SqlSettings settings;
  private final SqlVerdicts verdicts;
  private final String keyId;
  private final Duration holdingGrace;

  /** @param keyId identifier of the fleet key the digests were made with */
  public SqliteTriageEvidence(Database database, String keyId) {
    this(database, keyId, TriageOptions.HOLDING_GRACE);
  }

  /**
   * @param holdingGrace how long after its last report a host that fell silent still holds
   *     the addresses it reported (TriageOptions#holdingGrace)
   */
  public SqliteTriageEvidence(Database database, String keyId, Duration holdingGrace) {
    this(database, keyId, holdingGrace, java.time.Clock.systemUTC());
  }

  /**
   * @param clock where "lately" is measured from for names given up ({@link #sharedHostnameKeys}):
   *     the composition root's clock ({@code Controller#clock}), so a test or a replay sets it
   */
  public SqliteTriageEvidence(Database database, String keyId, Duration holdingGrace, java.time.Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    this.database = requireNonNull(database, "database");
    this.hosts = new SqlReports(database);
    this.settings = new SqlSettings(database);
    this.verdicts = new SqlVerdicts(database);
    this.keyId = requireNonNull(keyId, "keyId");
    this.holdingGrace = requireNonNull(holdingGrace, "holdingGrace");
  }

  /** Most address intervals {@link #addressesOf} reads for one host. */
  static final int MAX_HOST_INTERVALS = 256;

  /**
   * The host's address intervals that may cover {@code at} (begun by {@code at} + {@link
   * #HOLD_BACKFILL}, not ended before it; an open one counts whatever its last report), from
   * {@code host_addresses_by_host}, newest first, at most {@link #MAX_HOST_INTERVALS}.
   */
  @Override
  public List<AddressHolding> addressesOf(String hostId, Instant at) {
    requireNonNull(hostId, "hostId");
    long atMs = at.toEpochMilli();
    return database.read("host addresses", db -> {
      List<AddressHolding> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT ip, mac, interface_name, first_seen_ms, last_seen_ms, ended_ms, is_current FROM host_addresses "
              + "WHERE host_id = ? AND first_seen_ms <= ? ORDER BY first_seen_ms DESC LIMIT " + MAX_HOST_INTERVALS)) {
        ps.setString(1, hostId);
        ps.setLong(2, saturatedPlus(atMs, HOLD_BACKFILL.toMillis()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long endedMs = rs.getLong(6);
            boolean ended = !rs.wasNull();
            boolean current = rs.getInt(7) != 0;
            long end = ended ? endedMs : current ? Long.MAX_VALUE : rs.getLong(5) + 1;
            if (end <= atMs) {
              continue;
            }
            out.add(new AddressHolding(hostId, "", rs.getString(1), Instant.ofEpochMilli(rs.getLong(4)),
                end == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(end)), rs.getString(2),
                rs.getString(3), Optional.empty()));
          }
        }
      }
      return out;
    });
  }

  /**
   * Where "lately" is measured from for names given up ({@link #sharedHostnameKeys}): the clock
   * the caller injected (the system clock by default); the answers' own times come from the evidence.
   */
  private final java.time.Clock clock;

  /**
   * One row of {@code host_addresses}, or a part of one split at a silence ({@link #silencesAround}):
   * {@code resumed} marks the part after the silence (its start is its first report, never
   * back-filled), {@code reportedEnd} the first report after a part that ended in silence.
   */
  private record Interval(String hostId, String hostname, long first, long last, @Nullable Long ended,
      boolean current, String mac, String interfaceName, @Nullable Long leaseEnd, @Nullable Long bootTime,
      boolean resumed, @Nullable Long reportedEnd) {

    Interval(String hostId, String hostname, long first, long last, @Nullable Long ended, boolean current,
        String mac, String interfaceName, @Nullable Long leaseEnd, @Nullable Long bootTime) {
      this(hostId, hostname, first, last, ended, current, mac, interfaceName, leaseEnd, bootTime, false, null);
    }
  }

  /** Most intervals one address question reads (an address reused by DHCP every day for years). */
  static final int MAX_INTERVALS = 10_000;

  /**
   * The intervals of the address that can matter at {@code at}, from its index ({@code
   * host_addresses_by_ip}). A holding ends by the host's own reports: at the first report without
   * the address, or, when no report ever said so (the host fell silent, or was switched off),
   * {@code holdingGrace} after its last report that showed it (or at its reported DHCP lease end)
   * — but never later than another host's first claim made after that last report: a silent host
   * cannot contest a claim it never saw (it was off, or its agent was), so the address passed on.
   * Another host's claim never ends the holding of a host that keeps reporting the address:
   * overlapping claims of two reporting hosts are a conflict that triage shows. The start is
   * back-filled by {@link #HOLD_BACKFILL} before the first report, but never into an earlier
   * holder's tenure nor before the host's reported boot ({@link #bootFloor}); the holding keeps
   * its first report, so triage can tell the assumed stretch from the reported one.
   *
   * <p>Bounded work: only intervals that began by {@code at} + {@link #HOLD_BACKFILL} (a later one
   * cannot cover {@code at}) are read, newest first, at most {@link #MAX_INTERVALS}: an address
   * reused by DHCP every day for years, or claims flooded by a lying agent, cannot push the
   * tenures around {@code at} out of the answer (they used to be the oldest ones kept).
   */
  @Override
  public List<AddressHolding> holdersOf(String ip, Instant at) {
    List<Interval> intervals = database.read("address history", db -> {
      List<Interval> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT a.host_id, h.hostname, a.first_seen_ms, a.last_seen_ms, a.ended_ms, a.is_current, a.mac, "
              + "a.interface_name, a.lease_end_ms, h.boot_time_ms FROM host_addresses a JOIN hosts h ON h.host_id = a.host_id "
              + "WHERE a.ip = ? AND a.first_seen_ms <= ? "
              + "ORDER BY a.first_seen_ms DESC LIMIT " + MAX_INTERVALS)) {
        ps.setString(1, ip);
        ps.setLong(2, saturatedPlus(at.toEpochMilli(), HOLD_BACKFILL.toMillis()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long endedMs = rs.getLong(5);
            Long ended = rs.wasNull() ? null : endedMs;
            long leaseMs = rs.getLong(9);
            Long lease = rs.wasNull() ? null : leaseMs;
            long bootMs = rs.getLong(10);
            Long boot = rs.wasNull() || bootMs <= 0 ? null : bootMs;
            out.add(new Interval(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), ended,
                rs.getInt(6) != 0, rs.getString(7), rs.getString(8), lease, boot));
          }
        }
      }
      // Newest first from the index; walked oldest first (ties by host id, deterministic).
      out.sort(java.util.Comparator.comparingLong(Interval::first).thenComparing(Interval::hostId));
      return out;
    });
    intervals = silencesAround(intervals, at.toEpochMilli());
    List<AddressHolding> holdings = new ArrayList<>();
    // Each holding's reported DHCP lease end (its last report's), for the gone-then-silent horizon.
    List<Optional<Instant>> leases = new ArrayList<>();
    // The latest end of any earlier tenure (walking in start order: O(n)); the host's own
    // earlier tenure bounds its back-fill as well as another host's does.
    long priorEnd = Long.MIN_VALUE;
    for (Interval iv : intervals) {
      long since = iv.resumed() ? iv.first()
          : Math.min(Math.max(Math.max(iv.first() - HOLD_BACKFILL.toMillis(), priorEnd), bootFloor(iv)), iv.first());
      Long until;
      Instant silentAfter = null;
      Optional<Instant> lease = Optional.ofNullable(iv.leaseEnd()).map(Instant::ofEpochMilli);
      if (iv.ended() != null) {
        until = iv.ended();
      } else if (iv.current()) {
        // A reported DHCP lease end wins over the grace period, within bounds (AddressHolding#silentUntil).
        until = AddressHolding.silentUntil(Instant.ofEpochMilli(iv.last()), lease, holdingGrace,
            TriageOptions.MAX_LEASE_HOLD).toEpochMilli();
        Long reportedEnd = iv.reportedEnd();
        if (reportedEnd != null && reportedEnd < until) {
          until = reportedEnd; // the host's next report came earlier (a part split at a silence)
        }
        OptionalLong taken = nextClaimAfter(intervals, iv);
        if (taken.isPresent() && taken.getAsLong() < until) {
          until = taken.getAsLong();
        }
        silentAfter = Instant.ofEpochMilli(iv.last());
      } else {
        until = iv.last() + 1;
      }
      holdings.add(new AddressHolding(iv.hostId(), iv.hostname(), ip, Instant.ofEpochMilli(since),
          Optional.of(Instant.ofEpochMilli(until)), iv.mac(), iv.interfaceName(), Optional.ofNullable(silentAfter),
          iv.ended() == null && iv.current() ? lease : Optional.empty(), Instant.ofEpochMilli(iv.first())));
      leases.add(lease);
      // The end of this holding as computed (a silent host's grace or lease, cut at the next
      // claim), not its last report: a later holder is never back-filled into a silent host's
      // grace, where it would "hold" the address before it ever reported it (red-team finding).
      priorEnd = Math.max(priorEnd, until);
    }
    return withSilenceAfterEnds(holdings, leases, at);
  }

  /** Most tenures around the asked instant whose reports {@link #silencesAround} reads. */
  static final int MAX_GAP_LOOKUPS = 8;

  /**
   * The intervals with the tenures around {@code atMs} split where the host was silent then (issue
   * 15, red-team round 9, F1). A tenure is the host's reports of the address from the first to the
   * last, so a host switched off for the evening that reports the same address (or another one)
   * hours later would "hold" it through the whole dark stretch — recorded for the worm mail a
   * visitor's laptop, or a worm that borrowed the address, sent meanwhile. A holding extends past
   * a report only up to the holding grace (a reported DHCP lease end wins, as for a host that never
   * came back): when the host's last report at or before {@code atMs} and its next report after it
   * lie further apart than the grace, {@code atMs} is after that grace (its end included in it) and more than {@link
   * AddressHolding#FIRST_REPORT_SKEW} before the next report, the tenure becomes a holding that
   * lapsed in silence ({@code silentAfter} = the last report: triage's weak, labelled "silent
   * since" candidate, never recorded alone) followed, when the host reported the address again, by
   * a tenure that starts at that report (not back-filled into the silence). Within the grace, or a
   * gap shorter than it, the tenure stays whole: held, as before. Bounded: at most {@link
   * #MAX_GAP_LOOKUPS} tenures read their reports ({@code reports_by_host}).
   */
  private List<Interval> silencesAround(List<Interval> intervals, long atMs) {
    long grace = holdingGrace.toMillis();
    long skew = AddressHolding.FIRST_REPORT_SKEW.toMillis();
    List<Interval> out = new ArrayList<>(intervals.size() + 1);
    int lookups = 0;
    boolean changed = false;
    for (Interval iv : intervals) {
      Long ended = iv.ended();
      boolean around = iv.first() <= atMs && (ended == null || atMs < ended);
      if (!around) {
        out.add(iv);
        continue;
      }
      if (ended != null && atMs >= iv.last()) {
        // The next report (the first without the address) came after the grace: silence between.
        long lapse = AddressHolding.silentUntil(Instant.ofEpochMilli(iv.last()),
            Optional.ofNullable(iv.leaseEnd()).map(Instant::ofEpochMilli), holdingGrace, TriageOptions.MAX_LEASE_HOLD)
            .toEpochMilli();
        if (ended - iv.last() > grace && atMs > lapse && atMs < ended - skew) {
          out.add(new Interval(iv.hostId(), iv.hostname(), iv.first(), iv.last(), null, true, iv.mac(),
              iv.interfaceName(), iv.leaseEnd(), iv.bootTime(), iv.resumed(), ended));
          changed = true;
        } else {
          out.add(iv);
        }
        continue;
      }
      if (atMs >= iv.last() || lookups >= MAX_GAP_LOOKUPS) {
        out.add(iv); // after its last report: the ordinary silence rules apply
        continue;
      }
      lookups++;
      OptionalLong prev = database.read("report before a mail",
          db -> reportTime(db, LAST_REPORT_BETWEEN, iv.hostId(), iv.first(), atMs));
      OptionalLong next = database.read("report after a mail",
          db -> reportTime(db, NEXT_REPORT_AFTER, iv.hostId(), atMs, iv.last()));
      if (prev.isEmpty() || next.isEmpty() || next.getAsLong() - prev.getAsLong() <= grace
          || atMs <= prev.getAsLong() + grace || atMs >= next.getAsLong() - skew) {
        out.add(iv); // reports cover the instant within the grace (or a pruned history: as before)
        continue;
      }
      out.add(new Interval(iv.hostId(), iv.hostname(), iv.first(), prev.getAsLong(), null, true, iv.mac(),
          iv.interfaceName(), null, iv.bootTime(), iv.resumed(), next.getAsLong()));
      out.add(new Interval(iv.hostId(), iv.hostname(), next.getAsLong(), iv.last(), iv.ended(), iv.current(),
          iv.mac(), iv.interfaceName(), iv.leaseEnd(), iv.bootTime(), true, iv.reportedEnd()));
      changed = true;
    }
    if (changed) {
      out.sort(java.util.Comparator.comparingLong(Interval::first).thenComparing(Interval::hostId));
    }
    return out;
  }

  /** Most holdings ended by a report whose host's silence after the end one question looks up. */
  static final int MAX_SILENCE_LOOKUPS = 8;

  /**
   * The holdings ended by a report before {@code at} (newest first, at most {@link
   * #MAX_SILENCE_LOOKUPS}, ended recently enough that triage could still name the host: within the
   * grace plus the longer of the grace and {@link TriageOptions#MAX_LEASE_HOLD}, see {@link
   * AddressHolding#goneSilentUntil}), each with the start of the silence its host fell into soon after
   * that end, when it did and {@code at} lies in it ({@link AddressHolding#silentSoonAfter}): the
   * host's last report at most {@code holdingGrace} after the end, then no report for longer than
   * {@code holdingGrace} (it never reported again, or came back later than that), and {@code at} at
   * or after that last report and before any later one; and with the DHCP lease end its reports gave
   * for the address, if any ({@link AddressHolding#leaseEnd}, the horizon's bound). From the reports
   * themselves ({@code reports_by_host}); a pruned report history gives no silence (no candidate,
   * the safe direction). Issue 15, red-team round 6, R10; round 8, T7.
   */
  private List<AddressHolding> withSilenceAfterEnds(List<AddressHolding> holdings, List<Optional<Instant>> leases,
      Instant at) {
    Duration longest = holdingGrace.compareTo(TriageOptions.MAX_LEASE_HOLD) > 0 ? holdingGrace
        : TriageOptions.MAX_LEASE_HOLD;
    Instant oldest = at.minus(longest).minus(holdingGrace);
    int lookups = 0;
    List<AddressHolding> out = new ArrayList<>(holdings);
    for (int i = out.size() - 1; i >= 0 && lookups < MAX_SILENCE_LOOKUPS; i--) {
      AddressHolding h = out.get(i);
      Optional<Instant> end = h.until();
      if (h.silentAfter().isPresent() || end.isEmpty() || end.get().isAfter(at) || end.get().isBefore(oldest)
          || heldByAnother(holdings, h.hostId(), end.get(), at)) {
        continue; // another host's tenure since the end: the address passed on, no silence asked
      }
      lookups++;
      Optional<Instant> silence = silenceAfter(h.hostId(), end.get().toEpochMilli(), at.toEpochMilli());
      if (silence.isPresent()) {
        out.set(i, new AddressHolding(h.hostId(), h.hostname(), h.ip(), h.since(), h.until(), h.mac(),
            h.interfaceName(), h.silentAfter(), leases.get(i), h.firstReported(), silence));
      }
    }
    return out;
  }

  /** Whether a host other than {@code hostId} held the address at some instant in [from, at]. */
  private static boolean heldByAnother(List<AddressHolding> holdings, String hostId, Instant from, Instant at) {
    for (AddressHolding g : holdings) {
      if (!g.hostId().equals(hostId) && !g.since().isAfter(at) && g.until().map(from::isBefore).orElse(true)) {
        return true;
      }
    }
    return false;
  }

  /** See {@link #withSilenceAfterEnds}: the host's last report before its silence after {@code endMs}. */
  private Optional<Instant> silenceAfter(String hostId, long endMs, long atMs) {
    long grace = holdingGrace.toMillis();
    OptionalLong last = database.read("last report after an address change",
        db -> reportTime(db, LAST_REPORT_BETWEEN, hostId, endMs, saturatedPlus(endMs, grace)));
    if (last.isEmpty() || atMs < last.getAsLong()) {
      return Optional.empty();
    }
    long lastMs = last.getAsLong();
    OptionalLong next = database.read("next report after a silence",
        db -> reportTime(db, NEXT_REPORT_AFTER, hostId, lastMs, Long.MAX_VALUE));
    if (next.isPresent() && (next.getAsLong() - lastMs <= grace || atMs >= next.getAsLong())) {
      return Optional.empty();
    }
    return Optional.of(Instant.ofEpochMilli(lastMs));
  }

  /** The host's latest report in [from, to] ({@code reports_by_host}). */
  static final String LAST_REPORT_BETWEEN =
      "SELECT MAX(created_ms) FROM reports WHERE host_id = ? AND created_ms >= ? AND created_ms <= ?";
  /** The host's first report after a time (the upper bound is unused: {@code Long.MAX_VALUE}). */
  static final String NEXT_REPORT_AFTER =
      "SELECT MIN(created_ms) FROM reports WHERE host_id = ? AND created_ms > ? AND created_ms <= ?";

  private static OptionalLong reportTime(java.sql.Connection db, String sql, String hostId, long from, long to)
      throws java.sql.SQLException {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      ps.setString(1, hostId);
      ps.setLong(2, from);
      ps.setLong(3, to);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          long v = rs.getLong(1);
          if (!rs.wasNull()) {
            return OptionalLong.of(v);
          }
        }
      }
    }
    return OptionalLong.empty();
  }

  /**
   * The earliest start a back-filled holding may have by the host's reported boot time: a host
   * held no address before it started. {@code hosts.boot_time_ms} is the boot time of the host's
   * newest inventory; it bounds a tenure only when it lies at or before that tenure's first
   * report (the host has run since then, through that report); a later boot says nothing about
   * an earlier tenure. The boot time is the agent's claim, but it can only narrow the host's own
   * assumed stretch, which is never evidence on its own anyway.
   */
  private static long bootFloor(Interval iv) {
    Long boot = iv.bootTime();
    return boot != null && boot <= iv.first() ? boot : Long.MIN_VALUE;
  }

  /**
   * The first claim of the address by another host made after {@code silent}'s last report, in
   * {@code intervals} (ordered by first report): binary search for the first later start, then
   * skip the host's own intervals.
   */
  private static OptionalLong nextClaimAfter(List<Interval> intervals, Interval silent) {
    int lo = 0;
    int hi = intervals.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (intervals.get(mid).first() <= silent.last()) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int i = lo; i < intervals.size(); i++) {
      if (!intervals.get(i).hostId().equals(silent.hostId())) {
        return OptionalLong.of(intervals.get(i).first());
      }
    }
    return OptionalLong.empty();
  }

  private static long saturatedPlus(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  @Override
  public List<EgressHit> egressNear(Collection<String> hostIds, Instant from, Instant to) {
    if (hostIds.isEmpty()) {
      return List.of();
    }
    List<EgressHit> out = new ArrayList<>();
    for (String hostId : hostIds) {
      out.addAll(egress(" AND e.host_id = ?", hostId, from, to));
    }
    return out;
  }

  @Override
  public List<EgressHit> unallowedEgressBetween(Instant from, Instant to) {
    return egress(UNALLOWED, null, from, to);
  }

  /**
   * Windows overlapping [from, to]. Most windows are short, so they are found by a narrow
   * range on their start ({@code egress_by_time}); windows longer than {@link #SHORT_WINDOW}
   * are rare and listed by their own partial index ({@code egress_long_windows}, V006). The
   * two halves do not overlap. (One range "start &lt;= to" alone walked every window before
   * {@code to}.)
   */
  private List<EgressHit> egress(String filter, @Nullable String hostId, Instant from, Instant to) {
    String sql = overlapQuery(filter);
    // 'allowed' is the controller's judgement at ingest (never the agent's flag); an entry added to
    // the allow-list since then clears earlier windows too.
    EgressAllowance allowance = EgressAllowance.fromSetting(settings.setting(EgressAllowance.SETTING));
    return database.read("egress windows", db -> {
      List<EgressHit> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(sql)) {
        int i = 1;
        ps.setLong(i++, from.toEpochMilli() - SHORT_WINDOW.toMillis());
        ps.setLong(i++, to.toEpochMilli());
        ps.setLong(i++, from.toEpochMilli());
        if (hostId != null) {
          ps.setString(i++, hostId);
        }
        ps.setLong(i++, to.toEpochMilli());
        ps.setLong(i++, from.toEpochMilli());
        if (hostId != null) {
          ps.setString(i, hostId);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String process = rs.getString(7);
            boolean allowed = rs.getInt(8) != 0 || allowance.allows(false, process, rs.getString(9));
            if (allowed && filter.equals(UNALLOWED)) {
              continue;
            }
            out.add(new EgressHit(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                Instant.ofEpochMilli(rs.getLong(4)), rs.getInt(5), destinationIps(rs.getString(6)),
                process.isEmpty() ? Optional.empty() : Optional.of(process), allowed, rs.getString(6)));
          }
        }
      }
      return out;
    });
  }

  /**
   * The overlap query; parameters: from - SHORT_WINDOW, to, from, [host], to, from, [host]
   * (the host parameters only with the host filter).
   *
   * @param filter " AND e.host_id = ?" (then egress_by_host serves the first half) or
   *     {@link #UNALLOWED} (egress_unallowed_by_time)
   */
  static String overlapQuery(String filter) {
    // In the long-window half the filter must not lure the planner away from
    // egress_long_windows: a unary + keeps "allowed = 0" from matching a partial index there.
    String longFilter = filter.equals(UNALLOWED) ? " AND +e.allowed = 0" : filter;
    String columns = "SELECT e.host_id, h.hostname, e.window_start_ms, e.window_end_ms, e.connections, "
        + "e.destinations, e.process_name, e.allowed, e.process_path FROM egress_windows e "
        + "JOIN hosts h ON h.host_id = e.host_id ";
    return columns + "WHERE e.window_start_ms >= ? AND e.window_start_ms <= ? AND e.window_end_ms >= ? "
        + "AND e.window_end_ms - e.window_start_ms <= " + SHORT_WINDOW.toMillis() + filter
        + " UNION ALL " + columns + "WHERE e.window_end_ms - e.window_start_ms > " + SHORT_WINDOW.toMillis()
        + " AND e.window_start_ms <= ? AND e.window_end_ms >= ?" + longFilter
        + " ORDER BY 3 LIMIT " + MAX_EGRESS_ROWS;
  }

  /**
   * The query for the distinct hosts whose windows overlapping [from, to] reached one of some
   * destinations ({@link #bindConnected}): the destination is filtered in SQL, before the limit,
   * so a flood of other hosts' windows in the same minutes cannot push a match out of the read
   * (issue 15, red-team round 8, T4: it read {@link #MAX_EGRESS_ROWS} windows and only then looked
   * at their destinations). The time range still uses the indexes of {@link #overlapQuery}
   * ({@code egress_by_time}, {@code egress_long_windows}); the destination test runs on the
   * windows of those minutes only. The stored list is "ip:port*n" entries separated by spaces (an
   * IPv6 address in brackets, as the agent spelled it; compared in lower case).
   *
   * @param destinations how many (address, port) pairs {@link #bindConnected} binds
   * @param extra a further condition on {@code e}, e.g. {@code " AND e.host_id <> ?"} (its
   *     parameters are bound after the destinations, in each half)
   * @param limit most host ids returned
   */
  static String connectedQuery(int destinations, String extra, int limit) {
    StringBuilder to = new StringBuilder(" AND (");
    for (int i = 0; i < destinations; i++) {
      to.append(i == 0 ? "" : " OR ").append("(' ' || LOWER(e.destinations) || ' ') LIKE ?")
          .append(" OR (' ' || LOWER(e.destinations) || ' ') LIKE ?");
    }
    to.append(')').append(extra);
    return "SELECT e.host_id FROM egress_windows e WHERE e.window_start_ms >= ? AND e.window_start_ms <= ?"
        + " AND e.window_end_ms >= ? AND e.window_end_ms - e.window_start_ms <= " + SHORT_WINDOW.toMillis() + to
        + " UNION SELECT e.host_id FROM egress_windows e WHERE e.window_end_ms - e.window_start_ms > "
        + SHORT_WINDOW.toMillis() + " AND e.window_start_ms <= ? AND e.window_end_ms >= ?" + to
        + " LIMIT " + limit;
  }

  /**
   * Binds {@link #connectedQuery}'s parameters: the time range and every (address, port) pair of
   * {@code ips} x {@code ports} in each half, each followed by {@code extra}'s string parameters.
   */
  static void bindConnected(PreparedStatement ps, Collection<String> ips, Collection<Integer> ports, Instant from,
      Instant to, List<String> extra) throws SQLException {
    List<String> patterns = new ArrayList<>();
    for (String ip : ips) {
      String host = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
      for (int port : ports) {
        String d = (" " + host + ":" + port).toLowerCase(java.util.Locale.ROOT);
        patterns.add("%" + d + "*%");
        patterns.add("%" + d + " %");
      }
    }
    int i = 1;
    ps.setLong(i++, from.toEpochMilli() - SHORT_WINDOW.toMillis());
    ps.setLong(i++, to.toEpochMilli());
    ps.setLong(i++, from.toEpochMilli());
    for (String p : patterns) {
      ps.setString(i++, p);
    }
    for (String x : extra) {
      ps.setString(i++, x);
    }
    ps.setLong(i++, to.toEpochMilli());
    ps.setLong(i++, from.toEpochMilli());
    for (String p : patterns) {
      ps.setString(i++, p);
    }
    for (String x : extra) {
      ps.setString(i++, x);
    }
  }

  @Override
  public Set<String> hostsConnectedTo(String ip, Set<Integer> ports, Instant from, Instant to, int limit) {
    Optional<String> canonical = Addresses.canonical(ip);
    if (canonical.isEmpty() || ports.isEmpty() || limit <= 0) {
      return Set.of();
    }
    List<Integer> sorted = ports.stream().sorted().toList();
    String sql = connectedQuery(sorted.size(), "", limit);
    return database.read("egress to an address", db -> {
      Set<String> out = new LinkedHashSet<>();
      try (PreparedStatement ps = db.prepareStatement(sql)) {
        bindConnected(ps, List.of(canonical.get()), sorted, from, to, List.of());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return Set.copyOf(out);
    });
  }

  @Override
  public boolean recordedAsMtaBefore(String ip, Instant before) {
    Optional<String> canonical = Addresses.canonical(ip);
    if (canonical.isEmpty()) {
      return false;
    }
    return database.read("recording MTA history", db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM complaint_traces WHERE origin_time_ms < ?"
          + " AND (' ' || recording_mta || ' ') LIKE ? LIMIT 1")) {
        ps.setLong(1, before.toEpochMilli());
        ps.setString(2, "% " + canonical.get() + " %");
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  /** The IPs of the stored destination list ("192.0.2.25:25*3 [2001:db8::25]:25*1"). */
  static List<String> destinationIps(String stored) {
    // A set: a window may list hundreds of destinations, and a list's contains() made this
    // quadratic per window, for every window of a triage question (up to MAX_EGRESS_ROWS).
    java.util.Set<String> ips = new java.util.LinkedHashSet<>();
    for (String d : stored.trim().split("\\s+")) {
      if (d.isEmpty()) {
        continue;
      }
      String hostPort = d.contains("*") ? d.substring(0, d.lastIndexOf('*')) : d;
      String host = hostPort.startsWith("[") ? hostPort.substring(1, Math.max(1, hostPort.indexOf(']')))
          : hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
      if (!host.isEmpty()) {
        ips.add(host);
      }
    }
    return List.copyOf(ips);
  }

  @Override
  public Map<String, Integer> harvestMatches(Collection<byte[]> digests) {
    HexFormat hex = HexFormat.of();
    List<String> all = digests.stream().map(hex::formatHex).distinct().toList();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int start = 0; start < all.size(); start += DIGEST_CHUNK) {
      List<String> chunk = all.subList(start, Math.min(all.size(), start + DIGEST_CHUNK));
      String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
      database.read("harvest digests", db -> {
        try (PreparedStatement ps = db.prepareStatement(
            "SELECT host_id, COUNT(DISTINCT digest) FROM harvest_digests WHERE key_id = ? AND digest IN ("
                + marks + ") GROUP BY host_id")) {
          ps.setString(1, keyId);
          for (int i = 0; i < chunk.size(); i++) {
            ps.setString(i + 2, chunk.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              counts.merge(rs.getString(1), rs.getInt(2), Integer::sum);
            }
          }
        }
        return counts;
      });
    }
    return counts;
  }

  @Override
  public Optional<HostState> hostOwningAddress(String emailAddress) {
    return hostsOwningAddress(emailAddress).stream().findFirst();
  }

  /**
   * The operator's mappings of the address (newest first), else the one host whose logged-in
   * users include the address's local part — but only when the address is in one of the
   * organisation's domains ({@link #organisationDomain}): {@code harold@gmail.com} says nothing
   * about the lab user {@code harold}.
   */
  @Override
  public List<HostState> hostsOwningAddress(String emailAddress) {
    return owners(emailAddress, false).ids().stream().map(this::host).flatMap(Optional::stream).toList();
  }

  @Override
  public Optional<String> ownerSource(String emailAddress) {
    Owners owners = owners(emailAddress, false);
    return owners.ids().isEmpty() ? Optional.empty() : Optional.of(owners.source());
  }

  /**
   * The mappings, else every host reporting the login (an ambiguous login included: each such
   * host's own mailbox may hold the address), for the address book's receipt-side discounts.
   */
  @Override
  public List<String> receivingHostIds(String emailAddress) {
    return owners(emailAddress, true).ids();
  }

  /** Host ids of an address's owner and how they were found ({@link TriageEvidence#OWNER_ADMIN}, …). */
  private record Owners(List<String> ids, String source) {}

  /**
   * The operator's mappings of the address (newest first), else the hosts whose logged-in users
   * include its local part in one of the organisation's domains: only when exactly one host
   * reports it, unless {@code everyLogin}.
   */
  private Owners owners(String emailAddress, boolean everyLogin) {
    String email = emailAddress.trim().toLowerCase(Locale.ROOT);
    List<String> owners = database.read("address owners", db -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT host_id FROM address_owners WHERE email = ? ORDER BY updated_ms DESC LIMIT " + Triage.MAX_OWNERS)) {
        ps.setString(1, email);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      return ids;
    });
    if (!owners.isEmpty()) {
      return new Owners(owners, OWNER_ADMIN);
    }
    int at = email.indexOf('@');
    if (at <= 0 || !organisationDomain(email.substring(at + 1))) {
      return new Owners(List.of(), OWNER_LOGINS);
    }
    List<String> matches = hosts.hostsWithLoggedInUser(email.substring(0, at));
    return new Owners(matches.size() == 1 || everyLogin ? matches : List.of(), OWNER_LOGINS);
  }

  /** Most owner mappings whose domains are read to learn the organisation's mail domains. */
  static final int MAX_OWNER_DOMAINS = 1000;

  /**
   * Whether an address's domain is the organisation's, judged from what administrators entered:
   * the domains of the address-owner mappings ({@code owner} command; the domain or a subdomain of
   * it) and the names of the hosts with the mail-server role (the domain is a parent of such a
   * name, or its parent or a subdomain of that: {@code example.edu}, {@code campus.example.edu}
   * and {@code staff.campus.example.edu} for {@code mx1.campus.example.edu}, not the sibling
   * {@code lab.example.edu}). A public suffix ({@code ac.uk}, {@code edu.au}, {@code co.jp}; the
   * Public Suffix List, {@link io.labscan.controller.triage.PublicSuffix}) is never the
   * organisation's domain, nor a parent that stands for it. Agents' own names are not used: an agent could report any
   * name. With nothing to judge by (no mappings, no mail server), every domain passes, as before
   * this rule: the login match is then the only hint there is, and the answer marks it as such.
   */
  boolean organisationDomain(String domain) {
    String d = mailServerName(domain);
    if (d.indexOf('.') <= 0 || io.labscan.controller.triage.PublicSuffix.is(d)) {
      return false; // ac.uk, edu.au, co.jp: shared by unrelated organisations
    }
    List<String> ownerDomains = database.read("address owner domains", db -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT DISTINCT email FROM address_owners LIMIT "
          + MAX_OWNER_DOMAINS)) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String e = rs.getString(1);
            int at = e.lastIndexOf('@');
            if (at > 0 && at < e.length() - 1) {
              out.add(mailServerName(e.substring(at + 1)));
            }
          }
        }
      }
      return out;
    });
    List<String> serverNames = mailServers().stream().flatMap(m -> m.names().stream()).toList();
    if (ownerDomains.isEmpty() && serverNames.isEmpty()) {
      return true;
    }
    for (String o : ownerDomains) {
      if (d.equals(o) || d.endsWith("." + o)) {
        return true;
      }
    }
    for (String name : serverNames) {
      String parent = name.substring(name.indexOf('.') + 1);
      boolean parentIsOrganisations = parent.indexOf('.') > 0 && !io.labscan.controller.triage.PublicSuffix.is(parent);
      if ((d.equals(name) && io.labscan.controller.triage.MailServerHost.distinctiveName(name)) || name.endsWith("." + d)
          || (parentIsOrganisations && (d.equals(parent) || d.endsWith("." + parent)))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Optional<HostState> host(String hostId) {
    Optional<HostSummary> h = hosts.host(hostId);
    if (h.isEmpty()) {
      return Optional.empty();
    }
    Optional<VerdictRecord> verdict = verdicts.verdict(hostId);
    List<String> details = verdict.map(v -> v.reasons().stream().limit(3).map(Reason::text).toList())
        .orElse(List.of());
    return Optional.of(new HostState(hostId, h.get().hostname(), h.get().lastReport(),
        verdict.map(v -> v.verdict().name()).orElse("UNKNOWN"), details));
  }

  /** Most mail servers the trust walk considers (a site has a handful). */
  static final int MAX_MAIL_SERVERS = 1000;

  /**
   * Hosts with the mail-server role, with the fully qualified names their inventory reported
   * (host name when it has a dot, and FQDN; lower case, without a trailing dot) that can identify
   * it: distinctive names only ({@link MailServerHost#distinctiveName}: no {@code
   * localhost.localdomain}, no {@code .local}).
   *
   * <p>What other hosts call themselves does not matter. Names are matched only with reverse DNS
   * names a trusted MTA recorded (never a HELO), and only an administrator grants the role, so a
   * lab PC that names itself like the MX gains nothing; it must not be able to take the MX's name
   * away either (that used to blind learned trust for every complaint: any agent could report
   * the MX's name and make it unusable). Two mail-server hosts with one name are both trusted, so
   * the name stays usable for either.
   */
  @Override
  public List<MailServerHost> mailServers() {
    return database.read("mail servers", db -> {
      List<MailServerHost> servers = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT h.host_id, h.hostname, h.fqdn FROM host_roles r JOIN hosts h ON h.host_id = r.host_id "
              + "WHERE r.role = 'mail-server' ORDER BY h.host_id LIMIT " + MAX_MAIL_SERVERS)) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            List<String> names = new ArrayList<>();
            for (String n : new String[] {rs.getString(2), rs.getString(3)}) {
              String name = mailServerName(n);
              if (MailServerHost.distinctiveName(name) && !names.contains(name)) {
                names.add(name);
              }
            }
            servers.add(new MailServerHost(rs.getString(1), rs.getString(2), names));
          }
        }
      }
      return servers;
    });
  }

  /** A reported name as learned trust compares it: trimmed, lower case, no trailing dot. */
  static String mailServerName(String reported) {
    String n = reported == null ? "" : reported.trim().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** Most hosts whose names are compared for duplicates (far above any lab fleet). */
  static final int MAX_NAMED_HOSTS = 200_000;

  /**
   * One pass over the hosts' names: the keys ({@link HostnameKey}, NFKC, format characters
   * removed, case folded) more than one host has, counting with each host's current name every
   * name it gave up within {@link io.labscan.controller.text.NameHistory#SHARED_FOR} ({@link
   * HostNames#namesHeldSince}): a host that takes a name another host held last week makes that
   * name shared (red-team R9). The key cannot be computed in SQL, so the names are read once per
   * answer, O(hosts + recent renames).
   */
  @Override
  public java.util.Set<String> sharedHostnameKeys() {
    java.time.Instant since = clock.instant().minus(io.labscan.controller.text.NameHistory.SHARED_FOR);
    return database.read("hostnames", db -> HostnameKey.shared(HostNames.namesHeldSince(db, since, MAX_NAMED_HOSTS)));
  }

  @Override
  public io.labscan.controller.text.NameHistory nameHistory(String hostId) {
    return HostNames.history(database, hostId);
  }

  /** The Settings page's trusted MTAs. */
  @Override
  public List<String> configuredTrust() {
    return TrustedMtas.list(database).stream().map(TrustedMtas.Entry::entry).toList();
  }
}
