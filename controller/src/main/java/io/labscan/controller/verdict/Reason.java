package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

/**
 * One reason behind a verdict, in plain words, with a pointer to the evidence.
 *
 * @param code stable machine-readable code, e.g. {@code artifact}, {@code smtp-egress}
 * @param text the reason in plain words (contains endpoint-reported text: escape on output)
 * @param evidence where the evidence is, e.g. {@code report 6a94b266-…}
 */
public record Reason(String code, String text, String evidence) {
  public Reason {
    requireNonNull(code, "code");
    requireNonNull(text, "text");
    requireNonNull(evidence, "evidence");
  }
}
