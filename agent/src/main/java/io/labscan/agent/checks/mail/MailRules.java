package io.labscan.agent.checks.mail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mail rule set. Part rules run from most to least specific and each part keeps only its
 * first (most specific) verdict, so a Klez carrier reads as one MS01-020 finding rather than
 * also as an executable attachment; message-level verdicts (the Klez subject) are kept too.
 */
final class MailRules {
  /** Reported in each finding's rule_set_version; bump when rules change meaning. */
  static final String RULE_SET_VERSION = "mail-rules-1";

  private final List<MailRule> rules = List.of(
      new Ms01020Rule(), new ExecutableAttachmentRule(), new KlezSubjectRule());

  List<MailHit> evaluate(MessageStructure message) {
    Map<Integer, MailHit> byPart = new LinkedHashMap<>();
    List<MailHit> messageHits = new ArrayList<>();
    for (MailRule rule : rules) {
      for (MailHit hit : rule.evaluate(message)) {
        if (hit.scope() == MailHit.Scope.PART) {
          byPart.putIfAbsent(hit.part().map(MimePartInfo::index).orElse(-1), hit);
        } else {
          messageHits.add(hit);
        }
      }
    }
    List<MailHit> hits = new ArrayList<>(byPart.values());
    hits.addAll(messageHits);
    return hits;
  }
}
