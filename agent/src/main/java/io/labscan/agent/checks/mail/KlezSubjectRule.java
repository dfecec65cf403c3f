package io.labscan.agent.checks.mail;

import java.util.List;
import java.util.Optional;

/**
 * A known Klez subject ({@link KlezSubjects}) on a message that also carries an executable
 * attachment. The subjects are everyday phrases ("meeting notice", "honey"), so the subject
 * alone never fires: only together with an {@code .exe .scr .pif .bat .com} part does it
 * point at the worm rather than at a colleague.
 */
final class KlezSubjectRule implements MailRule {
  static final String ID = "mail.klez.subject";

  @Override
  public List<MailHit> evaluate(MessageStructure message) {
    if (!KlezSubjects.matches(message.subject())) {
      return List.of();
    }
    Optional<MimePartInfo> executable = message.parts().stream()
        .filter(p -> p.name().flatMap(AttachmentNames::executableExtension).isPresent())
        .findFirst();
    return executable
        .map(part -> List.of(MailHit.onMessage(ID, Optional.of(part), "subject '"
            + message.subject() + "' is a known Klez subject and the message carries"
            + " executable attachment '" + part.name().orElse("") + "'")))
        .orElse(List.of());
  }
}
