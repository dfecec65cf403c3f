package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** What the verdict service needs from the store. */
public interface VerdictRepository {

  /** Every host id the store knows. */
  List<String> hostIds();

  /** The evidence about a host, looking back from {@code now} as the policy says. */
  Optional<HostEvidence> evidence(String hostId, Instant now, VerdictPolicy policy);

  /**
   * Evidence for a sweep over many hosts at {@code now}: an implementation may first read
   * once what is shared (e.g. which hosts have any evidence of a kind at all) and then skip
   * per-host questions whose answer is known to be empty, and may read a batch of hosts at
   * once. The default asks {@link #evidence} host by host.
   */
  default Sweep sweep(Instant now, VerdictPolicy policy) {
    return hostId -> evidence(hostId, now, policy);
  }

  /** Reads the evidence of a sweep: of one host ({@link #apply}), or of a batch of hosts. */
  @FunctionalInterface
  interface Sweep extends Function<String, Optional<HostEvidence>> {
    /**
     * The evidence of each of {@code hostIds} that the store knows, by host id, each as
     * {@link #apply} gives it; hosts it does not know are absent. The default asks {@link
     * #apply} host by host.
     */
    default Map<String, HostEvidence> evidenceOf(List<String> hostIds) {
      Map<String, HostEvidence> found = new HashMap<>();
      for (String hostId : hostIds) {
        apply(hostId).ifPresent(e -> found.put(hostId, e));
      }
      return found;
    }
  }

  /**
   * Saves a host's assessment; when the verdict changed, also appends it to the history.
   *
   * @return true when the verdict changed
   */
  boolean saveAssessment(String hostId, Assessment assessment, Instant at);

  /**
   * {@link #saveAssessment} without waiting for the commit, so that a sweep over every host
   * can share transactions; completes with true when the verdict changed.
   */
  default CompletableFuture<Boolean> saveAssessmentLater(String hostId, Assessment assessment, Instant at) {
    return CompletableFuture.completedFuture(saveAssessment(hostId, assessment, at));
  }

  /**
   * Saves the assessments of many hosts at {@code at} (a sweep's batch), as {@link
   * #saveAssessment} would one by one, without waiting for the commit. An implementation may
   * read the current verdicts and write the changes set-wise in one transaction; a save that
   * fails must fail alone, not its batch.
   *
   * @return one future per save, in the order given: true when that host's verdict changed
   */
  default List<CompletableFuture<Boolean>> saveAssessmentsLater(List<Assessed> saves, Instant at) {
    return saves.stream().map(s -> saveAssessmentLater(s.hostId(), s.assessment(), at)).toList();
  }

  /** A host's freshly computed assessment, to be saved. */
  record Assessed(String hostId, Assessment assessment) {
    public Assessed {
      requireNonNull(hostId, "hostId");
      requireNonNull(assessment, "assessment");
    }
  }

  /** The host's current verdict, if one was computed. */
  Optional<VerdictRecord> verdict(String hostId);

  /** Every host's current verdict. */
  List<VerdictRecord> verdicts();

  /** The host's verdict history, oldest first. */
  List<VerdictRecord> history(String hostId);

  /** A stored verdict: since when it holds and why. */
  record VerdictRecord(String hostId, Verdict verdict, Instant since, List<Reason> reasons) {
    public VerdictRecord {
      reasons = List.copyOf(reasons);
    }
  }
}
