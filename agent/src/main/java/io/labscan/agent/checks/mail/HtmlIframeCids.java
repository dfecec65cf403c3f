package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.io.Reader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the Content-IDs an HTML part loads into inline frames: {@code <iframe src=cid:X>},
 * with any case, quotes or whitespace. The text is the part as decoded by the MIME library,
 * so quoted-printable {@code src=3Dcid:} arrives as {@code src=cid:}; a stray {@code 3D}
 * (a part mislabelled as not encoded) is tolerated too.
 *
 * <p>Reads in chunks with an overlap, so memory stays bounded however long the HTML is. A
 * tag whose attributes before {@code src} exceed {@value #MAX_ATTRIBUTE_CHARS} characters is
 * not recognised.
 */
final class HtmlIframeCids {
  static final int MAX_ATTRIBUTE_CHARS = 2_000;
  private static final int MAX_CID_CHARS = 500;
  private static final int CHUNK_CHARS = 16 * 1024;
  /** Longest text a match can span, so the overlap between chunks never cuts one. */
  private static final int OVERLAP_CHARS = MAX_ATTRIBUTE_CHARS + MAX_CID_CHARS + 64;
  private static final Pattern IFRAME_CID = Pattern.compile(
      "<\\s*iframe\\b[^>]{0," + MAX_ATTRIBUTE_CHARS + "}?(?<![\\w-])src\\s*=\\s*(?:3d)?"
          + "\\s*[\"']?\\s*cid:\\s*([^\"'\\s>]{1," + MAX_CID_CHARS + "})",
      Pattern.CASE_INSENSITIVE);

  private HtmlIframeCids() {}

  /** The Content-IDs referenced, percent-decoded (RFC 2392), reading at most maxChars. */
  static Set<String> scan(Reader html, long maxChars) throws IOException {
    Set<String> cids = new LinkedHashSet<>();
    StringBuilder window = new StringBuilder();
    char[] chunk = new char[CHUNK_CHARS];
    long read = 0;
    while (true) {
      int wanted = (int) Math.min(CHUNK_CHARS, maxChars - read);
      int n = wanted > 0 ? html.read(chunk, 0, wanted) : -1;
      if (n < 0) {
        collect(window, cids, true);
        return cids;
      }
      read += n;
      window.append(chunk, 0, n);
      collect(window, cids, false);
      if (window.length() > OVERLAP_CHARS) {
        window.delete(0, window.length() - OVERLAP_CHARS);
      }
    }
  }

  /**
   * Adds the matches in {@code text}. Unless the text is the end of the part, a match that
   * reaches its last character may continue in the next chunk: it is left for the next
   * window, which still holds it thanks to the overlap.
   */
  private static void collect(CharSequence text, Set<String> cids, boolean atEnd) {
    Matcher m = IFRAME_CID.matcher(text);
    while (m.find()) {
      if (atEnd || m.end() < text.length()) {
        cids.add(decodeCid(m.group(1)));
      }
    }
  }

  private static String decodeCid(String cid) {
    if (cid.indexOf('%') < 0) {
      return cid;
    }
    try {
      return URLDecoder.decode(cid.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return cid;
    }
  }
}
