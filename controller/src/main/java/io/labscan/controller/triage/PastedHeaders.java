package io.labscan.controller.triage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds a header block that a person pasted into text: the headers of a message forwarded
 * inline ("-----Original Message-----", "Begin forwarded message:", "---------- Forwarded
 * message ---------", "&gt; "-quoted), a raw block of {@code Received:} lines pasted into a body, or
 * what a mail client's "show original" / "Internet headers" box gives after its own caption
 * lines (Outlook's {@code Microsoft Mail Internet Headers Version 2.0}, Gmail's "Original
 * Message … Created at: … Delivered after" preamble).
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>Text is read line by line (CRLF or LF); "&gt;" quote marks are removed, each line keeping
 *       the depth it was quoted at.
 *   <li>A <em>run</em> is a maximal sequence of header fields ({@code Name: value}, the name
 *       printable ASCII without spaces) and their continuation lines (starting with blank
 *       space), at one quote depth. One line that is neither, after a line of at least {@value
 *       #WRAP_WIDTH} characters and before a field, is a field a mail client wrapped without
 *       indenting (so Gmail's short "DMARC: PASS" preamble lines do not join the real block).
 *   <li>The first run holding a {@code Received:} field that starts like a stamp ({@code from},
 *       {@code by}, {@code (qmail}) is the pasted block: it carries the
 *       evidence. Failing that ({@link Mode#FORWARD} only), the first run that directly follows
 *       a forward marker line (at most two blank lines between) and holds a {@code From:},
 *       {@code Subject:}, {@code Date:} or {@code Sent:} field: a forward whose client kept only
 *       the summary fields (no origin can come from it, but its sender is the claimed one).
 *   <li>The answer is the run, followed by everything after it at the same quote depth (the
 *       forwarded body, which may hold a further forward), with the quote marks removed.
 * </ol>
 *
 * <p>Work is bounded: at most {@value #MAX_LINES} lines are examined, each line once.
 */
final class PastedHeaders {
  /** Lines examined; a pasted block lies far nearer the top of any real forward. */
  static final int MAX_LINES = 20_000;
  private static final int MAX_QUOTE_DEPTH = 20;
  private static final Pattern FIELD = Pattern.compile("[!-9;-~]{1,76}:.*", Pattern.DOTALL);
  /** A field a client wrapped is at least this long before the wrap. */
  private static final int WRAP_WIDTH = 60;
  private static final Pattern MARKER = Pattern.compile(
      "(?i)(?:-{2,}\\s*original message\\s*-{2,}"
          + "|-{2,}\\s*forwarded message\\s*-{2,}"
          + "|begin forwarded message:?"
          + "|_{8,}"
          // localized: "-----Ursprüngliche Nachricht-----" (any charset): a caption of words
          // between runs of at least three dashes, not "-- note --" or a "--boundary--" line
          + "|-{3,}\\s*[^-:@<>/=\\d\\s][^-:@<>/=\\d]{2,39}-{3,})");
  private static final Pattern SUMMARY_NAME = Pattern.compile("\\*?([A-Za-z]{2,12}):\\*?");
  private static final Map<String, String> LOCALIZED = Map.ofEntries(
      Map.entry("from", "From"), Map.entry("sent", "Sent"), Map.entry("to", "To"),
      Map.entry("cc", "Cc"), Map.entry("subject", "Subject"), Map.entry("date", "Date"),
      Map.entry("von", "From"), Map.entry("gesendet", "Sent"), Map.entry("an", "To"),
      Map.entry("betreff", "Subject"), Map.entry("datum", "Date"),               // German
      Map.entry("van", "From"), Map.entry("verzonden", "Sent"), Map.entry("aan", "To"),
      Map.entry("onderwerp", "Subject"),                                             // Dutch
      Map.entry("da", "From"), Map.entry("inviato", "Sent"), Map.entry("oggetto", "Subject"), // Italian
      Map.entry("de", "From"), Map.entry("enviado", "Sent"), Map.entry("para", "To"),
      Map.entry("asunto", "Subject"), Map.entry("fecha", "Date"),                    // Spanish
      Map.entry("assunto", "Subject"));                                              // Portuguese
  /** A Received: field that starts like a stamp, not "Received: your invoice". */
  private static final Pattern RECEIVED =
      Pattern.compile("(?i)Received:\\s*(?:from|by|\\(qmail)(?:\\s|$)");
  private static final Pattern SUMMARY_FIELD =
      Pattern.compile("(?i)(?:from|subject|date|sent):.*", Pattern.DOTALL);

  /** Where to look. */
  enum Mode {
    /** A body: a block of Received: lines, or the block after a forward marker. */
    FORWARD,
    /** A paste whose first line is no header field: only a block with Received: lines. */
    PREAMBLE
  }

  /**
   * A found block.
   *
   * @param message the block and what follows it, quote marks removed, LF line ends
   * @param line the 0-based line number at which the block starts in the text
   * @param how how it was found, for the answer's {@code tracedPart}
   * @param hasReceived whether the block holds a Received: field
   * @param afterMarker whether a forward marker line ("-----Original Message-----", "Begin
   *     forwarded message:" …) comes before the block in the text
   */
  record Found(byte[] message, int line, String how, boolean hasReceived, boolean afterMarker) {}

  private PastedHeaders() {}

  static Optional<Found> find(byte[] text, Mode mode) {
    return find(new String(text, StandardCharsets.ISO_8859_1), mode);
  }

  static Optional<Found> find(String text, Mode mode) {
    List<String> raw = lines(text);
    int n = raw.size();
    String[] line = new String[n];
    int[] depth = new int[n];
    for (int i = 0; i < n; i++) {
      String s = raw.get(i);
      int d = 0;
      int at = 0;
      // "> ", ">> ", "> > ": each '>' is one level; one space after each is part of the mark.
      while (d < MAX_QUOTE_DEPTH && at < s.length() && s.charAt(at) == '>') {
        d++;
        at++;
        if (at < s.length() && s.charAt(at) == ' ') {
          at++;
        }
      }
      line[i] = summaryName(s.substring(at));
      depth[i] = d;
    }

    int firstMarkerRun = -1;
    String marker = null;
    int lastMarker = -1;
    for (int i = 0; i < n; i++) {
      String t = line[i].strip();
      if (MARKER.matcher(t).matches()) {
        lastMarker = i;
        continue;
      }
      if (!isField(line[i])) {
        continue;
      }
      int end = runEnd(line, depth, i);
      boolean received = false;
      boolean summary = false;
      for (int k = i; k < end; k++) {
        received |= RECEIVED.matcher(line[k]).lookingAt();
        summary |= SUMMARY_FIELD.matcher(line[k]).matches();
      }
      if (received) {
        // A marker counts only right above the block (at most two blank lines between): a
        // separator line somewhere in an ordinary body (a signature rule, "-- note --") says
        // nothing about a block of Received: lines further down.
        boolean marked = lastMarker >= 0 && closeAfter(line, lastMarker, i);
        String how = marked
            ? "after \"" + printable(line[lastMarker].strip()) + "\""
            : i == 0 ? "at the top" : "after " + i + " line(s) of other text";
        return Optional.of(new Found(block(line, depth, i, end), i, how, true, marked));
      }
      if (mode == Mode.FORWARD && summary && firstMarkerRun < 0 && lastMarker >= 0
          && closeAfter(line, lastMarker, i)) {
        firstMarkerRun = i;
        marker = line[lastMarker].strip();
      }
      i = end - 1;
    }
    if (firstMarkerRun >= 0) {
      int end = runEnd(line, depth, firstMarkerRun);
      return Optional.of(new Found(block(line, depth, firstMarkerRun, end), firstMarkerRun,
          "after \"" + printable(Objects.requireNonNull(marker, "marker")) + "\"", false, true));
    }
    return Optional.empty();
  }

  /** True when line {@code at} follows marker line {@code marker} with at most two blank lines between. */
  private static boolean closeAfter(String[] line, int marker, int at) {
    if (at <= marker || at - marker > 3) {
      return false;
    }
    for (int k = marker + 1; k < at; k++) {
      if (!line[k].isBlank()) {
        return false;
      }
    }
    return true;
  }

  /** Index just past the run of fields and continuations starting at field line {@code start}. */
  private static int runEnd(String[] line, int[] depth, int start) {
    int d = depth[start];
    int i = start + 1;
    while (i < line.length && depth[i] == d) {
      String s = line[i];
      if (s.isBlank()) {
        break;
      }
      if (isField(s) || s.charAt(0) == ' ' || s.charAt(0) == '\t') {
        i++;
        continue;
      }
      // One unindented line after a long line and before a field: a client wrapped a field.
      if (line[i - 1].length() >= WRAP_WIDTH && i + 1 < line.length && depth[i + 1] == d && !line[i + 1].isBlank()
          && (isField(line[i + 1]) || line[i + 1].charAt(0) == ' ' || line[i + 1].charAt(0) == '\t')) {
        i++;
        continue;
      }
      break;
    }
    return i;
  }

  /** The run (wrapped lines re-indented) plus the rest of the text at the same depth. */
  private static byte[] block(String[] line, int[] depth, int start, int end) {
    int d = depth[start];
    StringBuilder sb = new StringBuilder();
    for (int i = start; i < end; i++) {
      String s = line[i];
      if (i > start && !isField(s) && s.charAt(0) != ' ' && s.charAt(0) != '\t') {
        sb.append(' ');
      }
      sb.append(s).append('\n');
    }
    sb.append('\n');
    for (int i = end; i < line.length; i++) {
      if (depth[i] < d && !line[i].isBlank()) {
        break; // the quoted original ended; the forwarder's own text resumes
      }
      sb.append(depth[i] == d ? line[i] : requote(line[i], depth[i] - d)).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String requote(String s, int extra) {
    return "> ".repeat(Math.max(0, extra)) + s;
  }

  /**
   * A forward's summary field as mail clients render it in other languages or in bold ({@code
   * *From:* Bob}, {@code Von: Bob}, {@code Betreff: honey}), under its English name, so that the
   * forwarded message's sender and subject are read. Only these summary names are mapped;
   * nothing else of a line changes.
   */
  static String summaryName(String line) {
    Matcher m = SUMMARY_NAME.matcher(line);
    if (!m.lookingAt()) {
      return line;
    }
    String name = LOCALIZED.get(m.group(1).toLowerCase(Locale.ROOT));
    if (name == null) {
      return line;
    }
    return name + ":" + line.substring(m.end());
  }

  private static boolean isField(String s) {
    return !s.isEmpty() && s.charAt(0) != ' ' && s.charAt(0) != '\t' && FIELD.matcher(s).matches();
  }

  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int len = text.length();
    while (start <= len && out.size() < MAX_LINES) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? len : nl;
      int e = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      out.add(text.substring(start, e));
      if (nl < 0) {
        break;
      }
      start = nl + 1;
    }
    return out;
  }

  private static String printable(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    StringBuilder sb = new StringBuilder(t.length());
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return sb.toString();
  }
}
