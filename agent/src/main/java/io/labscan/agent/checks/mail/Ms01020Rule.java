package io.labscan.agent.checks.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * MS01-020, "Incorrect MIME Header Can Cause IE to Execute E-mail Attachment": an HTML part
 * loads another part in an inline frame ({@code <iframe src=cid:X>}) and that part declares
 * a type Internet Explorer opens without asking (Klez uses {@code audio/x-wav} and
 * {@code audio/x-midi}) while its name ends in an executable extension. Unpatched Outlook and
 * Outlook Express run it on preview. Inert types are taken as everything outside
 * {@code application/*}, {@code multipart/*} and {@code message/*}: an honest
 * {@code application/octet-stream} makes IE ask, which is the executable-attachment rule's
 * business.
 */
final class Ms01020Rule implements MailRule {
  static final String ID = "mail.ms01-020";
  private static final Set<String> NOT_INERT = Set.of("application", "multipart", "message");

  @Override
  public List<MailHit> evaluate(MessageStructure message) {
    List<MailHit> hits = new ArrayList<>();
    for (MimePartInfo part : message.parts()) {
      if (part.contentId().isEmpty() || part.name().isEmpty()
          || NOT_INERT.contains(part.topLevelType())
          || !framed(message.iframeCids(), part.contentId().get())) {
        continue;
      }
      Optional<String> extension = AttachmentNames.executableExtension(part.name().get());
      if (extension.isPresent()) {
        hits.add(MailHit.onPart(ID, part, "HTML part loads cid:" + part.contentId().get()
            + " in an iframe; that part declares " + part.contentType() + " but is named '"
            + part.name().get() + "' (." + extension.get() + "): runs on preview in"
            + " unpatched Outlook/Outlook Express (MS01-020)"));
      }
    }
    return hits;
  }

  /** Content-IDs are compared ignoring case: mail clients resolve them that loosely too. */
  private static boolean framed(Set<String> iframeCids, String contentId) {
    for (String cid : iframeCids) {
      if (cid.equalsIgnoreCase(contentId)) {
        return true;
      }
    }
    return false;
  }
}
