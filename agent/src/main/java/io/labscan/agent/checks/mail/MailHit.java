package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One rule match in one message.
 *
 * @param ruleId the rule's id, e.g. {@code mail.ms01-020}
 * @param scope whether the verdict is about one part (only the most specific part verdict is
 *     kept per part) or about the whole message
 * @param part the part the finding names
 * @param detail what matched, in plain words
 */
record MailHit(String ruleId, Scope scope, Optional<MimePartInfo> part, String detail) {
  enum Scope { PART, MESSAGE }

  MailHit {
    requireNonNull(ruleId, "ruleId");
    requireNonNull(scope, "scope");
    requireNonNull(part, "part");
    requireNonNull(detail, "detail");
  }

  static MailHit onPart(String ruleId, MimePartInfo part, String detail) {
    return new MailHit(ruleId, Scope.PART, Optional.of(part), detail);
  }

  static MailHit onMessage(String ruleId, Optional<MimePartInfo> part, String detail) {
    return new MailHit(ruleId, Scope.MESSAGE, part, detail);
  }
}
