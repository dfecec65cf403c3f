package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The facts the verdicts, the compliance figures, triage and the web UI must agree on, each
 * defined once here, and the words operators read for verdicts: each verdict's name and what it
 * means in a lab manager's terms. The web UI reads them from {@code GET /api/v1/meta} (docs/api.md) instead
 * of spelling them out in HTML and JavaScript, so a wording change or a new state is one edit
 * here. The rules themselves are in {@link VerdictRules}; docs/verdicts.md explains them in full.
 */
public final class Vocabulary {
  /** A host without a completed full scan this recent is UNKNOWN, and not compliant. */
  public static final Duration FULL_SCAN_WITHIN = Duration.ofHours(26);
  /** A host whose agent was silent longer is UNKNOWN, and not compliant. */
  public static final Duration SEEN_WITHIN = Duration.ofHours(1);
  /**
   * A traced complaint counts against a host, and triage records it as evidence, from this
   * confidence on.
   */
  public static final double COMPLAINT_THRESHOLD = 0.5;

  /** What the dashboard and the API show for a host whose first verdict was not computed yet. */
  public static final String PENDING = "PENDING";

  /** One term: the name the API and the badges use, and its meaning in one sentence. */
  public record Term(String name, String meaning) {
    public Term {
      requireNonNull(name, "name");
      requireNonNull(meaning, "meaning");
    }
  }

  private Vocabulary() {}

  /** What a verdict means, in one sentence for the legend. */
  public static String meaning(Verdict verdict) {
    return switch (requireNonNull(verdict, "verdict")) {
      case INFECTED -> "Evidence that the worm ran here: its files or registry entries, or forbidden SMTP egress"
          + " together with a complaint traced to this host.";
      case SUSPECTED -> "Forbidden SMTP egress, a complaint traced to this host, or weak signs of the worm.";
      case UNKNOWN -> "No recent full scan, or the agent fell silent: the host's state is not known.";
      case AT_RISK -> "No infection evidence, but worm mail received (or its attachment saved), or antivirus missing,"
          + " stale or disabled.";
      case CLEAN -> "None of the above.";
    };
  }

  /** Every verdict, most serious first, with its meaning. */
  public static List<Term> verdicts() {
    List<Term> out = new ArrayList<>();
    for (Verdict v : Verdict.values()) {
      out.add(new Term(v.name(), meaning(v)));
    }
    return List.copyOf(out);
  }

  /** The state shown before a host's first verdict. */
  public static Term pending() {
    return new Term(PENDING, "No verdict computed yet for this host.");
  }
}
