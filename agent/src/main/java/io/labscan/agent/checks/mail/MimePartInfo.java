package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the rules need to know about one MIME part.
 *
 * @param index 0-based position in a depth-first walk (0 is the message itself)
 * @param contentType declared base type, lower-case ({@code audio/x-wav})
 * @param name file name from {@code Content-Disposition: filename=} or {@code Content-Type:
 *     name=}, RFC 2047/2231-decoded; untrusted text
 * @param contentId the {@code Content-ID} without angle brackets
 */
record MimePartInfo(int index, String contentType, Optional<String> name,
    Optional<String> contentId) {
  MimePartInfo {
    requireNonNull(contentType, "contentType");
    requireNonNull(name, "name");
    requireNonNull(contentId, "contentId");
  }

  /** Top-level media type ({@code audio} of {@code audio/x-wav}). */
  String topLevelType() {
    int slash = contentType.indexOf('/');
    return slash < 0 ? contentType : contentType.substring(0, slash);
  }
}
