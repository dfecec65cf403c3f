package io.labscan.controller.triage;

import com.google.common.net.InternetDomainName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ARF {@code Source-IP} (RFC 6591 / RFC 5965 §3.2) against the trust walk of the reported
 * message: whichever reaches deeper along the path is the origin.
 *
 * <p>Everything in a report is the reporter's word: its copy of the message, the top
 * {@code Received:} line its MTA wrote, and the Source-IP its feedback system wrote. So
 * Source-IP is exactly as trustworthy as the reporter's own top line — no more, no less:
 *
 * <ul>
 *   <li><b>No Received: line records a client</b> (the reporter stripped them, or sent only a
 *       few headers): Source-IP is the origin, placed in time by the report's Arrival-Date (else
 *       the date of a Received: line, else — with a warning — the reported message's Date:).
 *   <li><b>The walk stopped at the reporter's top line</b> (the usual case: the reporter's
 *       lines are not in {@code --trust}): when Source-IP is the client recorded by a lower
 *       line, that line was written by the reporter's own MTA (the reporter saw Source-IP
 *       connect), so the walk moves down to it: the top line was an internal hop of the
 *       reporter. A field's value only confirms a line its author could have seen being written
 *       (issue 15, red-team round 4, F4): the lower line must be the <em>next</em> line below
 *       the start that records a client (the one handed to the reporter's top line), or a line
 *       reached only through lines written inside the reporter's own organisation (every line
 *       from the start's down to it written by a host under the same registrable domain, by the
 *       Public Suffix List, as the start line's writer, else as the Reporting-MTA). Source-IP
 *       never jumps over a line another organisation wrote: some feedback loops fill it from the
 *       lowest "external-looking" line or from X-Originating-IP, and a forged report carries
 *       whatever its author wants, so a match further down is the sender's forged line. When
 *       Source-IP confirms no line, the Received: line stands and the disagreement is reported
 *       (a cross-check saying DISAGREES): a line has a writer and a date, the bare field has
 *       neither.
 *   <li><b>The walk went deeper</b> (through MTAs the operator trusts): Source-IP never
 *       overrides it; it is only compared (the reporter saw the last trusted relay, not the
 *       sender).
 * </ul>
 */
final class ArfSourceIp {
  private ArfSourceIp() {}

  static ParsedComplaint apply(ParsedComplaint c, HeaderBlock original, boolean hasCopy) {
    Optional<ReportDetails> report = c.report();
    Optional<String> source = report.flatMap(ReportDetails::sourceIp);
    if (source.isEmpty()) {
      return c;
    }
    String ip = source.get();
    List<TracedHop> hops = c.hops();
    int start = -1;
    for (TracedHop h : hops) {
      if (h.hop().recordsClient()) {
        start = h.index();
        break;
      }
    }
    if (start < 0) {
      return sourceIpOnly(c, ip, original, hasCopy);
    }
    if (c.origin().isEmpty() || c.origin().get().hop() != start || c.origin().get().ip().equals(ip)) {
      return c;
    }
    Optional<String> reporter = reporterDomain(hops.get(start).hop(), report.get());
    boolean insideReporter = true; // every line after the start so far written inside the reporter's domain
    boolean next = true; // no client-recording line between the start and this one
    for (int j = start + 1; j < hops.size(); j++) {
      ReceivedHop h = hops.get(j).hop();
      insideReporter = insideReporter && writtenInside(h, reporter);
      if (h.recordsClient() && h.fromIp().map(ip::equals).orElse(false) && (next || insideReporter)) {
        return deeper(c, j, ip, original);
      }
      if (h.recordsClient()) {
        next = false;
      }
      if (!next && !insideReporter) {
        break; // a line the reporter could not have seen being written: Source-IP confirms nothing below it
      }
    }
    if (Ips.isPrivateOrLocal(c.origin().get().ip()) && !Ips.isPrivateOrLocal(ip)) {
      return beyondTheCopy(c, start, ip);
    }
    return c;
  }

  /**
   * The reporter's own organisation: the registrable domain ({@link InternetDomainName#topPrivateDomain},
   * the Public Suffix List) of the start line's writer, else of the Reporting-MTA. Empty when
   * neither is a domain name under a public suffix: then only the next line can be confirmed.
   */
  static Optional<String> reporterDomain(ReceivedHop start, ReportDetails report) {
    Optional<String> d = start.byHost().flatMap(ArfSourceIp::registrable);
    return d.isPresent() ? d : report.reportingMta().flatMap(ArfSourceIp::registrable);
  }

  /** Whether a line's writer ({@code by}) is named inside {@code domain}; never without a name. */
  private static boolean writtenInside(ReceivedHop h, Optional<String> domain) {
    if (domain.isEmpty()) {
      return false;
    }
    return h.byHost().flatMap(ArfSourceIp::registrable).map(domain.get()::equals).orElse(false);
  }

  /** The registrable domain of a host name (lower case), or empty when it has none. */
  static Optional<String> registrable(String host) {
    String d = TrustConfig.normalizeHost(host);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.isEmpty() || d.length() > 253 || !InternetDomainName.isValid(d)) {
      return Optional.empty();
    }
    InternetDomainName n = InternetDomainName.from(d);
    if (!n.isUnderPublicSuffix()) {
      return Optional.empty();
    }
    return Optional.of(n.topPrivateDomain().toString());
  }

  /**
   * The copy begins inside the reporter's network (its top client is a private address) and
   * Source-IP, a public address, is what the reporter's edge saw before that: the origin lies
   * beyond the copy's lines, which all stay the reporter's own.
   */
  private static ParsedComplaint beyondTheCopy(ParsedComplaint c, int start, String ip) {
    Origin was = c.origin().orElseThrow();
    Optional<Instant> time = c.report().flatMap(ReportDetails::arrivalDate);
    String timeSource = "Arrival-Date of the report";
    if (time.isEmpty()) {
      time = Optional.of(was.time());
      timeSource = was.timeSource() + " (an upper bound: the report has no Arrival-Date)";
    }
    List<TracedHop> marked = new ArrayList<>(c.hops().size());
    for (TracedHop h : c.hops()) {
      marked.add(new TracedHop(h.index(), h.hop(), h.index() <= start ? HopTrust.TRUSTED : HopTrust.CLAIMED));
    }
    String why = was.trustedBecause().replaceFirst(", so hop \\d+ is the boundary$", "")
        + "; that client " + was.ip() + " is a private address inside the reporter's network, and"
        + " the report's Source-IP " + ip + " (written by the reporter, as trustworthy as its own"
        + " top line) is the public address its edge saw, so the origin lies beyond the copy's"
        + " Received: lines";
    Origin o = new Origin(ip, time.get(), -1, "Source-IP: " + ip,
        c.report().flatMap(ReportDetails::reportingMta), timeSource, why,
        List.of("the report's Source-IP " + ip + " replaces hop " + start + "'s private client " + was.ip()));
    return with(c, marked, Optional.of(o), c.warnings());
  }

  private static ParsedComplaint deeper(ParsedComplaint c, int j, String ip, HeaderBlock original) {
    Origin was = c.origin().orElseThrow();
    List<TracedHop> hops = c.hops();
    List<TracedHop> marked = new ArrayList<>(hops.size());
    for (TracedHop h : hops) {
      HopTrust t = h.index() < j ? HopTrust.TRUSTED : h.index() == j ? HopTrust.BOUNDARY : HopTrust.CLAIMED;
      marked.add(new TracedHop(h.index(), h.hop(), t));
    }
    ReceivedHop b = hops.get(j).hop();
    Optional<Instant> time = b.date();
    String timeSource = "date of hop " + j;
    for (int i = j - 1; i >= 0 && time.isEmpty(); i--) {
      time = hops.get(i).hop().date();
      timeSource = "date of hop " + i + " (the boundary line has none; a later trusted hop gives"
          + " an upper bound)";
    }
    if (time.isEmpty()) {
      return c; // keep the walk's answer rather than an origin without a time
    }
    List<String> checks = new ArrayList<>(ClientCrossCheck.check(original, j, b, ip));
    checks.add("the report's Source-IP " + ip + " agrees with hop " + j);
    String why = was.trustedBecause().replaceFirst(", so hop \\d+ is the boundary$", "")
        + "; the report's Source-IP " + ip + " (written by the reporter, as trustworthy as its"
        + " own top line) is the client recorded by hop " + j + ", a line the reporter could have seen"
        + " being written (the next line recording a client below its top line, or one reached only"
        + " through lines of its own domain), so the walk moves down to hop " + j + " and it is the boundary";
    Origin o = new Origin(ip, time.get(), j, b.raw(), b.byHost(), timeSource, why, checks);
    return with(c, marked, Optional.of(o), c.warnings());
  }

  private static ParsedComplaint sourceIpOnly(
      ParsedComplaint c, String ip, HeaderBlock original, boolean hasCopy) {
    List<String> warnings = new ArrayList<>();
    for (String w : c.warnings()) {
      // The walk's "no origin" is superseded by the reporter's Source-IP below.
      if (!w.startsWith("no Received: line")) {
        warnings.add(w);
      }
    }
    warnings.add("the reported message has no Received: line recording a client; the origin is"
        + " the report's Source-IP, the reporter's word");
    Optional<Instant> time = c.report().flatMap(ReportDetails::arrivalDate);
    String timeSource = "Arrival-Date of the report";
    if (time.isEmpty()) {
      for (TracedHop h : c.hops()) {
        if (h.hop().date().isPresent()) {
          time = h.hop().date();
          timeSource = "date of hop " + h.index() + " (the report has no Arrival-Date)";
          break;
        }
      }
    }
    if (time.isEmpty() && c.date().isPresent()) {
      time = c.date();
      timeSource = "Date: header of the reported message, the sender's own clock (the report has"
          + " no Arrival-Date and no Received: line a date)";
      warnings.add("the origin's time is the reported message's Date: header, which the sender"
          + " wrote: it may be wrong or forged");
    }
    if (time.isEmpty()) {
      warnings.add("the report names Source-IP " + ip + " but no time (no Arrival-Date, no dated"
          + " Received: line, no Date:); no origin can be placed in time");
      return with(c, c.hops(), c.origin(), warnings);
    }
    String why = (hasCopy ? "no Received: line of the reported message records a client"
        : "the report carries no copy of the reported message")
        + "; the report's Source-IP " + ip + ", written by the reporter and as trustworthy as"
        + " the reporter's own top line, is the origin";
    Origin o = new Origin(ip, time.get(), -1, "Source-IP: " + ip,
        c.report().flatMap(ReportDetails::reportingMta), timeSource, why, List.of());
    return with(c, c.hops(), Optional.of(o), warnings);
  }

  private static ParsedComplaint with(
      ParsedComplaint c, List<TracedHop> hops, Optional<Origin> origin, List<String> warnings) {
    return c.withTrace(hops, origin).withWarnings(warnings);
  }
}
