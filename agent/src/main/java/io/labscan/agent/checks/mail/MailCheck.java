package io.labscan.agent.checks.mail;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.EvidenceSink;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for worm-carrying messages in the mail stores of every user profile and mail spool
 * under the scanned root: the MS01-020 iframe trick, executable and double-extension
 * attachments, and known Klez subjects on messages with executable attachments. A machine
 * that never runs the worm (a Mac) can still hold it in its mailbox and forward it; this is
 * what finds it there. Full scans only: it reads every mailbox.
 */
public final class MailCheck implements Check {
  private static final Logger log = LoggerFactory.getLogger(MailCheck.class);
  /** Findings reported per scan at most; the rest are counted as skipped. */
  public static final int MAX_FINDINGS = 1_000;
  static final String FINDINGS_CAP_REASON = "mail-findings-cap";

  private final MailRules rules = new MailRules();

  @Override
  public String name() {
    return "mail";
  }

  /** Every mailbox of every profile, each message parsed once. */
  @Override
  public Duration budget() {
    return Duration.ofHours(1);
  }

  @Override
  public boolean appliesTo(ScanPlan plan) {
    return plan.isFull();
  }

  @Override
  public void run(ScanContext context, EvidenceSink sink)
      throws IOException, InterruptedException {
    MailLimits limits = MailLimits.fromPolicy(context.policy());
    ScanCounters counters = ScanCounters.of(sink);
    MailStoreReader reader = new MailStoreReader(limits, counters);
    Inspector inspector = new Inspector(new MessageStructureReader(limits), sink, counters);
    new ProfileWalker(limits.maxWalkDepth()).walk(context.root(), file -> {
      Optional<MailStore> store = file.mailStore();
      if (store.isPresent()) {
        reader.read(store.get(), inspector::inspect);
      }
    }, counters);
  }

  /** Applies the rules to each message and reports what they find. */
  private final class Inspector {
    private final MessageStructureReader structures;
    private final EvidenceSink sink;
    private final ScanCounters counters;
    private int reported;

    Inspector(MessageStructureReader structures, EvidenceSink sink, ScanCounters counters) {
      this.structures = structures;
      this.sink = sink;
      this.counters = counters;
    }

    void inspect(StoredMessage message) {
      MessageStructure structure;
      try {
        structure = structures.read(message.mime());
      } catch (RuntimeException e) {
        // Hostile input may break the MIME library in ways it does not declare.
        log.debug("Cannot read message {} of {}: {}", message.index(),
            message.store().relativePath(), e.toString());
        counters.skipped(SkipReasons.MALFORMED_MESSAGE, 1);
        return;
      }
      if (structure.truncated()) {
        counters.skipped(SkipReasons.MIME_TRUNCATED, 1);
      }
      List<MailHit> hits = rules.evaluate(structure);
      if (hits.isEmpty()) {
        return;
      }
      Optional<String> sha256 = Sha256.of(message.evidence());
      for (MailHit hit : hits) {
        if (reported >= MAX_FINDINGS) {
          counters.skipped(FINDINGS_CAP_REASON, 1);
          continue;
        }
        reported++;
        sink.finding(MailFindings.of(message, structure, hit, sha256));
      }
    }
  }
}
