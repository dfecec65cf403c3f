package io.labscan.agent.checks.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Attachments named as Windows executables. A double extension ({@code readme.txt.pif}) is
 * reported under {@value #DOUBLE_EXTENSION_ID}; any other {@code .exe .scr .pif .bat .com}
 * name under the lower-severity {@value #EXECUTABLE_ID}, since software is sometimes mailed
 * on purpose.
 */
final class ExecutableAttachmentRule implements MailRule {
  static final String DOUBLE_EXTENSION_ID = "mail.attachment.double-extension";
  static final String EXECUTABLE_ID = "mail.attachment.executable";

  @Override
  public List<MailHit> evaluate(MessageStructure message) {
    List<MailHit> hits = new ArrayList<>();
    for (MimePartInfo part : message.parts()) {
      if (part.name().isEmpty()) {
        continue;
      }
      String name = part.name().get();
      Optional<String> executable = AttachmentNames.executableExtension(name);
      if (executable.isEmpty()) {
        continue;
      }
      Optional<String> decoy = AttachmentNames.decoyExtension(name);
      if (decoy.isPresent()) {
        hits.add(MailHit.onPart(DOUBLE_EXTENSION_ID, part, "attachment '" + name
            + "' hides executable extension ." + executable.get() + " behind ."
            + decoy.get()));
      } else {
        hits.add(MailHit.onPart(EXECUTABLE_ID, part, "attachment '" + name
            + "' has executable extension ." + executable.get()));
      }
    }
    return hits;
  }
}
