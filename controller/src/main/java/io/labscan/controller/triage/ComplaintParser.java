package io.labscan.controller.triage;

import io.labscan.contract.harvest.AddressDigest;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Entry point: reads a complaint (a message, a bounce, an ARF report or pasted headers), finds
 * the message it is about, and traces that message's origin with {@link OriginResolver}.
 *
 * <p>Bounces (RFC 3464 {@code multipart/report; report-type=delivery-status}) and ARF reports
 * (RFC 5965 {@code report-type=feedback-report}) are traced through the original they carry
 * ({@code message/rfc822} or {@code text/rfc822-headers}), never through the report's own
 * Received: lines, which only show how the report travelled. Non-standard bounces (qmail-send,
 * Exim's plain text, old Sendmail) that quote the original after a marker line are read too.
 */
public final class ComplaintParser {
  /**
   * The mail session messages are parsed under, made once: creating a session reads the mail
   * provider lists from every jar on the class path, which cost milliseconds per complaint
   * (docs/PERFORMANCE.md). It only constructs messages: no store or transport is ever used.
   */
  private static final Session PARSING_SESSION = Session.getInstance(new Properties());

  private static final int MAX_DEPTH = 6;
  private static final int MAX_PARTS = 200;
  static final int MAX_PART_BYTES = 4 * 1024 * 1024;
  /** Forwards unwrapped (attachments in attachments, inline in inline), more than people nest. */
  static final int MAX_FORWARD_DEPTH = 5;
  /** {@code tracedPart} of a header block without a body. */
  static final String PASTED_BLOCK = "the pasted header block";
  /** Warnings kept beyond one per hop: about the message as a whole and its forwards. */
  private static final int MAX_MESSAGE_WARNINGS = 12;
  private static final int MAX_SUBJECT = 998;
  /** Longest piece of untrusted text (a header value, a parser's message) quoted in a warning. */
  private static final int MAX_QUOTED = 200;
  private static final List<String> COPY_MARKERS = List.of(
      "--- Below this line is a copy of the message.",              // qmail-send
      "------ This is a copy of the message, including all the headers. ------", // Exim
      "----- Unsent message follows -----",                          // Sendmail, non-MIME
      "----- Original message follows -----");
  static final Pattern DAEMON = Pattern.compile(
      "(?i)\\b(mailer-daemon|postmaster|mail-daemon)@|mail delivery (subsystem|system)");
  static final Pattern BOUNCE_SUBJECT = Pattern.compile(
      "(?i)undeliver|delivery status notification|delivery failure|failure notice|returned mail"
          + "|mail delivery failed|non-?delivery|delivery has failed|could not be delivered");
  private static final Pattern ADDRESS = Pattern.compile("[^\\s<>\"(),;:\\[\\]]{1,64}@[A-Za-z0-9.-]{1,255}");

  private ComplaintParser() {}

  /**
   * Reads and traces one complaint.
   *
   * @param input the raw bytes (.eml, bounce, ARF report, or a pasted header block)
   * @param trust the MTAs to trust beyond the topmost hop
   * @throws NotAMailMessageException when the bytes are not mail at all (empty, binary, JSON …)
   */
  public static ParsedComplaint parse(byte[] input, TrustConfig trust) throws NotAMailMessageException {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(trust, "trust");
    ParsedComplaint c = parse(input, trust, 0);
    // Each unwrapped forward may add a few warnings of its own; repeated ones are said once,
    // and a hostile nest cannot make the list grow with it.
    List<String> unique = List.copyOf(new LinkedHashSet<>(c.warnings()));
    int max = c.hops().size() + MAX_MESSAGE_WARNINGS;
    if (unique.size() > max) {
      List<String> cut = new ArrayList<>(unique.subList(0, max - 1));
      cut.add((unique.size() - max + 1) + " more warning(s) left out");
      unique = cut;
    }
    return unique.size() == c.warnings().size() ? c : c.withWarnings(unique);
  }

  /**
   * One level of the input. {@code depth} counts the forwards unwrapped above it: each level
   * reads a part of the level above (never more than {@value #MAX_PART_BYTES} bytes of it), and
   * at most {@value #MAX_FORWARD_DEPTH} levels are unwrapped, so a hostile nest of forwards
   * costs at most that many passes over the bytes.
   */
  private static ParsedComplaint parse(byte[] input, TrustConfig trust, int depth)
      throws NotAMailMessageException {
    MailSniffer.Sniffed sniffed = MailSniffer.check(input);
    List<String> warnings = new ArrayList<>();
    if (!sniffed.repaired().isEmpty()) {
      warnings.add(sniffed.repaired()); // NUL bytes in the header section (MailSniffer)
    }
    String itself = sniffed.skipped().isEmpty() ? ParsedComplaint.ITSELF : sniffed.skipped();
    Optional<ResentBlock.Split> resent = ResentBlock.split(sniffed.message());
    if (resent.isPresent()) {
      return redirected(resent.get(), sniffed, trust, warnings, itself, depth);
    }
    if (!sniffed.hasBody()) {
      HeaderBlock pasted = readHeaders(sniffed.message(), warnings);
      PersonsMessage.ownHeaders(pasted).ifPresent(warnings::add); // round 9, F2: a forward's own block
      return fromHeaders(ComplaintKind.HEADERS, pasted, Optional.empty(), true, trust, warnings)
          .traced(sniffed.skipped().isEmpty() ? PASTED_BLOCK : itself, Optional.empty(), List.of());
    }
    MimeMessage message;
    HeaderBlock outer;
    try {
      message = new MimeMessage(PARSING_SESSION, new ByteArrayInputStream(sniffed.message()));
      outer = HeaderBlock.of(message.getAllHeaders());
    } catch (MessagingException | RuntimeException e) {
      warnings.add("the message structure could not be read (" + plain(e.getMessage()) + "); traced its header block only");
      return fromHeaders(ComplaintKind.MESSAGE, readHeaders(sniffed.message(), warnings),
          Optional.empty(), true, trust, warnings).traced(itself, Optional.empty(), List.of());
    }
    if (outer.truncated()) {
      warnings.add("more than " + HeaderBlock.MAX_FIELDS + " header fields; the rest were ignored");
    }

    String reportType = reportType(outer);
    Parts parts = new Parts();
    try {
      walk(message, 0, parts);
    } catch (MessagingException | IOException | RuntimeException e) {
      parts.error = e.getClass().getSimpleName() + ": " + plain(e.getMessage());
    }
    // A report may sit inside another multipart (an S/MIME-signed read receipt is multipart/signed
    // around the multipart/report): it is a report all the same (red-team round 7, S12).
    boolean multipartReport = parts.reportType != null || isMultipartReport(outer);
    if (reportType.isEmpty() && parts.reportType != null) {
      reportType = parts.reportType;
    }
    if (reportType.isEmpty() && parts.dispositionNotification) {
      reportType = "disposition-notification";
    }
    boolean bounce = reportType.equals("delivery-status") || parts.deliveryStatus != null;
    boolean arf = reportType.equals("feedback-report") || parts.feedbackReport != null;
    if (parts.error != null) {
      warnings.add("part of the MIME structure could not be read (" + parts.error + ")");
    }
    if (parts.partsCut) {
      warnings.add("more than " + MAX_PARTS + " MIME parts; the rest were not read");
    }
    if (parts.depthCut) {
      warnings.add("MIME parts nested more than " + MAX_DEPTH + " levels deep; the deeper ones were not read");
    }

    if (arf) {
      return report(ComplaintKind.ARF, outer, parts, trust, warnings, itself);
    }
    if (bounce) {
      return report(ComplaintKind.BOUNCE, outer, parts, trust, warnings, itself);
    }
    Optional<String> automatic = automaticReply(outer, reportType);
    if (automatic.isPresent()) {
      return autoReply(automatic.get(), outer, parts, trust, warnings);
    }
    if (multipartReport) {
      // Every multipart/report is a report, never a forward and never the reporter's own mail
      // (RFC 6522; red-team round 7, S12): tlsrpt, a vendor's type, one without report-type.
      warnings.add("a multipart/report (report-type=" + (reportType.isEmpty() ? "none" : plain(reportType))
          + ") is a report, not a forward: its own Received: lines describe the reporting side, so only a copy"
          + " of an original it carries is traced");
      return report(ComplaintKind.BOUNCE, outer, parts, trust, warnings, itself);
    }
    boolean forward = ForwardUnwrapper.forwardSubject(outer);
    // A person who forwards a bounce as an attachment keeps its subject at times ("Undeliverable:
    // …"): with an attached message, only a daemon's From makes the message a bounce itself.
    boolean daemonFrom = outer.first("From").map(f -> DAEMON.matcher(f).find()).orElse(false);
    if (!forward && looksLikeBounce(outer) && (parts.inlineCopy != null
        || (parts.original != null && daemonFrom))) {
      warnings.add("a bounce without RFC 3464 structure: no Reporting-MTA or Arrival-Date to cross-check");
      return report(ComplaintKind.BOUNCE, outer, parts, trust, warnings, itself);
    }
    if (parts.original != null) {
      CarrierSender.Decision d = CarrierSender.decide(outer,
          "a forwarded message (attachment 1, " + parts.originalType + ")", trust);
      if (d.kind() == CarrierSender.Kind.SENT_DIRECTLY) {
        return sentDirectly(outer, d, trust, warnings, itself);
      }
      return unresolved(d, ForwardUnwrapper.attached(parts.original, Objects.requireNonNull(parts.originalType, "originalType"),
          parts.attachedMessages, outer, warnings, depth, next -> parse(next, trust, depth + 1)));
    }
    Optional<PastedHeaders.Found> pasted = parts.firstText == null ? Optional.empty()
        : PastedHeaders.find(parts.firstText, PastedHeaders.Mode.FORWARD);
    if (!forward && ForwardUnwrapper.daemonBounce(outer)) {
      // A vendor bounce (Domino, some Exchange NDRs) without RFC 3464 parts: the original is
      // either pasted in its text or absent; its own Received: lines are never the answer.
      if (pasted.isPresent() && pasted.get().hasReceived()) {
        parts.inlineCopy = pasted.get().message();
      }
      warnings.add("a bounce without RFC 3464 structure: no Reporting-MTA or Arrival-Date to cross-check");
      return report(ComplaintKind.BOUNCE, outer, parts, trust, warnings, itself);
    }
    if (pasted.isPresent() && ForwardUnwrapper.inlineForward(pasted.get(), outer)) {
      CarrierSender.Decision d = CarrierSender.decide(outer,
          "a forwarded message (a header block pasted in its body, " + pasted.get().how() + ")", trust);
      if (d.kind() == CarrierSender.Kind.SENT_DIRECTLY) {
        return sentDirectly(outer, d, trust, warnings, itself);
      }
      return unresolved(d, ForwardUnwrapper.inline(pasted.get(), outer, warnings, depth,
          next -> parse(next, trust, depth + 1)));
    }
    PersonsMessage.ownHeaders(outer).ifPresent(warnings::add); // round 9, F2: a forward's or reply's own block
    return fromHeaders(ComplaintKind.MESSAGE, outer, Optional.empty(), true, trust, warnings)
        .traced(itself, Optional.empty(), List.of());
  }

  /**
   * A redirected message ({@link ResentBlock}): the redirect's block (its trace lines, the
   * Resent- fields as its originator fields) is the carrier, decided on by {@link CarrierSender}
   * exactly as a forward's header block is; the message below the Resent- block is traced, never
   * the redirect's lines. When a lab host's own software sent it straight to our MTA, the whole
   * message is the sender's mail and is traced as itself.
   */
  private static ParsedComplaint redirected(ResentBlock.Split split, MailSniffer.Sniffed sniffed, TrustConfig trust,
      List<String> warnings, String itself, int depth) throws NotAMailMessageException {
    HeaderBlock carrier = readHeaders(split.carrier(), warnings);
    CarrierSender.Decision d = CarrierSender.decide(carrier, "a redirected message (a Resent- block)", trust);
    if (d.kind() == CarrierSender.Kind.SENT_DIRECTLY) {
      return sentDirectly(readHeaders(sniffed.message(), warnings), d, trust, warnings, itself);
    }
    return unresolved(d, ForwardUnwrapper.redirected(split.carried(), carrier, warnings, depth,
        next -> parse(next, trust, depth + 1)));
  }

  /**
   * A bounce or report, unless its own header block shows that a lab host's software handed it
   * straight to our mail server ({@link CarrierSender}): lab machines are not MTAs and write no
   * bounces, so such a "bounce" is the worm's own mail and its "original" the worm's text.
   */
  private static ParsedComplaint report(ComplaintKind kind, HeaderBlock outer, Parts parts, TrustConfig trust,
      List<String> warnings, String itself) {
    CarrierSender.Decision d = CarrierSender.decide(outer, kind == ComplaintKind.ARF
        ? "an abuse report's copy of a message (ARF)" : "a bounce's copy of an original message", trust);
    if (d.kind() == CarrierSender.Kind.SENT_DIRECTLY) {
      return sentDirectly(outer, d, trust, warnings, itself);
    }
    // A bounce or report is a mail system's, not a person's submission: rule 1 of CarrierSender
    // (uncapped only after an authenticated submission) applies to forwards only. A lab host's
    // own report (its MTA's DSN, a TLS report) handed in without a worm's mailing is that host's
    // mail system reporting, never the sender of the message it reports: the host is not named
    // as the direct sender (red-team round 7, S12); its copy stays capped and unrecorded.
    CarrierSender.Decision use = switch (d.kind()) {
      case UNVERIFIED_FORWARD -> CarrierSender.Decision.FORWARD;
      case UNRESOLVED -> new CarrierSender.Decision(CarrierSender.Kind.UNVERIFIED_FORWARD, "", "the report was"
          + " handed to our mail server by " + d.sender() + ", unauthenticated: a mail system's report, whose own"
          + " Received: lines describe the reporting side, never the sender of the message it reports, so "
          + d.sender() + " is not named as a sender; a copy of the reported message it carries is the reporter's text:"
          + " traced, never recorded, and its confidence is capped at " + Triage.UNRESOLVED_CARRIER_CAP);
      default -> d;
    };
    return unresolved(use, fromReport(kind, outer, parts, trust, warnings));
  }

  /**
   * A message that carries another one but was sent straight to our mail server by a lab host's
   * own software ({@link CarrierSender}): it is the worm's mail, traced through its own header
   * block; the carried message, the sender's own text, is not traced at all.
   */
  private static ParsedComplaint sentDirectly(HeaderBlock outer, CarrierSender.Decision d, TrustConfig trust,
      List<String> warnings, String itself) {
    List<String> w = new ArrayList<>(warnings);
    w.add(d.warning());
    return fromHeaders(ComplaintKind.MESSAGE, outer, Optional.empty(), true, trust, w)
        .traced(itself, Optional.empty(), List.of());
  }

  /**
   * Why a message is an automatic response (RFC 3834 {@code Auto-Submitted:} other than {@code
   * no}; the vendor marks {@code X-Autoreply}, {@code X-Autorespond}, {@code Precedence:
   * auto_reply}; a read receipt, {@code report-type=disposition-notification}), or empty.
   */
  static Optional<String> automaticReply(HeaderBlock outer, String reportType) {
    if (reportType.equals("disposition-notification")) {
      return Optional.of("a read receipt, report-type=disposition-notification");
    }
    Optional<String> submitted = outer.first("Auto-Submitted").map(v -> v.trim().toLowerCase(Locale.ROOT));
    if (submitted.isPresent() && !submitted.get().isEmpty()
        && !submitted.get().split("[\\s;(]", 2)[0].equals("no")) {
      return Optional.of("Auto-Submitted: " + plain(submitted.get()));
    }
    for (String mark : List.of("X-Autoreply", "X-Autorespond")) {
      if (outer.first(mark).isPresent()) {
        return Optional.of(mark);
      }
    }
    return outer.first("Precedence").map(v -> v.trim().toLowerCase(Locale.ROOT))
        .filter(v -> v.startsWith("auto_reply")).map(v -> "Precedence: auto_reply");
  }

  /**
   * An automatic response (issue 15, red-team round 7, S3): an out-of-office reply, a mail
   * client's rule, a read receipt is the RECIPIENT's answer to the complained-about mail; its own
   * Received: lines describe the responder, never that mail's sender. Like a bounce it is traced
   * only through a copy of the original it carries, never through its own header block, and it
   * is marked as an unverified carrier: capped, never recorded. A worm that adds {@code
   * Auto-Submitted} to its own mail only makes its answer unrecorded (the safe direction).
   */
  private static ParsedComplaint autoReply(String why, HeaderBlock outer, Parts parts, TrustConfig trust,
      List<String> warnings) {
    String warning = "this is an automatic reply (" + why + "): the mail client or server of a recipient of the"
        + " message it answers sent it, so its own Received: lines describe the responder, not that message's"
        + " sender; only a copy of the original it carries is traced, and the answer is never recorded";
    return fromReport(ComplaintKind.BOUNCE, outer, parts, trust, warnings).withUnverifiedCarrier(warning);
  }

  /** A traced carried part whose carrier's direct sender could not be told apart: marked, capped, unrecorded. */
  private static ParsedComplaint unresolved(CarrierSender.Decision d, ParsedComplaint traced) {
    return switch (d.kind()) {
      case UNRESOLVED -> traced.withDirectSender(d.sender(), d.warning(), d.outer());
      case UNVERIFIED_FORWARD -> traced.withUnverifiedCarrier(d.warning());
      default -> traced;
    };
  }

  // ---- the parts of a report ------------------------------------------------------------

  /** What the MIME walk found. */
  private static final class Parts {
    byte @Nullable [] deliveryStatus;
    /** The report-type of the first multipart/report met (lower case, "" without one), or null. */
    @Nullable String reportType;
    /** A message/disposition-notification part (a read receipt) was met. */
    boolean dispositionNotification;
    byte @Nullable [] feedbackReport;
    byte @Nullable [] original;
    @Nullable String originalType;
    byte @Nullable [] inlineCopy;
    /** The first text/plain part (a single-part message's body), for inline forwards. */
    byte @Nullable [] firstText;
    /** How many message/rfc822 (or rfc822-headers) parts, the traced one being the first. */
    int attachedMessages;
    int seen;
    /** Parts beyond {@value #MAX_PARTS} were not read. */
    boolean partsCut;
    /** Parts nested deeper than {@value #MAX_DEPTH} were not read. */
    boolean depthCut;
    @Nullable String error;
  }

  /**
   * Walks the MIME tree, at most {@value #MAX_DEPTH} levels and {@value #MAX_PARTS} parts, and
   * records every cut in {@code out} (the caller names it in the warnings).
   *
   * <p>Bounded work: a multipart is never handed whole to the mail library, whose parser
   * materialises every body part (headers and bytes) before the first can be looked at — 100,000
   * empty parts in 3.6 MB cost ~10 s of CPU and ~440 MB (issue 15, red-team round 3, F4). Its
   * bytes are first scanned once, linearly, for its delimiter lines ({@link #boundedMultipart}),
   * and cut before the first part beyond the parts still allowed, so the library only ever
   * parses parts the walk will look at.
   */
  private static void walk(Part part, int depth, Parts out) throws MessagingException, IOException {
    if (depth > MAX_DEPTH) {
      out.depthCut = true;
      return;
    }
    if (++out.seen > MAX_PARTS) {
      out.partsCut = true;
      return;
    }
    if (part.isMimeType("multipart/report") && out.reportType == null) {
      out.reportType = reportTypeOf(part.getContentType());
    }
    if (part.isMimeType("multipart/*")) {
      byte[] content;
      try (InputStream in = part.getInputStream()) {
        content = in.readNBytes(MailSniffer.MAX_INPUT);
      }
      String contentType = Objects.requireNonNullElse(part.getContentType(), "multipart/mixed");
      String boundary = boundaryOf(contentType);
      Bounded bounded = boundedMultipart(content, boundary, MAX_PARTS - out.seen);
      out.partsCut |= bounded.cut();
      Multipart mp = new MimeMultipart(new ByteArrayDataSource(bounded.bytes(), contentType));
      for (int i = 0; i < mp.getCount() && out.seen <= MAX_PARTS; i++) {
        BodyPart child = mp.getBodyPart(i);
        walk(child, depth + 1, out);
      }
      return;
    }
    if (depth == 0) {
      // A single-part message: only a plain-text bounce can carry a quoted original.
      if (part.isMimeType("text/plain")) {
        out.firstText = read(part);
        out.inlineCopy = quotedOriginal(out.firstText);
      }
      return;
    }
    if (part.isMimeType("message/delivery-status") || part.isMimeType("message/global-delivery-status")) {
      if (out.deliveryStatus == null) {
        out.deliveryStatus = read(part);
      }
    } else if (part.isMimeType("message/disposition-notification")
        || part.isMimeType("message/global-disposition-notification")) {
      out.dispositionNotification = true;
    } else if (part.isMimeType("message/feedback-report") || part.isMimeType("application/feedback-report")) {
      // RFC 5965 registered message/feedback-report; drafts and some senders use application/.
      if (out.feedbackReport == null) {
        out.feedbackReport = read(part);
      }
    } else if (part.isMimeType("message/rfc822") || part.isMimeType("message/global")) {
      out.attachedMessages++;
      if (out.original == null) {
        out.original = read(part);
        out.originalType = "message/rfc822";
      }
    } else if (part.isMimeType("text/rfc822-headers") || part.isMimeType("message/rfc822-headers")
        || part.isMimeType("text/rfc822-header") || part.isMimeType("message/global-headers")) {
      out.attachedMessages++;
      if (out.original == null) {
        out.original = read(part);
        out.originalType = "text/rfc822-headers";
      }
    } else if (part.isMimeType("text/plain") && out.inlineCopy == null) {
      byte[] text = read(part);
      if (out.firstText == null) {
        out.firstText = text;
      }
      out.inlineCopy = quotedOriginal(text);
    }
  }

  /** The boundary parameter of a multipart's Content-Type (RFC 2231 forms included), or null. */
  private static @Nullable String boundaryOf(String contentType) {
    try {
      String b = new ContentType(contentType).getParameter("boundary");
      return b == null || b.isEmpty() ? null : b;
    } catch (jakarta.mail.internet.ParseException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A multipart body cut to at most {@code maxParts} parts.
   *
   * @param bytes the body to parse (the input itself when nothing was cut)
   * @param parts delimiter lines kept that open a part: the parts the mail library will build
   * @param cut true when parts beyond {@code maxParts} were left out
   */
  record Bounded(byte[] bytes, int parts, boolean cut) {}

  /**
   * One linear scan of a multipart body for its delimiter lines ({@code --boundary} at a line
   * start, RFC 2046 §5.1.1): stops at the close delimiter ({@code --boundary--}), which ends the
   * multipart for the mail library too, and cuts before the delimiter that would open part
   * {@code maxParts + 1}, closing the multipart there. Without a boundary parameter, the first
   * line starting with {@code --} is the boundary, as the mail library reads it. A line that
   * merely starts with the delimiter counts as one: miscounting only cuts earlier.
   * Package-private so tests can see that the cut happens before any part is parsed.
   */
  static Bounded boundedMultipart(byte[] body, @Nullable String boundary, int maxParts) {
    byte[] delimiter = boundary == null ? null : ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int parts = 0;
    int line = 0;
    while (line < body.length) {
      int eol = indexOf(body, line, (byte) '\n');
      int end = eol < 0 ? body.length : eol;
      if (end - line >= 2 && body[line] == '-' && body[line + 1] == '-') {
        if (delimiter == null) {
          int stop = end;
          while (stop > line + 2 && (body[stop - 1] == '\r' || body[stop - 1] == ' ' || body[stop - 1] == '\t')) {
            stop--;
          }
          if (stop > line + 2) {
            delimiter = java.util.Arrays.copyOfRange(body, line, stop);
          }
        }
        if (delimiter != null && startsWith(body, line, end, delimiter)) {
          if (closeDelimiter(body, line + delimiter.length, end)) {
            return new Bounded(body, parts, false);
          }
          if (parts >= maxParts) {
            byte[] close = ("\r\n" + new String(delimiter, StandardCharsets.ISO_8859_1) + "--\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
            byte[] cut = java.util.Arrays.copyOf(body, line + close.length);
            System.arraycopy(close, 0, cut, line, close.length);
            return new Bounded(cut, parts, true);
          }
          parts++;
        }
      }
      line = eol < 0 ? body.length : eol + 1;
    }
    return new Bounded(body, parts, false);
  }

  private static int indexOf(byte[] b, int from, byte c) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] b, int from, int end, byte[] prefix) {
    if (end - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** "--" then only white space up to the line end, after the delimiter: the close delimiter. */
  private static boolean closeDelimiter(byte[] b, int from, int end) {
    if (end - from < 2 || b[from] != '-' || b[from + 1] != '-') {
      return false;
    }
    for (int i = from + 2; i < end; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  private static byte[] read(Part part) throws MessagingException, IOException {
    if (part instanceof MimeBodyPart body && part.isMimeType("message/*")) {
      // RFC 2046 forbids encoding a message/* part, so the mail library does not decode one;
      // Apple Mail and others base64-encode attached messages all the same.
      String encoding = body.getEncoding();
      if (encoding != null && (encoding.equalsIgnoreCase("base64")
          || encoding.equalsIgnoreCase("quoted-printable"))) {
        try (InputStream in = MimeUtility.decode(body.getRawInputStream(), encoding)) {
          return in.readNBytes(MAX_PART_BYTES);
        }
      }
    }
    try (InputStream in = part.getInputStream()) {
      return in.readNBytes(MAX_PART_BYTES);
    }
  }

  /** The text after a bounce's "copy of the message follows" marker, or null. */
  private static byte @Nullable [] quotedOriginal(byte[] text) {
    String s = new String(text, StandardCharsets.ISO_8859_1);
    for (String marker : COPY_MARKERS) {
      int at = s.indexOf(marker);
      if (at >= 0) {
        int eol = s.indexOf('\n', at);
        if (eol < 0) {
          return null;
        }
        String rest = s.substring(eol + 1).stripLeading();
        return rest.isEmpty() ? null : rest.getBytes(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  /** The report-type parameter of a multipart/report Content-Type, lower case, or "". */
  private static String reportTypeOf(@Nullable String contentType) {
    if (contentType == null) {
      return "";
    }
    try {
      String rt = new ContentType(contentType).getParameter("report-type");
      return rt == null ? "" : rt.trim().toLowerCase(Locale.ROOT);
    } catch (jakarta.mail.internet.ParseException | RuntimeException e) {
      return "";
    }
  }

  /** Whether the message's own Content-Type is multipart/report. */
  private static boolean isMultipartReport(HeaderBlock outer) {
    try {
      return outer.first("Content-Type").map(ct -> {
        try {
          return new ContentType(ct).match("multipart/report");
        } catch (jakarta.mail.internet.ParseException e) {
          return false;
        }
      }).orElse(false);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String reportType(HeaderBlock outer) {
    Optional<String> ct = outer.first("Content-Type");
    if (ct.isEmpty()) {
      return "";
    }
    try {
      ContentType type = new ContentType(ct.get());
      if (!type.match("multipart/report")) {
        return "";
      }
      String rt = type.getParameter("report-type");
      return rt == null ? "" : rt.trim().toLowerCase(Locale.ROOT);
    } catch (jakarta.mail.internet.ParseException | RuntimeException e) {
      return "";
    }
  }

  private static boolean looksLikeBounce(HeaderBlock outer) {
    return outer.first("From").map(f -> DAEMON.matcher(f).find()).orElse(false)
        || outer.first("Subject").map(s -> BOUNCE_SUBJECT.matcher(s).find()).orElse(false);
  }

  // ---- building the answer --------------------------------------------------------------

  private static ParsedComplaint fromReport(
      ComplaintKind kind, HeaderBlock outer, Parts parts, TrustConfig trust, List<String> warnings) {
    Optional<String> reportingMta = Optional.empty();
    Optional<Instant> arrival = Optional.empty();
    List<String> finalRecipients = new ArrayList<>();
    Optional<String> sourceIp = Optional.empty();
    Optional<String> feedbackType = Optional.empty();
    Optional<String> originalMailFrom = Optional.empty();

    if (kind == ComplaintKind.BOUNCE && parts.deliveryStatus != null) {
      List<HeaderBlock> groups = fieldGroups(parts.deliveryStatus, warnings);
      if (!groups.isEmpty()) {
        HeaderBlock perMessage = groups.get(0);
        reportingMta = perMessage.first("Reporting-MTA").map(ComplaintParser::afterType);
        arrival = perMessage.first("Arrival-Date").flatMap(MailDates::parse);
      }
      for (HeaderBlock g : groups) {
        g.all("Final-Recipient").forEach(v -> addAddresses(afterType(v), finalRecipients));
      }
    }
    if (kind == ComplaintKind.ARF && parts.feedbackReport != null) {
      List<HeaderBlock> groups = fieldGroups(parts.feedbackReport, warnings);
      if (!groups.isEmpty()) {
        HeaderBlock f = groups.get(0);
        feedbackType = f.first("Feedback-Type");
        arrival = f.first("Arrival-Date").or(() -> f.first("Received-Date")).flatMap(MailDates::parse);
        Optional<String> rawSource = f.first("Source-IP");
        sourceIp = rawSource.flatMap(Ips::canonical);
        if (rawSource.isPresent() && sourceIp.isEmpty()) {
          warnings.add("the report's Source-IP '" + plain(rawSource.get()) + "' is not an IP address");
        }
        f.all("Original-Rcpt-To").forEach(v -> addAddresses(v, finalRecipients));
        originalMailFrom = f.first("Original-Mail-From").flatMap(v -> addresses(v).stream().findFirst());
        reportingMta = f.first("Reporting-MTA").map(ComplaintParser::afterType);
      }
    }

    if (parts.original == null && parts.inlineCopy == null && parts.firstText != null) {
      // Exchange NDRs quote the original's headers in their text ("Original message headers:").
      PastedHeaders.find(parts.firstText, PastedHeaders.Mode.PREAMBLE)
          .ifPresent(found -> parts.inlineCopy = found.message());
    }
    byte[] copy = parts.original != null ? parts.original : parts.inlineCopy;
    String copyType = parts.original != null ? Objects.requireNonNull(parts.originalType, "originalType")
        : parts.inlineCopy != null ? "inline text" : "none";
    ReportDetails details = new ReportDetails(
        reportingMta, arrival, List.copyOf(new LinkedHashSet<>(finalRecipients)), sourceIp,
        feedbackType, copyType);

    HeaderBlock original = HeaderBlock.empty();
    if (copy == null) {
      warnings.add((kind == ComplaintKind.ARF ? "the report" : "the bounce")
          + " carries no copy of the original message (no message/rfc822 or text/rfc822-headers"
          + " part, nor one quoted in its text); its own Received: lines describe the "
          + (kind == ComplaintKind.ARF ? "reporter's" : "bouncing") + " server and how the"
          + " notice travelled, not the sender, so no origin can be traced");
    } else {
      original = readHeaders(copy, warnings);
    }

    String what = kind == ComplaintKind.ARF ? "the reported message in the ARF report"
        : "the copy of the original in the bounce";
    String label = copy == null
        ? "nothing: the " + (kind == ComplaintKind.ARF ? "report" : "bounce") + " carries no copy of the original"
        : what + " (" + copyType + ")";
    // The report's own Received: lines never give the origin, but they say who handed the report
    // in: only a report written inside our mail path vouches for its Reporting-MTA and its copy.
    boolean ours = OriginResolver.writtenInsideOurs(outer, trust, reportingMta);
    ParsedComplaint traced = fromHeaders(kind, original, Optional.of(details), ours, trust, warnings);
    if (kind == ComplaintKind.ARF) {
      traced = ArfSourceIp.apply(traced, original, copy != null);
    }
    if (traced.claimedSender().isPresent()) {
      return traced.traced(label, Optional.empty(), List.of());
    }
    // No From: in the original: the address the bounce was sent to (the envelope sender the
    // original claimed) or the ARF's Original-Mail-From is the next best claim.
    List<String> w = new ArrayList<>(traced.warnings());
    Optional<String> fallback = kind == ComplaintKind.BOUNCE
        ? outer.first("To").flatMap(v -> addresses(v).stream().findFirst())
        : originalMailFrom;
    fallback.ifPresent(f -> w.add((copy == null ? "there is no original" : "the original has no From:")
        + "; the claimed sender is taken from the "
        + (kind == ComplaintKind.BOUNCE ? "bounce's To:" : "report's Original-Mail-From:")));
    return traced.withClaimedSender(fallback).withWarnings(w).traced(label, Optional.empty(), List.of());
  }

  private static ParsedComplaint fromHeaders(
      ComplaintKind kind,
      HeaderBlock headers,
      Optional<ReportDetails> report,
      boolean reportWrittenByUs,
      TrustConfig trust,
      List<String> warnings) {
    Optional<String> from = headers.first("From").flatMap(v -> addresses(v).stream().findFirst());
    Set<String> recipients = new LinkedHashSet<>();
    headers.all("To").forEach(v -> addAddresses(v, recipients));
    headers.all("Cc").forEach(v -> addAddresses(v, recipients));
    report.ifPresent(r -> recipients.addAll(r.finalRecipients()));
    Optional<String> subject = headers.first("Subject").map(ComplaintParser::decode);
    Optional<String> messageId = headers.first("Message-ID").map(String::trim);
    Optional<Instant> date = headers.first("Date").flatMap(MailDates::parse);
    if (headers.first("Date").isPresent() && date.isEmpty()) {
      warnings.add("the Date: header could not be read");
    }
    OriginResolver.Result r = OriginResolver.resolve(headers, kind, report, trust, reportWrittenByUs);
    List<String> all = new ArrayList<>(warnings);
    all.addAll(r.warnings());
    return ParsedComplaint.itself(kind, from, List.copyOf(recipients), subject, messageId, date,
        r.hops(), r.origin(), report, all);
  }

  private static HeaderBlock readHeaders(byte[] bytes, List<String> warnings) {
    try {
      return HeaderBlock.read(bytes);
    } catch (MessagingException | RuntimeException e) {
      warnings.add("a header block could not be read (" + plain(e.getMessage()) + ")");
      return HeaderBlock.empty();
    }
  }

  /** The field groups of a message/delivery-status or feedback-report body, blank-line separated. */
  private static List<HeaderBlock> fieldGroups(byte[] body, List<String> warnings) {
    List<HeaderBlock> groups = new ArrayList<>();
    try (InputStream in = new ByteArrayInputStream(body)) {
      while (in.available() > 0 && groups.size() < 500) {
        HeaderBlock g = HeaderBlock.of(new InternetHeaders(in).getAllHeaders());
        if (!g.fields().isEmpty()) {
          groups.add(g);
        }
      }
    } catch (MessagingException | IOException | RuntimeException e) {
      warnings.add("the report's status fields could not all be read (" + plain(e.getMessage()) + ")");
    }
    return groups;
  }

  /** "rfc822; bob@example.net" → "bob@example.net"; "dns; mx.example.net" → "mx.example.net". */
  private static String afterType(String value) {
    int semi = value.indexOf(';');
    return (semi >= 0 ? value.substring(semi + 1) : value).trim();
  }

  private static void addAddresses(String headerValue, Collection<String> into) {
    into.addAll(addresses(headerValue));
  }

  /** Addresses in a header value, normalized like the harvest digests (lower case, no <>). */
  static List<String> addresses(String headerValue) {
    List<String> out = new ArrayList<>();
    try {
      for (InternetAddress a : InternetAddress.parseHeader(headerValue, false)) {
        String addr = a.getAddress();
        if (addr != null && addr.indexOf('@') > 0) {
          out.add(AddressDigest.normalize(addr));
        }
      }
      if (!out.isEmpty()) {
        return out;
      }
    } catch (AddressException | RuntimeException e) {
      // Worms and broken clients write unparseable address lists; fall back to a scan below.
    }
    Matcher m = ADDRESS.matcher(headerValue);
    while (m.find() && out.size() < 100) {
      out.add(AddressDigest.normalize(m.group()));
    }
    return out;
  }

  /**
   * Untrusted text for a warning: mail parsers quote the header they choke on, control
   * characters and all. Controls become '?', and the text is cut to {@value #MAX_QUOTED}.
   */
  static String plain(@Nullable String untrusted) {
    String s = String.valueOf(untrusted);
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 3);
    for (int i = 0; i < s.length() && out.length() < MAX_QUOTED; i++) {
      char c = s.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > MAX_QUOTED ? out.append("...").toString() : out.toString();
  }

  static String decode(String subject) {
    String s = subject.length() > MAX_SUBJECT ? subject.substring(0, MAX_SUBJECT) : subject;
    try {
      return MimeUtility.decodeText(s);
    } catch (UnsupportedEncodingException | RuntimeException e) {
      return s;
    }
  }
}
