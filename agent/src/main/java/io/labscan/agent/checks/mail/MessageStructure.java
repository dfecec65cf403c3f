package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A message reduced to what the mail rules look at.
 *
 * @param messageId the Message-ID header, or empty text; untrusted
 * @param date the Date header, when it parses
 * @param subject the decoded Subject, or empty text; untrusted
 * @param parts every MIME part examined, in depth-first order
 * @param iframeCids Content-IDs that HTML parts load in an {@code <iframe src=cid:...>}
 * @param truncated whether the MIME tree went past the depth or part limits
 */
record MessageStructure(String messageId, Optional<Instant> date, String subject,
    List<MimePartInfo> parts, Set<String> iframeCids, boolean truncated) {
  MessageStructure {
    requireNonNull(messageId, "messageId");
    requireNonNull(date, "date");
    requireNonNull(subject, "subject");
    parts = List.copyOf(parts);
    iframeCids = Set.copyOf(iframeCids);
  }
}
