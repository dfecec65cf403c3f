package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The trust walk (SpamAssassin's model, as a careful analyst does it by hand).
 *
 * <ol>
 *   <li>Start at the topmost Received: line that records an SMTP client. Lines above it with
 *       no {@code from} part (Gmail's {@code by 2002:…}, local hand-offs), qmail's {@code
 *       invoked} lines and unreadable lines are passed over. The start line was written by
 *       the MTA that delivered the message to the mailbox (or, in a bounce or ARF report, by
 *       the reporting MTA) and is taken as given.
 *   <li>While the current line's client is trusted, step down to the next line that records
 *       a client, because that line was written by the trusted client. A client is trusted
 *       when its IP is inside a configured network, when its reverse DNS name (as recorded by
 *       the trusted writer, not flagged "may be forged") is a configured name, or when the
 *       current line lies inside the well-known provider that wrote the start line: written by
 *       that provider's MTA about a client whose reverse DNS or IP also belongs to it (or a
 *       private IP, which only the provider's own network can show). HELO names never count.
 *   <li>The line where the walk stops is the boundary; its client IP is the origin.
 *       Everything below is the sender's claim. If the walk meets an unreadable line that a
 *       trusted MTA wrote, it stops without an origin rather than guess.
 * </ol>
 */
final class OriginResolver {
  /** How far apart two clocks may be before a note says they disagree. */
  static final Duration CLOCK_SLACK = Duration.ofMinutes(10);

  record Result(List<TracedHop> hops, Optional<Origin> origin, List<String> warnings) {}

  private OriginResolver() {}

  static Result resolve(
      HeaderBlock headers, ComplaintKind kind, Optional<ReportDetails> report, TrustConfig trust) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(trust, "trust");
    List<ReceivedHop> hops = ReceivedParser.parseAll(headers.all("Received"));
    List<String> warnings = new ArrayList<>();
    if (hops.isEmpty()) {
      warnings.add("no Received: lines; no origin can be determined");
      return new Result(List.of(), Optional.empty(), warnings);
    }

    int start = -1;
    for (int i = 0; i < hops.size(); i++) {
      ReceivedHop h = hops.get(i);
      if (h.recordsClient()) {
        start = i;
        break;
      }
      if (!h.parsed()) {
        warnings.add("hop " + i + " could not be read and was passed over: " + shorten(h.raw()));
      }
    }
    if (start < 0) {
      for (int i = hops.size() - 1; i >= 0; i--) {
        ReceivedHop h = hops.get(i);
        if (h.flags().contains(HopFlag.LOOPBACK_CLIENT)) {
          // Loopback at the very bottom: submitted on the MTA itself (a cron job, a web form).
          warnings.add("the lowest line recording a client, hop " + i + ", has a loopback client: the"
              + " message was submitted on " + h.byHost().orElse("the MTA that wrote it")
              + " itself, so it did not come from another host");
          break;
        }
      }
      warnings.add("no Received: line records an SMTP client (" + hops.size()
          + " line(s): internal hand-offs, loopback, retrieval or local-delivery lines, or"
          + " unreadable); no origin can be determined");
      return new Result(mark(hops, -1), Optional.empty(), warnings);
    }

    ReceivedHop first = hops.get(start);
    StringBuilder why = new StringBuilder(startReason(kind, start, first, report));
    why.append(passedOver(hops, 0, start));
    Optional<MailProviders.Provider> provider = trust.providers().writerOf(first);
    int boundary = start;
    while (true) {
      ReceivedHop h = hops.get(boundary);
      Optional<String> trusted = trustedClient(boundary, h, trust, provider);
      if (trusted.isEmpty()) {
        why.append("; its client ").append(describeClient(h)).append(" is not a trusted MTA,")
            .append(" so hop ").append(boundary).append(" is the boundary");
        break;
      }
      why.append("; ").append(trusted.get());
      int next = -1;
      for (int j = boundary + 1; j < hops.size(); j++) {
        ReceivedHop c = hops.get(j);
        if (!c.parsed() || c.recordsClient()) {
          next = j;
          break;
        }
      }
      if (next < 0) {
        why.append("; no lower line records a client, so the message entered at that trusted"
            + " client and hop ").append(boundary).append(" is the boundary");
        break;
      }
      if (!hops.get(next).parsed()) {
        warnings.add("hop " + next + " was written by a trusted MTA but could not be read; no"
            + " origin can be determined: " + shorten(hops.get(next).raw()));
        return new Result(mark(hops, next), Optional.empty(), warnings);
      }
      why.append(passedOver(hops, boundary + 1, next));
      why.append(", so hop ").append(next).append(" (written by ")
          .append(hops.get(next).byHost().orElse("an unnamed MTA")).append(") is trusted too");
      boundary = next;
    }

    ReceivedHop b = hops.get(boundary);
    List<TracedHop> traced = mark(hops, boundary);
    if (b.fromIp().isEmpty()) {
      warnings.add("the boundary, hop " + boundary + ", records no client IP"
          + b.fromHelo().map(h -> " (only the HELO name '" + h + "')").orElse("")
          + "; no origin can be determined");
      return new Result(traced, Optional.empty(), warnings);
    }
    String ip = b.fromIp().get();

    Optional<Instant> time = b.date();
    String timeSource = "date of hop " + boundary;
    if (time.isEmpty()) {
      for (int i = boundary - 1; i >= 0 && time.isEmpty(); i--) {
        time = hops.get(i).date();
        timeSource = "date of hop " + i + " (the boundary line has none; a later trusted hop gives"
            + " an upper bound)";
      }
    }
    if (time.isEmpty() && report.flatMap(ReportDetails::arrivalDate).isPresent()) {
      time = report.flatMap(ReportDetails::arrivalDate);
      timeSource = "Arrival-Date of the report (no Received: line has a readable date)";
    }
    if (time.isEmpty()) {
      Optional<Instant> claimed = headers.first("Date").flatMap(MailDates::parse);
      if (claimed.isPresent()) {
        time = claimed;
        timeSource = "Date: header, the sender's own clock (no Received: line has a readable date)";
        warnings.add("the origin's time is the Date: header, which the sender wrote (no Received:"
            + " line has a readable date): it may be wrong or forged");
      }
    }
    if (time.isEmpty()) {
      warnings.add("origin " + ip + " (hop " + boundary + ") cannot be placed in time: no readable"
          + " date in any Received: line, report or Date: header");
      return new Result(traced, Optional.empty(), warnings);
    }

    List<String> checks = new ArrayList<>(ClientCrossCheck.check(headers, boundary, b, ip));
    if (b.flags().contains(HopFlag.MAY_BE_FORGED)) {
      checks.add("hop " + boundary + " flags the client's reverse DNS name as possibly forged;"
          + " the IP is what the MTA saw on the connection");
    }
    reportChecks(report, first, start, ip, checks);
    for (int j = boundary + 1; j < hops.size(); j++) {
      Optional<Instant> d = hops.get(j).date();
      if (d.isPresent() && d.get().isAfter(time.get().plus(CLOCK_SLACK))) {
        checks.add("hop " + j + " (claimed) is dated " + d.get() + ", after the boundary's "
            + time.get() + ": forged, or a wrong clock");
      }
    }
    Origin origin = new Origin(
        ip, time.get(), boundary, b.raw(), b.byHost(), timeSource, why.toString(), checks);
    return new Result(traced, Optional.of(origin), warnings);
  }

  private static String startReason(
      ComplaintKind kind, int start, ReceivedHop hop, Optional<ReportDetails> report) {
    String writer = hop.byHost().orElse("an unnamed MTA");
    return switch (kind) {
      case BOUNCE -> "hop " + start + " is the original's topmost line, written by " + writer
          + " when the bounce's Reporting-MTA"
          + report.flatMap(ReportDetails::reportingMta).map(m -> " (" + m + ")").orElse("")
          + " received it";
      case ARF -> "hop " + start + " is the reported message's topmost line, written by " + writer
          + " at the reporter's site";
      case MESSAGE, HEADERS -> "hop " + start + " is the topmost line recording a client, written by "
          + writer + ", the MTA that delivered the message";
    };
  }

  private static Optional<String> trustedClient(
      int index, ReceivedHop hop, TrustConfig trust, Optional<MailProviders.Provider> provider) {
    Optional<String> ip = hop.fromIp();
    Optional<String> rdns = hop.verifiedRdns();
    if (ip.isPresent()) {
      Optional<String> entry = trust.entryForIp(ip.get());
      if (entry.isPresent()) {
        return Optional.of("its client " + ip.get() + " is trusted (--trust " + entry.get() + ")");
      }
    }
    if (rdns.isPresent()) {
      Optional<String> entry = trust.entryForHost(rdns.get());
      if (entry.isPresent()) {
        return Optional.of("its client " + rdns.get() + " (reverse DNS as recorded) is trusted"
            + " (--trust " + entry.get() + ")");
      }
    }
    if (provider.isEmpty()) {
      return Optional.empty();
    }
    MailProviders.Provider p = provider.get();
    boolean writtenInside =
        hop.byHost().map(p::ownsHost).orElse(false) || hop.byIp().map(p::writesAs).orElse(false);
    if (!writtenInside) {
      return Optional.empty();
    }
    if (rdns.isPresent() && p.ownsHost(rdns.get())) {
      return Optional.of("hop " + index + " is inside " + p.name() + ": its client " + rdns.get()
          + " (reverse DNS) belongs to " + p.name());
    }
    if (ip.isPresent() && p.ownsIp(ip.get())) {
      return Optional.of("hop " + index + " is inside " + p.name() + ": its client " + ip.get()
          + " lies in " + p.name() + "'s published ranges");
    }
    if (ip.isPresent() && Ips.isPrivateOrLocal(ip.get())) {
      return Optional.of("hop " + index + " is inside " + p.name() + ": its client " + ip.get()
          + " is a private address only " + p.name() + "'s own network can show");
    }
    return Optional.empty();
  }

  private static void reportChecks(
      Optional<ReportDetails> report, ReceivedHop first, int start, String ip, List<String> checks) {
    if (report.isEmpty()) {
      return;
    }
    ReportDetails r = report.get();
    if (r.reportingMta().isPresent() && first.byHost().isPresent()) {
      String mta = r.reportingMta().get();
      String writer = first.byHost().get();
      if (ClientCrossCheck.writtenBy(mta, writer) || ClientCrossCheck.writtenBy(writer, mta)
          || sameDomain(mta, writer)) {
        checks.add("Reporting-MTA " + mta + " matches the writer of hop " + start);
      } else {
        checks.add("Reporting-MTA " + mta + " differs from " + writer + ", the writer of hop " + start
            + " (the bounce may have been generated further along)");
      }
    }
    if (r.arrivalDate().isPresent() && first.date().isPresent()) {
      Duration gap = Duration.between(first.date().get(), r.arrivalDate().get()).abs();
      if (gap.compareTo(CLOCK_SLACK) <= 0) {
        checks.add("Arrival-Date " + r.arrivalDate().get() + " agrees with hop " + start
            + " (" + gap.toSeconds() + " s apart)");
      } else {
        checks.add("Arrival-Date " + r.arrivalDate().get() + " is " + gap.toMinutes()
            + " min away from hop " + start + "'s date " + first.date().get() + ": DISAGREES");
      }
    }
    if (r.sourceIp().isPresent()) {
      String src = r.sourceIp().get();
      checks.add(src.equals(ip)
          ? "the report's Source-IP " + src + " (unverified) agrees"
          : "the report's Source-IP " + src + " (unverified) DISAGREES with the traced origin " + ip);
    }
  }

  private static boolean sameDomain(String a, String b) {
    String x = TrustConfig.normalizeHost(a);
    String y = TrustConfig.normalizeHost(b);
    int dx = x.indexOf('.');
    int dy = y.indexOf('.');
    return dx > 0 && dy > 0 && x.substring(dx).equals(y.substring(dy)) && x.substring(dx + 1).contains(".");
  }

  private static String describeClient(ReceivedHop h) {
    StringBuilder sb = new StringBuilder(h.fromIp().orElse("(no IP recorded)"));
    List<String> extra = new ArrayList<>();
    h.fromRdns().ifPresent(r -> extra.add("reverse DNS " + r
        + (h.flags().contains(HopFlag.MAY_BE_FORGED) ? ", may be forged" : "")));
    h.fromHelo().ifPresent(helo -> extra.add("HELO " + helo + ", never trusted"));
    if (!extra.isEmpty()) {
      sb.append(" (").append(String.join("; ", extra)).append(')');
    }
    return sb.toString();
  }

  private static List<TracedHop> mark(List<ReceivedHop> hops, int boundary) {
    List<TracedHop> out = new ArrayList<>(hops.size());
    for (int i = 0; i < hops.size(); i++) {
      HopTrust t = boundary < 0 || i > boundary ? HopTrust.CLAIMED
          : i == boundary ? HopTrust.BOUNDARY : HopTrust.TRUSTED;
      out.add(new TracedHop(i, hops.get(i), t));
    }
    return out;
  }

  /**
   * Names the lines in {@code [from, to)} that record a client but are no hop to a new one
   * (loopback hand-offs, retrievals, local deliveries), which the walk passes over.
   */
  private static String passedOver(List<ReceivedHop> hops, int from, int to) {
    List<String> names = new ArrayList<>();
    int more = 0;
    for (int i = from; i < to; i++) {
      ReceivedHop h = hops.get(i);
      if (h.passOver() && names.size() >= 4) {
        more++; // a hostile message may hold thousands: the text stays short
      } else if (h.passOver()) {
        names.add("hop " + i + " (" + (h.flags().contains(HopFlag.LOOPBACK_CLIENT) ? "loopback hand-off"
            : h.flags().contains(HopFlag.RETRIEVAL) ? "retrieval" : "local delivery") + ")");
      }
    }
    if (more > 0) {
      names.add(more + " more");
    }
    return names.isEmpty() ? "" : " (passed over, not hops to a new client: " + String.join(", ", names) + ")";
  }

  private static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
