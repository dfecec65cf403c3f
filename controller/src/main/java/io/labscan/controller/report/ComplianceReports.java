package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.account.Principal;
import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.HostStatus;
import io.labscan.controller.report.ComplianceReport.Day;
import io.labscan.controller.report.ComplianceReport.Infection;
import io.labscan.controller.report.ComplianceReport.LabSeries;
import io.labscan.controller.report.ComplianceReport.MissedScans;
import io.labscan.controller.report.ComplianceReport.NonCompliantHost;
import io.labscan.controller.report.ComplianceReport.Rows;
import io.labscan.controller.report.ComplianceReport.StaleAntivirus;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.Reason;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link ComplianceReport}s: the dashboard's compliance (the same {@link
 * io.labscan.controller.fleet.Compliance} rules and words) over a date range, for one lab or
 * every lab a reader may see.
 *
 * <p><b>Scope.</b> The reader's labs bound everything before anything is counted: a lab manager
 * asking for another lab's report gets {@link UnknownLab}, exactly as for a lab that does not
 * exist, so the answer does not even confirm the name. Hosts belong to the lab the lab rules
 * give them now (as on the Hosts page); the daily share uses the lab each snapshot recorded.
 *
 * <p><b>Bounded work.</b> The range is at most {@link DateRange#MAX_DAYS} days; every list stops
 * at {@link #MAX_ROWS} rows (the total is kept, and the report says it was cut), the per-lab
 * series at {@link #MAX_LABS} labs. The infection episodes, the one list that grows with the
 * history rather than the fleet, are cut while they are read: at most {@code MAX_ROWS} are held.
 */
public final class ComplianceReports {
  /** Rows per list at most. */
  public static final int MAX_ROWS = 5000;
  /** Labs with a series of their own at most (the totals still count every lab). */
  public static final int MAX_LABS = 200;
  private static final int MAX_REASONS_TEXT = 500;

  /** The lab is unknown, or outside the reader's labs (the same answer for both). */
  public static final class UnknownLab extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownLab(String lab) {
      super("no lab named '" + shown(lab) + "' (the labs are listed by GET /api/v1/labs)", null, false, false);
    }
  }

  private final Fleet fleet;
  private final ReportRepository repository;

  public ComplianceReports(Fleet fleet) {
    this.fleet = requireNonNull(fleet, "fleet");
    this.repository = new ReportRepository(fleet.store());
  }

  /** The current UTC day on the fleet's clock. */
  public LocalDate today() {
    return LocalDate.ofInstant(fleet.now(), ZoneOffset.UTC);
  }

  /**
   * The report of {@code lab} (empty: every lab {@code reader} sees) over {@code range}.
   *
   * @throws UnknownLab when {@code lab} is not a lab the reader may see
   */
  public ComplianceReport build(Principal reader, Optional<String> lab, DateRange range) {
    requireNonNull(reader, "reader");
    requireNonNull(lab, "lab");
    requireNonNull(range, "range");
    Instant now = fleet.now();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    java.util.function.Predicate<String> inScope = l -> reader.sees(l) && lab.map(l::equals).orElse(true);

    List<HostStatus> hosts = fleet.hosts().stream().filter(h -> inScope.test(h.lab().lab()))
        .sorted(Comparator.comparing((HostStatus h) -> h.lab().lab()).thenComparing(h -> h.summary().hostname())
            .thenComparing(h -> h.summary().hostId()))
        .toList();
    Map<String, Map<LocalDate, int[]>> snapshots = new TreeMap<>(repository.snapshots(range));
    snapshots.keySet().removeIf(l -> !inScope.test(l));

    Set<String> labs = new TreeSet<>(snapshots.keySet());
    hosts.forEach(h -> labs.add(h.lab().lab()));
    if (lab.isPresent() && !labs.contains(lab.get())) {
      throw new UnknownLab(lab.get());
    }

    boolean todayInRange = !today.isBefore(range.from()) && today.isBefore(range.to());
    Map<String, int[]> live = ComplianceHistory.liveCounts(hosts);
    List<LabSeries> perLab = new ArrayList<>();
    List<Day> totals = new ArrayList<>();
    Map<LocalDate, int[]> sums = new TreeMap<>();
    Map<LocalDate, String> sources = new TreeMap<>();
    for (String l : labs) {
      List<Day> days = new ArrayList<>();
      Map<LocalDate, int[]> snaps = snapshots.getOrDefault(l, Map.of());
      for (LocalDate d = range.from(); d.isBefore(range.to()); d = d.plusDays(1)) {
        Day day;
        if (todayInRange && d.equals(today)) {
          int[] c = live.getOrDefault(l, new int[2]);
          day = new Day(d, c[0], c[1], "live");
        } else if (snaps.containsKey(d)) {
          int[] c = snaps.get(d);
          day = new Day(d, c[0], c[1], "snapshot");
        } else {
          day = new Day(d, 0, 0, "none");
        }
        days.add(day);
        if (day.hasData()) {
          int[] sum = sums.computeIfAbsent(d, k -> new int[2]);
          sum[0] += day.hosts();
          sum[1] += day.compliant();
          sources.merge(d, day.source(), (a, b) -> a.equals("live") || b.equals("live") ? "live" : "snapshot");
        }
      }
      if (perLab.size() < MAX_LABS) {
        perLab.add(new LabSeries(l, days));
      }
    }
    for (LocalDate d = range.from(); d.isBefore(range.to()); d = d.plusDays(1)) {
      int[] sum = sums.get(d);
      totals.add(sum == null ? new Day(d, 0, 0, "none") : new Day(d, sum[0], sum[1], sources.getOrDefault(d, "snapshot")));
    }

    List<NonCompliantHost> out = hosts.stream().filter(h -> !h.compliance().compliant())
        .map(h -> new NonCompliantHost(h.summary().hostId(), h.summary().hostname(), h.lab().lab(), h.verdictName(),
            h.compliance().shortfalls()))
        .toList();
    List<StaleAntivirus> stale = hosts.stream().filter(h -> !h.compliance().definitionsFresh())
        .map(h -> new StaleAntivirus(h.summary().hostId(), h.summary().hostname(), h.lab().lab(),
            h.antivirusState(), products(h.antivirus())))
        .toList();

    return new ComplianceReport(now, lab, range, List.copyOf(labs), totals, perLab, Rows.of(out, MAX_ROWS),
        Rows.of(stale, MAX_ROWS), Rows.of(missedScans(hosts, range, today), MAX_ROWS),
        infections(hosts, range), hosts.size(),
        (int) hosts.stream().filter(h -> h.compliance().compliant()).count());
  }

  /** A report with no data for {@code lab}: it had no hosts and no snapshots in the range. */
  public ComplianceReport emptyReport(Optional<String> lab, DateRange range) {
    List<Day> days = new ArrayList<>();
    for (LocalDate d = range.from(); d.isBefore(range.to()); d = d.plusDays(1)) {
      days.add(new Day(d, 0, 0, "none"));
    }
    return new ComplianceReport(fleet.now(), lab, range, lab.map(List::of).orElse(List.of()), days, List.of(),
        Rows.of(List.of(), MAX_ROWS), Rows.of(List.of(), MAX_ROWS), Rows.of(List.of(), MAX_ROWS),
        Rows.of(List.of(), MAX_ROWS), 0, 0);
  }

  private static String products(List<HostEvidence.Av> av) {
    if (av.isEmpty()) {
      return "no antivirus reported";
    }
    return av.stream().map(a -> (a.product().isBlank() ? a.provider() : a.product()) + " " + a.state()
        + (a.reason().isBlank() ? "" : " (" + a.reason() + ")")).collect(Collectors.joining("; "));
  }

  /**
   * Hosts with days of the range (from their first report, up to yesterday: today is not over)
   * without a complete full scan, or whose last one is too old now.
   */
  private List<MissedScans> missedScans(List<HostStatus> hosts, DateRange range, LocalDate today) {
    Map<String, Set<Long>> scanned = repository.fullScanDays(range);
    LocalDate end = range.to().isAfter(today) ? today : range.to();
    List<MissedScans> out = new ArrayList<>();
    for (HostStatus h : hosts) {
      LocalDate first = LocalDate.ofInstant(h.summary().firstSeen(), ZoneOffset.UTC);
      LocalDate start = first.isAfter(range.from()) ? first : range.from();
      Set<Long> days = scanned.getOrDefault(h.summary().hostId(), Set.of());
      int expected = 0;
      int missed = 0;
      for (LocalDate d = start; d.isBefore(end); d = d.plusDays(1)) {
        expected++;
        if (!days.contains(d.toEpochDay())) {
          missed++;
        }
      }
      boolean overdue = !h.compliance().fullScanRecent();
      if (missed > 0 || overdue) {
        out.add(new MissedScans(h.summary().hostId(), h.summary().hostname(), h.lab().lab(), missed, expected,
            h.summary().lastFullScan(), overdue));
      }
    }
    out.sort(Comparator.comparingInt(MissedScans::daysWithoutFullScan).reversed()
        .thenComparing(MissedScans::lab).thenComparing(MissedScans::hostname));
    return out;
  }

  /**
   * Infection episodes (INFECTED until CLEAN) that overlap the range, from the verdict history:
   * only the range and the state just before it are read ({@link ReportRepository#infections}).
   */
  private Rows<Infection> infections(List<HostStatus> hosts, DateRange range) {
    Map<String, HostStatus> byId = new java.util.HashMap<>();
    hosts.forEach(h -> byId.put(h.summary().hostId(), h));
    Comparator<ReportRepository.Episode> order = Comparator.comparing(ReportRepository.Episode::found)
        .thenComparing(e -> requireNonNull(byId.get(e.hostId()), "host").summary().hostname())
        .thenComparing(ReportRepository.Episode::hostId);
    // At most MAX_ROWS episodes are held, however many the range has (the total is counted).
    ReportRepository.Episodes episodes = repository.infections(byId.keySet(), range, MAX_ROWS, order);
    List<Infection> out = new ArrayList<>();
    for (ReportRepository.Episode e : episodes.first()) {
      HostStatus h = requireNonNull(byId.get(e.hostId()), "host");
      out.add(new Infection(e.hostId(), h.summary().hostname(), h.lab().lab(), e.found(), e.cleared(),
          reasons(e.reasonsJson())));
    }
    return new Rows<>(out, episodes.total());
  }

  /** The reasons' texts from their stored JSON ({@code [{"code","text","evidence"}]}), cut to a bounded length. */
  private static String reasons(String json) {
    String text;
    try {
      List<Reason> reasons = REASONS.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<List<Reason>>() {});
      text = reasons.stream().map(Reason::text).collect(Collectors.joining("; "));
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      text = "stored reasons unreadable";
    }
    return text.length() > MAX_REASONS_TEXT ? text.substring(0, MAX_REASONS_TEXT) + "…" : text;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper REASONS =
      new com.fasterxml.jackson.databind.ObjectMapper();

  static String shown(String text) {
    String cut = text.length() > 64 ? text.substring(0, 64) + "…" : text;
    return cut.replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
  }
}
