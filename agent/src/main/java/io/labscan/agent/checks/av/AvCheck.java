package io.labscan.agent.checks.av;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.EvidenceSink;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.ScanKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Antivirus definition freshness: one {@code AvStatus} per recognised product, or exactly one
 * MISSING status when no provider recognised any (a finding, not a failure of the check).
 *
 * <p>A provider that breaks unexpectedly does not sink the others: its failure is logged and
 * named in the MISSING reason, should nothing else be found.
 */
public final class AvCheck implements Check {
  public static final String NAME = "av";
  static final String NO_PROVIDER = "none";

  private static final Logger log = LoggerFactory.getLogger(AvCheck.class);

  private final AvProviders providers;

  /** @param providers the providers to consult, per scan (the platform seam's {@code AvProviderFactory}) */
  public AvCheck(AvProviders providers) {
    this.providers = requireNonNull(providers, "providers");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Reads a few definition files and asks the platform (WMI, registry). */
  @Override
  public Duration budget() {
    return Duration.ofMinutes(10);
  }

  /** Cheap, so it runs in full and quick scans; egress-only reports leave it out. */
  @Override
  public boolean appliesTo(ScanPlan plan) {
    return plan.kind() != ScanKind.SCAN_KIND_EGRESS;
  }

  @Override
  public void run(ScanContext context, EvidenceSink sink) {
    requireNonNull(sink, "sink");
    collect(context).forEach(sink::av);
  }

  /** The statuses for one scan, in provider order. */
  public List<AvStatus> collect(ScanContext context) {
    requireNonNull(context, "context");
    AvContext base = AvContext.of(context);
    List<AvProvider> consulted = providers.providersFor(context);
    List<AvStatus> statuses = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (AvProvider provider : consulted) {
      try {
        AvDetection detection = provider.detect(base.withEarlier(statuses));
        statuses.addAll(detection.statuses());
        problems.addAll(detection.problems());
      } catch (RuntimeException | LinkageError e) {
        log.warn("Antivirus provider {} failed", provider.name(), e);
        problems.add(provider.name() + " failed: " + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : " " + AvText.clean(e.getMessage(), 160)));
      }
    }
    if (statuses.isEmpty()) {
      statuses.add(missing(consulted, problems));
    }
    return List.copyOf(statuses);
  }

  private static AvStatus missing(List<AvProvider> consulted, List<String> problems) {
    List<String> names = consulted.stream().map(AvProvider::name).toList();
    String reason = "no antivirus product recognised (looked for: " + String.join(", ", names)
        + ")" + (problems.isEmpty() ? "" : "; could not check: " + String.join("; ", problems));
    return AvStatus.newBuilder()
        .setProvider(NO_PROVIDER)
        .setState(AvState.AV_STATE_MISSING)
        .setReason(reason)
        .setSource(String.join(", ", names))
        .build();
  }
}
