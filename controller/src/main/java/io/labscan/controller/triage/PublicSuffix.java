package io.labscan.controller.triage;

import com.google.common.net.InternetDomainName;
import java.util.Locale;

/**
 * Whether a domain is one under which unrelated organisations register theirs: {@code edu},
 * {@code ac.uk}, {@code edu.au}, {@code co.jp}, {@code github.io} … — the Mozilla Public Suffix
 * List as Guava ({@link InternetDomainName}, already on the class path through gRPC) embeds it.
 * A domain like that is never "the organisation's domain": treating {@code ac.uk} as one would
 * make every British university's addresses look like our own users'.
 *
 * <p>Names Guava cannot read as a domain (underscores, a trailing label of digits, an empty
 * label) are not public suffixes: they fail the organisation test elsewhere on their own merits.
 */
public final class PublicSuffix {
  private PublicSuffix() {}

  /** True when {@code domain} (any case, a trailing dot allowed) is a public suffix itself. */
  public static boolean is(String domain) {
    if (domain == null) {
      return false;
    }
    String d = domain.trim().toLowerCase(Locale.ROOT);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.isEmpty() || d.length() > 253 || !InternetDomainName.isValid(d)) {
      return false;
    }
    return InternetDomainName.from(d).isPublicSuffix();
  }
}
