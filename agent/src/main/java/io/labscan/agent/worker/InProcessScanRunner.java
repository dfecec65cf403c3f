package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.standard.StandardChecks;
import io.labscan.agent.checks.artifacts.ActiveRuleSet;
import io.labscan.agent.checks.artifacts.ArtifactCheck;
import io.labscan.agent.checks.artifacts.ScanProgress;
import io.labscan.agent.checks.artifacts.journal.ChangeJournal;
import io.labscan.agent.checks.artifacts.journal.NoChangeJournal;
import io.labscan.agent.platform.services.PlatformServices;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans in this JVM with the standard checks. Also the body of the worker process
 * ({@link ScanWorker}), so both paths produce the same report for the same inputs.
 */
public final class InProcessScanRunner implements ScanRunner {
  private static final Logger log = LoggerFactory.getLogger(InProcessScanRunner.class);

  private final Path scanRoot;
  private final Path stateDir;
  private final Clock clock;
  private final ActiveRuleSet rules;
  private final Scanner scanner;
  private volatile boolean closed;

  public InProcessScanRunner(String hostId, String lab, Path scanRoot, Path stateDir, Clock clock) {
    this(hostId, lab, scanRoot, stateDir, clock, ActiveRuleSet.builtIn(), ScanProgress.none());
  }

  InProcessScanRunner(String hostId, String lab, Path scanRoot, Path stateDir, Clock clock,
      ActiveRuleSet rules, ScanProgress progress) {
    this(hostId, lab, scanRoot, stateDir, clock, rules, progress, new NoChangeJournal("scan without a journal"));
  }

  /** @param journal what the artifact check consults to skip unchanged folders (the worker's handed-over one) */
  InProcessScanRunner(String hostId, String lab, Path scanRoot, Path stateDir, Clock clock,
      ActiveRuleSet rules, ScanProgress progress, ChangeJournal journal) {
    requireNonNull(hostId, "hostId");
    requireNonNull(lab, "lab");
    this.scanRoot = requireNonNull(scanRoot, "scanRoot");
    this.stateDir = requireNonNull(stateDir, "stateDir");
    this.clock = requireNonNull(clock, "clock");
    this.rules = requireNonNull(rules, "rules");
    // The caller numbers the report when it spools it.
    requireNonNull(journal, "journal");
    List<Check> checks = StandardChecks.create(hostId, lab, requireNonNull(progress, "progress"), rules,
        PlatformServices.current().scanSources()).stream()
        .map(c -> c instanceof ArtifactCheck artifacts ? artifacts.withJournal(journal) : c)
        .toList();
    this.scanner = new Scanner(checks, () -> 0L);
  }

  @Override
  public Report run(ScanPlan plan, Policy policy) {
    requireNonNull(plan, "plan");
    requireNonNull(policy, "policy");
    if (closed) {
      throw new ScanFailedException("The agent is stopping: scan " + plan.trigger() + " not started.");
    }
    // The policy may carry a pushed artifact rule set; a refused one leaves the previous in force.
    rules.apply(policy).ifPresent(problem ->
        log.error("Policy version {}: {}", policy.getVersion(), problem));
    return scanner.scan(new ScanContext(scanRoot, StandardChecks.isLiveRoot(scanRoot), policy, stateDir, clock, plan));
  }

  @Override
  public void close() {
    closed = true;
  }
}
