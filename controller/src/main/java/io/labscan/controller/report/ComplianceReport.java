package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A compliance report for one lab or all labs the reader may see, over a {@link DateRange}.
 *
 * <p>Two kinds of content, on purpose: what happened <em>in the range</em> (the daily
 * compliance share from the snapshots, days without a full scan, infections found and
 * cleared, from the verdict history) and the hosts' state <em>when the report was made</em>
 * (out of compliance and why, stale antivirus): LabScan keeps per-host evidence, not per-host
 * compliance per day, so "why" is only known for now. A scheduled report is made right after
 * its period ends, where both agree.
 *
 * <p>Every host-reported text (host names, antivirus products, reasons) is hostile: renderers
 * escape it ({@link ReportCsv}, the page's scripts).
 *
 * @param lab the lab, or empty for every lab the reader may see
 * @param labs the labs covered
 * @param days the compliance share per day, oldest first, every day of the range
 * @param perLab each lab's daily points (at most {@link ComplianceReports#MAX_LABS} labs)
 */
public record ComplianceReport(Instant generatedAt, Optional<String> lab, DateRange range, List<String> labs,
    List<Day> days, List<LabSeries> perLab, Rows<NonCompliantHost> outOfCompliance, Rows<StaleAntivirus> staleAntivirus,
    Rows<MissedScans> missedScans, Rows<Infection> infections, int hosts, int compliantNow) {

  public ComplianceReport {
    requireNonNull(generatedAt, "generatedAt");
    requireNonNull(lab, "lab");
    requireNonNull(range, "range");
    labs = List.copyOf(labs);
    days = List.copyOf(days);
    perLab = List.copyOf(perLab);
    requireNonNull(outOfCompliance, "outOfCompliance");
    requireNonNull(staleAntivirus, "staleAntivirus");
    requireNonNull(missedScans, "missedScans");
    requireNonNull(infections, "infections");
  }

  /** The lab's name, or "all labs". */
  public String scopeName() {
    return lab.orElse("all labs");
  }

  /** Share of days' compliance averaged over the days that have data; empty when none has. */
  public OptionalDouble averagePercent() {
    return days.stream().filter(d -> d.hosts() > 0).mapToDouble(Day::percent).average();
  }

  /**
   * A list cut at the row limit.
   *
   * @param total how many rows there were before the cut
   */
  public record Rows<T>(List<T> rows, int total) {
    public Rows {
      rows = List.copyOf(rows);
    }

    public boolean truncated() {
      return total > rows.size();
    }

    static <T> Rows<T> of(List<T> all, int limit) {
      return new Rows<>(all.size() > limit ? all.subList(0, limit) : all, all.size());
    }
  }

  /**
   * Compliance on one day: the last snapshot of that UTC day (or, for today, the live state).
   *
   * @param source {@code snapshot}, {@code live}, or {@code none} (no snapshot was taken that day:
   *     the controller was not running, or the day is before the first snapshot)
   */
  public record Day(LocalDate day, int hosts, int compliant, String source) {
    public double percent() {
      return hosts == 0 ? 0 : Math.round(1000.0 * compliant / hosts) / 10.0;
    }

    public boolean hasData() {
      return !"none".equals(source);
    }
  }

  /** One lab's daily points. */
  public record LabSeries(String lab, List<Day> days) {
    public LabSeries {
      days = List.copyOf(days);
    }
  }

  /** A host not compliant when the report was made, with the dashboard's words for why. */
  public record NonCompliantHost(String hostId, String hostname, String lab, String verdict, List<String> reasons) {
    public NonCompliantHost {
      reasons = List.copyOf(reasons);
    }
  }

  /** A host whose antivirus definitions were not FRESH when the report was made. */
  public record StaleAntivirus(String hostId, String hostname, String lab, String state, String products) {}

  /**
   * A host that went without a complete full scan: days of the range (up to yesterday, from
   * its first report on) with none finished, and whether its last one is too old now.
   */
  public record MissedScans(String hostId, String hostname, String lab, int daysWithoutFullScan, int daysExpected,
      Optional<Instant> lastFullScan, boolean overdueNow) {}

  /**
   * One infection: the host's verdict became INFECTED at {@code found} and CLEAN again at
   * {@code cleared} (other verdicts between keep it open). Listed when found or cleared in the
   * range, or open across it.
   */
  public record Infection(String hostId, String hostname, String lab, Instant found, Optional<Instant> cleared,
      String reasons) {}
}
