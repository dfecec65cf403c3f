package io.labscan.agent.checks.mail;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.FindingSeverity;
import io.labscan.proto.v1.MailFinding;
import io.labscan.proto.v1.RuleKind;
import java.util.Optional;

/** Turns a rule hit into the wire finding. */
final class MailFindings {
  private MailFindings() {}

  /**
   * @param sha256 digest of the message's evidence bytes (the store file for one-message
   *     stores, the message for containers), empty when it could not be read again
   */
  static ArtifactFinding of(StoredMessage message, MessageStructure structure, MailHit hit,
      Optional<String> sha256) {
    MailFinding.Builder mail = MailFinding.newBuilder()
        .setMessageId(structure.messageId())
        .setSubject(structure.subject())
        .setPartName(hit.part().flatMap(MimePartInfo::name)
            .or(() -> hit.part().flatMap(MimePartInfo::contentId))
            .orElse(""));
    structure.date().ifPresent(d -> mail.setDate(Timestamps.fromMillis(d.toEpochMilli())));
    String detail = message.fromContainer()
        ? hit.detail() + " [" + message.location() + "]"
        : hit.detail();
    return ArtifactFinding.newBuilder()
        .setRuleId(hit.ruleId())
        .setRuleKind(RuleKind.RULE_KIND_MAIL)
        .setPath(message.store().relativePath())
        .setSize(message.evidence().size())
        .setSha256(sha256.orElse(""))
        .setDetail(detail)
        .setMail(mail)
        .setRuleSetVersion(MailRules.RULE_SET_VERSION)
        .setSeverity(severity(hit.ruleId()))
        .build();
  }

  /**
   * A plain executable attachment is a weak sign (software is sometimes mailed on purpose);
   * the MS01-020 trick, double extensions and Klez subjects with an executable are the worm.
   */
  static FindingSeverity severity(String ruleId) {
    return ExecutableAttachmentRule.EXECUTABLE_ID.equals(ruleId)
        ? FindingSeverity.FINDING_SEVERITY_SUSPICIOUS
        : FindingSeverity.FINDING_SEVERITY_INFECTION;
  }
}
