package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

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
 *
 * <p>Every decision here (is a client ours, is a line written inside ours or inside a provider,
 * is it a loopback hand-off or a retrieval) reads only fields the {@link ReceivedParser} takes
 * from the MTA-written part of a line: the client IP and reverse DNS from the MTA's connection
 * comment, {@code by}/{@code with} and the flags from the text after it. {@code fromHelo} is only
 * ever shown ("HELO …, never trusted").
 */
final class OriginResolver {
  /** How far apart two clocks may be before a note says they disagree. */
  static final Duration CLOCK_SLACK = Duration.ofMinutes(10);

  /**
   * @param insideOurs the walk never left MTAs of ours: every client it met was trusted as ours
   *     (configured or mail-server role) and it ran off the bottom, or no line records a client
   *     and the top line's writer is ours. Then no host outside our mail path handed the message in.
   */
  record Result(List<TracedHop> hops, Optional<Origin> origin, List<String> warnings, boolean insideOurs) {
    Result(List<TracedHop> hops, Optional<Origin> origin, List<String> warnings) {
      this(hops, origin, warnings, false);
    }
  }

  private OriginResolver() {}

  /**
   * Whether a report's own header block shows that the report was written inside our mail
   * path: an MTA of ours generated it and only MTAs of ours handed it on. Only then are the
   * report's fields (Reporting-MTA) and its copy of the original the words of our MTA; a report
   * any outside host or lab PC handed in is entirely sender-writable, whatever MTA its
   * Reporting-MTA names (a forged bounce naming our MX is exactly that).
   *
   * <p>Two things must hold. (1) The trust walk over the report's own lines never leaves MTAs of
   * ours. (2) The lowest line shows our MTA <em>generating</em> the report, not a person
   * submitting it ({@link #generatedByOurMta}): a "bounce" typed into campus webmail and sent
   * through our MX passes (1), since webmail submits over loopback, through the local sendmail
   * pickup or from a host we trust, yet every line of its "original" is the composer's text
   * (issue 15, red-team finding: a hand-written bounce recorded against the lab PC it names).
   *
   * @param reportingMta the report's Reporting-MTA, when it has one
   */
  static boolean writtenInsideOurs(HeaderBlock reportHeaders, TrustConfig trust, Optional<String> reportingMta) {
    Objects.requireNonNull(reportHeaders, "reportHeaders");
    Objects.requireNonNull(reportingMta, "reportingMta");
    return resolve(reportHeaders, ComplaintKind.MESSAGE, Optional.empty(), trust, true).insideOurs()
        && generatedByOurMta(ReceivedParser.parseAll(reportHeaders.all("Received")), reportingMta);
  }

  /** Postfix's pickup line for mail a local user handed to {@code sendmail}: {@code (Postfix, from userid 33)}. */
  private static final Pattern PICKUP_USERID = Pattern.compile("(?i)\\bfrom userid\\s{0,4}\\d");
  /** Sendmail's submission line for a local user: {@code (from www@localhost) by host (8.17.1/8.17.1/Submit)}. */
  private static final Pattern SENDMAIL_SUBMIT = Pattern.compile("(?i)^\\s{0,8}\\(\\s{0,4}from\\s|/Submit\\)");
  /** qmail's line for a report it generated itself ({@code (qmail 123 invoked for bounce)}). */
  private static final Pattern QMAIL_BOUNCE = Pattern.compile("(?i)\\binvoked for bounce\\b");
  /** qmail's line below the SMTP line that recorded the client: the client line above is the one that counts. */
  private static final Pattern QMAIL_NETWORK = Pattern.compile("(?i)\\binvoked from network\\b");
  /** Exim's local submission line, {@code from <user> by host with local (Exim …)}: the user. */
  private static final Pattern EXIM_LOCAL_USER = Pattern.compile("(?i)^\\s{0,8}from\\s{1,8}([A-Za-z0-9._-]{1,64})\\s{1,8}by\\s");
  /**
   * The users Exim runs as when it writes a bounce itself (Debian's, Red Hat's, cPanel's, the
   * upstream default): {@code Received: from Debian-exim by mx with local (Exim 4.96)}. Any other
   * user with {@code with local} is a person or a script (webmail's PHP) on the MTA.
   */
  static final Set<String> EXIM_OWN_USERS = Set.of("debian-exim", "exim", "exim4", "mail", "mailnull", "mailer-daemon");

  /**
   * Whether the lowest line of a report's own chain is our MTA generating the report rather than a
   * submission. Every decision reads a line our MTAs wrote (the walk already showed that only MTAs
   * of ours handed the report on), never the report's text.
   *
   * <ul>
   *   <li>No line may record an authenticated client ({@link HopFlag#AUTHENTICATED}): an MTA's
   *       bounce is no user's login, a webmail's submission is.
   *   <li>A generation line without a {@code from} part ({@code Received: by mx1 (Postfix) id …},
   *       qmail's {@code invoked for bounce}) counts, unless it is a local user's pickup (Postfix
   *       {@code from userid N}, Sendmail {@code (from user@localhost) … /Submit}, qmail {@code
   *       invoked by uid/alias}).
   *   <li>Exim's {@code from <user> … with local} counts only for the MTA's own user ({@link
   *       #EXIM_OWN_USERS}).
   *   <li>A loopback client at the very bottom is a submission on the MTA itself (webmail, a cron
   *       job): a content filter's re-injection always has the real client's line below it. A
   *       retrieval or LMTP line at the bottom is no generation either.
   *   <li>A trusted MTA's own connection at the bottom (a relay of ours that wrote no line of its
   *       own for the report it generated, as the campus Postfix relay does) counts only when the
   *       report's Reporting-MTA names that very client (its reverse DNS as recorded, or its IP):
   *       the generator, the Reporting-MTA and, through {@link #rootConfirmed}, the writer of the
   *       original's top line are then one MTA of ours.
   * </ul>
   *
   * Known limit: a web form on a host trusted as an MTA that submits to our MX unauthenticated, on
   * a TCP connection, with a Reporting-MTA naming that host, cannot be told from that host's own
   * bounce. Do not trust a webmail host as an MTA (docs/triage.md).
   */
  static boolean generatedByOurMta(List<ReceivedHop> hops, Optional<String> reportingMta) {
    if (hops.isEmpty() || hops.stream().anyMatch(h -> h.flags().contains(HopFlag.AUTHENTICATED))) {
      return false;
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      ReceivedHop h = hops.get(i);
      String raw = h.raw();
      if (!h.parsed()) {
        return false;
      }
      if (h.flags().contains(HopFlag.NOT_A_HOP)) {
        if (QMAIL_NETWORK.matcher(raw).find()) {
          continue; // the SMTP line above it recorded the client
        }
        return QMAIL_BOUNCE.matcher(raw).find();
      }
      if (h.flags().contains(HopFlag.NO_FROM_PART)) {
        return !PICKUP_USERID.matcher(raw).find() && !SENDMAIL_SUBMIT.matcher(raw).find();
      }
      if (h.flags().contains(HopFlag.LOCAL_DELIVERY) && !h.flags().contains(HopFlag.LOOPBACK_CLIENT)) {
        Matcher user = EXIM_LOCAL_USER.matcher(raw);
        return user.find() && EXIM_OWN_USERS.contains(user.group(1).toLowerCase(Locale.ROOT));
      }
      if (h.passOver()) {
        return false; // loopback submission, retrieval, LMTP at the bottom
      }
      if (reportingMta.isEmpty()) {
        return false;
      }
      String mta = TrustConfig.normalizeHost(reportingMta.get());
      return h.verifiedRdns().map(TrustConfig::normalizeHost).map(mta::equals).orElse(false)
          || (h.fromIp().isPresent() && Ips.canonical(reportingMta.get().strip()).equals(h.fromIp()));
    }
    return false;
  }

  static Result resolve(
      HeaderBlock headers, ComplaintKind kind, Optional<ReportDetails> report, TrustConfig trust) {
    return resolve(headers, kind, report, trust, true);
  }

  /**
   * @param reportWrittenByUs for a bounce or ARF report: whether the report itself was written
   *     inside our mail path ({@link #writtenInsideOurs}); without it nothing in the report can
   *     make its original's lines ours. Ignored for messages and header blocks.
   */
  static Result resolve(HeaderBlock headers, ComplaintKind kind, Optional<ReportDetails> report,
      TrustConfig trust, boolean reportWrittenByUs) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(trust, "trust");
    List<ReceivedHop> hops = ReceivedParser.parseAll(headers.all("Received"));
    List<String> warnings = new ArrayList<>();
    if (hops.isEmpty()) {
      warnings.add("no Received: lines; no origin can be determined");
      return new Result(List.of(), Optional.empty(), warnings);
    }
    Optional<String> reversed = ReceivedOrder.oldestFirst(hops); // red-team round 7, S9
    if (reversed.isPresent()) {
      warnings.add(reversed.get());
      return new Result(mark(hops, -1, new TrustSource[hops.size()]), Optional.empty(), warnings);
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
      boolean topOurs = false;
      for (ReceivedHop h : hops) {
        if (h.parsed() && (h.byHost().isPresent() || h.byIp().isPresent())) {
          LearnedTrust l = trust.fleet().map(LearnedTrust::new).orElse(null);
          topOurs = startSource(ComplaintKind.MESSAGE, h, true, trust, Optional.empty(), l).ours();
          break;
        }
      }
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
      return new Result(mark(hops, -1, new TrustSource[hops.size()]), Optional.empty(), warnings, topOurs);
    }

    ReceivedHop first = hops.get(start);
    StringBuilder why = new StringBuilder(startReason(kind, start, first, report));
    why.append(passedOver(hops, 0, start));
    Optional<MailProviders.Provider> provider = trust.providers().writerOf(first);
    LearnedTrust learned = trust.fleet().map(LearnedTrust::new).orElse(null);
    boolean rootConfirmed = rootConfirmed(kind, first, report, reportWrittenByUs);
    TrustSource[] sources = new TrustSource[hops.size()];
    sources[start] = startSource(kind, first, rootConfirmed, trust, provider, learned);
    if (sources[start].ours()) {
      why.append(" (").append(sources[start].text()).append(')');
    }
    int boundary = start;
    String heldAgainstConfiguration = null;
    TrustDoubt doubt = null;
    boolean insideOurs = false;
    boolean allOurs = true;
    while (true) {
      ReceivedHop h = hops.get(boundary);
      Step step = trustedClient(boundary, h, sources[boundary], hopTime(hops, boundary), trust, provider, learned,
          nextClientLine(hops, boundary));
      if (step.source() == null) {
        Optional<ReSend> resend = reSend(hops, boundary, sources, trust, learned);
        if (resend.isPresent() && resend.get().deeper() >= 0) {
          // Round 7, S5: a re-sender, traced past to our MTA's own earlier hop.
          ReSend r = resend.get();
          if (!warnings.contains(r.warning())) {
            warnings.add(r.warning());
          }
          why.append("; ").append(r.reason());
          allOurs = false;
          if (heldAgainstConfiguration == null) {
            heldAgainstConfiguration = r.unrecordable(); // shown, not recorded: an MTA-bound client may be an innocent's
          }
          sources[r.own()] = r.ownSource();
          sources[r.deeper()] = r.deeperSource();
          boundary = r.deeper();
          continue;
        }
        if (resend.isPresent()) {
          ReSend r = resend.get();
          if (!warnings.contains(r.warning())) {
            warnings.add(r.warning());
          }
          why.append("; ").append(r.reason()).append(", so hop ").append(boundary).append(" is the boundary");
          if (doubt == null) {
            doubt = r.doubt();
          }
          if (heldAgainstConfiguration == null) {
            heldAgainstConfiguration = r.unrecordable();
          }
          break;
        }
        if (step.doubt() != null && doubt == null) {
          doubt = step.doubt(); // round 7, S1: a relay nobody declared, nothing corroborated below it
        }
        if (step.warning() != null && !warnings.contains(step.warning())) {
          warnings.add(step.warning());
        }
        why.append("; ").append(step.reason()).append(", so hop ").append(boundary).append(" is the boundary");
        if (step.warning() != null && !warnings.contains(step.warning())) {
          warnings.add(step.warning());
        }
        if (heldAgainstConfiguration == null) {
          heldAgainstConfiguration = step.unrecordable();
        }
        break;
      }
      why.append("; ").append(step.reason());
      if (step.warning() != null && !warnings.contains(step.warning())) {
        warnings.add(step.warning());
      }
      if (step.doubt() != null && doubt == null) {
        // The walk steps on (the real sender below stays a candidate), but configuration and the
        // fleet disagree about this line: nothing below it is established (round 6, N0d).
        doubt = step.doubt();
        heldAgainstConfiguration = step.unrecordable();
      }
      allOurs &= step.source().ours();
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
        insideOurs = allOurs;
        break;
      }
      if (!hops.get(next).parsed()) {
        warnings.add("hop " + next + " was written by a trusted MTA but could not be read; no"
            + " origin can be determined: " + shorten(hops.get(next).raw()));
        return new Result(mark(hops, next, sources), Optional.empty(), warnings);
      }
      why.append(passedOver(hops, boundary + 1, next));
      why.append(", so hop ").append(next).append(" (written by ")
          .append(hops.get(next).byHost().orElse("an unnamed MTA")).append(") is trusted too");
      sources[next] = step.source();
      boundary = next;
    }
    if (learned != null && learned.exhausted()) {
      warnings.add("the walk asked the fleet about " + LearnedTrust.MAX_LOOKUPS + " client addresses and"
          + " stopped asking; lower lines were judged by configuration and the provider list only");
    }

    ReceivedHop b = hops.get(boundary);
    List<TracedHop> traced = mark(hops, boundary, sources);
    TrustSource writer = sources[boundary];
    boolean recordable = writer.ours() && rootConfirmed && heldAgainstConfiguration == null;
    String recordableBecause = writer.ours() && rootConfirmed && heldAgainstConfiguration != null
        ? heldAgainstConfiguration
        : recordable
        ? "hop " + boundary + ", which gives the origin, was written by an MTA of ours: " + writer.text()
        : !rootConfirmed
            ? "every line of the " + (kind == ComplaintKind.ARF ? "reported" : "bounced") + " original could"
                + " have been written by the sender: nothing in the report confirms who wrote its top line"
                + (reportWrittenByUs ? " (no matching Reporting-MTA)"
                    : " (the report itself was not written inside our mail path: its own Received: lines show"
                        + " a client that is not an MTA of ours, none of ours, or a submission (an authenticated"
                        + " client, webmail or a local user's sendmail) rather than our MTA generating it; its"
                        + " Reporting-MTA and copy are the sender's words)")
            : "hop " + boundary + ", which gives the origin, was written by "
                + b.byHost().orElse("an unnamed MTA") + ", which is not an MTA of ours (" + writer.text()
                + "): nothing confirms it. If the mail passed through your own MX, name it on the Settings"
                + " page (or with --trust), or give its host the mail-server role (policy --mail-server)";
    if (!rootConfirmed) {
      warnings.add("the answer rests only on lines the sender could have written (no line of the embedded"
          + " original is confirmed as written by an MTA of ours): it is shown, never recorded as evidence");
    }
    if (b.fromIp().isEmpty()) {
      warnings.add("the boundary, hop " + boundary + ", records no client IP"
          + b.fromHelo().map(h -> " (only the HELO name '" + h + "')").orElse("")
          + "; no origin can be determined");
      return new Result(traced, Optional.empty(), warnings, insideOurs);
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
        // An answer is recordable only when the origin's IP and its time both rest on lines an
        // MTA of ours wrote (or our own report's Arrival-Date): with DHCP the time picks the
        // holder, so a sender's clock would let the sender pick whom the record blames. It may
        // rank candidates, never record.
        if (recordable) {
          recordable = false;
          recordableBecause = "hop " + boundary + ", which gives the origin's IP, was written by an MTA of ours ("
              + writer.text() + "), but the origin's time is the sender's own Date: header (no trusted"
              + " Received: line has a readable date): the sender's claim picks which host held the address"
              + " then, so the answer is shown, never recorded";
        }
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
    if (recordable && doubt == null && trust.fleet().isPresent()) {
      Optional<String> onlyVirtual = VirtualHolding.onlyVirtual(trust.fleet().get(), ip, time.get(), b.byIp(), trust,
          TriageOptions.defaults().egressSlack());
      if (onlyVirtual.isPresent()) {
        // Round 6, N0c: a virtual or container adapter's address is no evidence the host was the client.
        warnings.add(onlyVirtual.get());
        recordable = false;
        recordableBecause = onlyVirtual.get();
        doubt = new TrustDoubt("Not recorded: " + onlyVirtual.get() + ".", Set.of(), false);
      }
    }
    Origin origin = new Origin(ip, time.get(), boundary, b.raw(), b.byHost(), timeSource, why.toString(),
        checks, writer, recordable, recordableBecause, Optional.ofNullable(doubt));
    return new Result(traced, Optional.of(origin), warnings, insideOurs);
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

  /**
   * A configured entry that is not one exact address ({@code --trust 10.20.0.0/16}, {@code
   * *.campus.example.edu}, {@code relay.campus.example.edu}) covers the client, but no host holds
   * its address at the line's time: when the address's most recent holder was a lab host that fell
   * silent while holding it, not long ago ({@link LearnedTrust#lastLabHolder}), and no mail server
   * held it since, the client is that lab host, and lab machines are not MTAs. A network says where
   * MTAs may be, not that every machine in it is one, and a name is only DNS's word about the
   * address; only an exact address entry is the administrator's word about that machine (issue 15,
   * red-team rounds 3 (F2) and 4 (F1, F2)). The silent host is the candidate triage then ranks
   * ("silent since …").
   */
  private static Optional<Step> lastHeldByLabHost(ReceivedHop hop, String ip, Instant at, String entry,
      LearnedTrust learned, Optional<TriageEvidence> fleet) {
    return learned.lastLabHolder(ip, at).map(l -> {
      Optional<Step> conflict = virtualAdapterClaim(hop, ip, at, entry, l.holder(), fleet);
      if (conflict.isPresent()) {
        return conflict.get();
      }
      return new Step(null, "its client " + describeClient(hop)
          + " was last held before " + at + " by " + l.holder().hostname() + InterfaceKind.on(l.holder().interfaceName())
          + ", a LabScan host without the mail-server role, silent since "
          + l.lastSeen().map(Instant::toString).orElse("its last report") + " without reporting the address gone,"
          + " and by no mail server since; --trust " + entry + " is " + (networkEntry(entry)
              ? "a network, not a statement that every machine in it is an MTA"
              : "a name, and which address carries it is DNS's word, not yours")
          + ", and lab machines are not MTAs");
    });
  }

  /**
   * An exact {@code --trust} entry whose address a lab host (no mail-server role, no mail server
   * holding it too) held at the line's time on an ordinary NIC ({@link VirtualHolding#virtual} false):
   * a conflict between configuration and the fleet (issue 15, red-team round 6, N0d). Either the
   * MTA was renumbered and DHCP handed its address to that lab PC (then the lines below are the
   * worm's, written on that PC, and may name an innocent host), or the lab PC's agent lies (round
   * 3, F1: then the line is the MTA's and the sender is below). The walk cannot tell, so it steps
   * on as before (a lying agent must not hide the real sender: whoever the lines below give stays
   * a candidate), but the answer is never recorded while the conflict stands, the claiming host is
   * a candidate too (the liar or the sender), and every candidate is capped below recording
   * ({@link TrustDoubt#capAll}). A claim on a virtual adapter stays the ignored false claim it was
   * (round 4, F6: such an address need not be where the MTA saw it).
   */
  private static Optional<Step> contestedExactEntry(int index, ReceivedHop hop, String ip, Instant at, String entry,
      List<LearnedTrust.Holder> holders, TrustConfig trust) {
    Optional<TriageEvidence> fleet = trust.fleet();
    if (fleet.isEmpty()) {
      return Optional.empty();
    }
    Set<String> lab = new java.util.LinkedHashSet<>();
    holders.stream().filter(x -> !x.mailServer()).forEach(x -> lab.add(x.hostId()));
    java.util.Map<String, AddressHolding> ordinary = new java.util.LinkedHashMap<>();
    for (AddressHolding h : fleet.get().holdersOf(ip, at)) {
      if (lab.contains(h.hostId()) && h.covers(at) && Ips.canonical(h.ip()).map(ip::equals).orElse(false)
          && !ordinary.containsKey(h.hostId()) && ordinary.size() < VirtualHolding.MAX_HOLDERS
          && !VirtualHolding.virtual(h, fleet.get(), at)) {
        ordinary.put(h.hostId(), h);
      }
    }
    if (ordinary.isEmpty()) {
      return Optional.empty();
    }
    String who = ordinary.values().stream().map(h -> h.hostname() + " (" + h.hostId() + ")"
        + InterfaceKind.on(h.interfaceName())).collect(java.util.stream.Collectors.joining(", "));
    Optional<String> falseClaim = ExtraAddressClaim.falseClaim(fleet.get(), ip, at, ordinary.values(), entry);
    if (falseClaim.isPresent()) {
      // Round 8, T6: the claim is an extra address beside the claimant's own, and the fleet shows
      // the address still acting as the MTA it was before the claim began: a false claim, flagged.
      return Optional.of(new Step(TrustSource.configured(entry), "its client " + ip + " is trusted (--trust " + entry
          + " names exactly that MTA; " + who + " reported it too, beside its own address: a false claim, ignored)",
          falseClaim.get()));
    }
    String claim = "hop " + index + "'s client " + ip + " is claimed by " + who + " at " + at
        + ", and the configuration calls it an MTA (--trust " + entry + ")";
    String fixes = "either the MTA was renumbered and the address now belongs to that lab host (remove the stale"
        + " entry --trust " + entry + ": the lab host is then the client, and may be the sender), or that host's"
        + " agent lies about its addresses (find the lying agent: the line is then the MTA's and the sender is"
        + " below it)";
    String warning = claim + ": a false claim (a lying agent) or a stale entry, a conflict between configuration"
        + " and the fleet. The walk steps on through the"
        + " line as configured, but no sender is established and nothing is recorded while it stands; the"
        + " claiming host and the hosts the lines below give are candidates, all capped below recording. Fix: "
        + fixes;
    return Optional.of(new Step(TrustSource.configured(entry), "its client " + ip + " is trusted (--trust " + entry
        + "), but " + who + " held it at " + at + " on an ordinary interface: a conflict the walk does not resolve",
        warning,
        "the configuration (--trust " + entry + ") says hop " + index + "'s client " + ip + " is an MTA, but "
            + who + " held it: a conflict between configuration and the fleet that an administrator must resolve ("
            + fixes + ") before the answer is evidence",
        new TrustDoubt("No sender is established: " + claim + ". Either is possible: " + fixes + ".",
            ordinary.keySet(), true)));
  }

  /**
   * A lab host's holding of an address that configuration says is an MTA's (a network or a name
   * entry, never an exact address: that one makes the claim a false one), reported on a virtual
   * or tunnel adapter ({@link InterfaceKind}): a flagged conflict (issue 15, red-team round 4,
   * F6). A host-only VM network, a container bridge or a VPN pool may reuse the campus numbering,
   * so the address need not be where the MTA saw it, and the line may well be the relay's. The
   * walk still stops here (the claim is a report, and a VPN client's tunnel address may be where
   * the MTA saw it: stepping into the lines below could trust the sender's own forgeries), but the
   * answer is shown, never recorded, until an administrator says which it is: the mail-server role
   * for the host if it relays, or an exact address entry ({@code --trust 10.20.0.25}) for the MTA,
   * which turns the claim into a flagged false one and lets the walk pass on. A holding on a
   * physical interface (or one whose interface is unknown) stays plain evidence: a lab PC's own
   * address inside a broad trusted network is the everyday case, and must stay recordable.
   */
  private static Optional<Step> virtualAdapterClaim(ReceivedHop hop, String ip, Instant at, String entry,
      LearnedTrust.Holder holder, Optional<TriageEvidence> fleet) {
    Optional<String> kind = InterfaceKind.describe(holder.interfaceName());
    // A "virtual" name on the host's only address, or in its ordinary NIC's subnet, is its LAN
    // address (VirtualHolding, N1): the same rule as ranking's, not the name alone.
    if (kind.isEmpty() || !VirtualHolding.virtual(holder.hostId(), ip, holder.interfaceName(), fleet, at)) {
      return Optional.empty();
    }
    String claim = holder.hostname() + " (" + holder.hostId() + ") reports " + ip + ", inside --trust " + entry
        + "," + InterfaceKind.on(holder.interfaceName());
    return Optional.of(new Step(null, "its client " + describeClient(hop) + " is claimed at " + at + " by "
        + holder.hostname() + InterfaceKind.on(holder.interfaceName()) + ", " + kind.get()
        + ", a LabScan host without the mail-server role, although --trust " + entry + " covers it: a conflict"
        + " the walk does not resolve on its own",
        claim + " (" + kind.get() + "), at " + at + ": the configuration says an MTA has this address, the"
            + " fleet says a lab host does. The walk stops at this line, conservatively, and the answer is shown,"
            + " never recorded, until you resolve it: if " + holder.hostname() + " relays mail, give it the"
            + " mail-server role (policy --mail-server); if the MTA has this address, trust it exactly"
            + " (--trust " + ip + "), and the claim is then ignored",
        "the boundary's client " + ip + " is covered by --trust " + entry + ", but " + claim
            + ", " + kind.get() + ": a conflict between configuration and the fleet that an administrator must"
            + " resolve (mail-server role for the host, or --trust " + ip + ") before the answer is evidence"));
  }

  /**
   * A LabScan host without the mail-server role holds the client address of a trusted line, and
   * wrote a line of its own below it: it acts as a relay the administrator has not declared (issue
   * 15, red-team round 7, S1). Stopping the walk at it as "a lab machine" records the relay, and
   * with auto-quarantine stops a department's mail, while the worm host behind it goes free.
   *
   * <ul>
   *   <li>When the host the line below names as its client corroborates that line with its own
   *       agent's claims ({@link RelayCorroboration#sender}: it held that address and sent
   *       unallowed SMTP to the relay's address then), the relay really relayed: the walk steps
   *       through it (its line is {@link TrustSource.Kind#CORROBORATED}), so the relay is never the
   *       boundary and the client below is the candidate, recorded only as the ordinary rules
   *       allow. A forger cannot manufacture that: it needs the accused host's own report of a
   *       connection to the forger.
   *   <li>Otherwise, when a configured entry (an exact name, or a network) covers the host, the
   *       administrator's word (an MTA) and the fleet (a lab host) disagree, and nothing settles
   *       it: unless the host's own agent reported unallowed SMTP to the MTA that wrote the line
   *       (then it is the sender, as before), the walk stops at it, the answer is shown, never
   *       recorded, every candidate capped, and nothing the lines below it name is a candidate
   *       (they are the host's own words).
   *   <li>A relay that is itself the worm host (its own SMTP to our MTA, nobody below whose own
   *       SMTP reached it) and a host nobody declared stay the boundary, as before.
   * </ul>
   */
  private static Optional<Step> undeclaredRelay(int index, ReceivedHop hop, String ip, Instant at,
      LearnedTrust.Holder relay, Optional<String> covering, TrustConfig trust, Optional<ReceivedHop> written,
      @Nullable String stalePtr) {
    Optional<TriageEvidence> fleet = trust.fleet();
    if (fleet.isEmpty() || written.isEmpty() || written.get().fromIp().isEmpty()) {
      return Optional.empty();
    }
    java.time.Duration slack = TriageOptions.defaults().egressSlack();
    String who = relay.hostname() + " (" + relay.hostId() + ")";
    String fix = "give it the mail-server role (policy --mail-server " + relay.hostId() + ") or trust it by its"
        + " exact address (--trust " + ip + ")";
    String below = written.get().fromIp().get();
    Optional<AddressHolding> sender = RelayCorroboration.sender(fleet.get(), Set.of(relay.hostId()), below, at,
        List.of(ip), slack);
    if (sender.isPresent()) {
      AddressHolding s = sender.get();
      String story = who + " at " + ip + " relayed this message: the line it wrote below hop " + index
          + " records the client " + below + ", which " + s.hostname() + " (" + s.hostId() + ") held at " + at
          + ", and " + s.hostname() + "'s own agent reported unallowed SMTP to " + ip + " then";
      return Optional.of(new Step(TrustSource.corroborated("undeclared relay " + relay.hostname() + ", corroborated by "
          + s.hostname() + "'s own SMTP to " + ip),
          "its client " + ip + " was held at " + at + " by " + relay.hostname() + ", a LabScan host without the"
              + " mail-server role, but " + story + ": a relay, traced past",
          story + ". It is a relay you have not declared, never recorded as the sender: " + fix));
    }
    if (covering.isEmpty()) {
      return Optional.empty();
    }
    List<String> writers = hop.byIp().map(List::of).orElse(List.of());
    if (RelayCorroboration.sentItself(fleet.get(), relay.hostId(), writers, at, slack)) {
      return Optional.empty(); // its own SMTP to the MTA that recorded it: the sender, as before
    }
    String conflict = "hop " + index + "'s client " + ip + " is covered by --trust " + covering.get()
        + " and was held at " + at + " by " + who + ", a LabScan host without the mail-server role that wrote a"
        + " line of its own below (a relay?); no host below corroborates that line and its own agent reported no"
        + " SMTP to the MTA that recorded it";
    return Optional.of(new Step(null, "its client " + describeClient(hop) + " was held at " + at + " by "
        + relay.hostname() + ", a LabScan host without the mail-server role, although --trust " + covering.get()
        + " covers it: a relay you have not declared, or a lab host; the walk does not resolve it",
        conflict + ": a relay you have not declared, or a lab host behind a stale entry. The answer is shown,"
            + " never recorded, until you resolve it: if " + relay.hostname() + " relays mail, " + fix
            + (stalePtr == null ? "" : ". Or " + stalePtr),
        "the configuration (--trust " + covering.get() + ") and the fleet disagree about " + who
            + ": a relay you have not declared, or a lab host (" + fix + ") before the answer is evidence",
        new TrustDoubt("No sender is established: " + conflict + ". If " + relay.hostname() + " relays mail, "
            + fix + ".", Set.of(), true)));
  }

  /** How long before the line our MTA wrote about a re-sender its own earlier hop may be dated and still be traced. */
  static final Duration MAX_RESEND_DELAY = Duration.ofHours(1);

  /**
   * A boundary that re-sent the message (issue 15, red-team round 7, S5).
   *
   * @param own the re-sender's own line, which records our MTA as its client
   * @param deeper our MTA's own earlier hop below it, when the fleet corroborates it; -1 when not
   */
  private record ReSend(int own, int deeper, String reason, String warning, @Nullable TrustSource ownSource,
      @Nullable TrustSource deeperSource, @Nullable String unrecordable, @Nullable TrustDoubt doubt) {}

  /**
   * A boundary host whose own line directly below its hop records receipt of the message from one
   * of our MTAs, by address (an exact {@code --trust} address, a host with the mail-server role, or
   * the address a line of ours gives its own writer; never a HELO or a name the host wrote): a lab
   * host that re-sends mail (a {@code .forward}, a Sieve redirect, a mailing list) took the worm's
   * message from our MTA and handed it back, and the complaint shows it as the boundary (issue 15,
   * red-team round 7, S5). It is never recorded, and never "Sent by".
   *
   * <p>Everything below the boundary is that host's own text, so the line "our MTA delivered it to
   * me", and the MTA's earlier hop below it, may be the worm's forgery, naming an innocent. The walk
   * traces past the re-sender only when the fleet corroborates our MTA's earlier hop ({@link
   * RelayCorroboration#sender}): the host it names as the client held that address by its own
   * report and its own agent reported unallowed SMTP to our MTA then (a forger cannot make another
   * host's agent say that), and that hop is dated within {@link #MAX_RESEND_DELAY} before the
   * re-send. Then that hop counts as our MTA's and the walk goes on with the same rules, but the answer is
   * shown, never recorded: a host's SMTP to our own MX is everyday mail (a mail client not on the
   * allow-list), so a forger could name any host that mailed then. Otherwise
   * the host stays the boundary (a forged line does not clear it from the answer), the answer is
   * shown, never recorded, every candidate capped, and nobody the lines below name is a candidate.
   */
  private static Optional<ReSend> reSend(List<ReceivedHop> hops, int boundary, TrustSource[] sources,
      TrustConfig trust, @Nullable LearnedTrust learned) {
    ReceivedHop b = hops.get(boundary);
    Optional<Instant> at = hopTime(hops, boundary);
    int own = nextLine(hops, boundary);
    if (own < 0 || !hops.get(own).parsed() || b.fromIp().isEmpty() || at.isEmpty()) {
      return Optional.empty();
    }
    ReceivedHop line = hops.get(own);
    Optional<String> mtaIp = line.fromIp();
    if (mtaIp.isEmpty() || mtaIp.equals(b.fromIp())) {
      return Optional.empty();
    }
    List<String> ourMtas = new ArrayList<>(trust.exactAddresses());
    for (int i = 0; i <= boundary; i++) {
      TrustSource s = sources[i];
      if (s != null && s.ours()) {
        hops.get(i).byIp().filter(ip -> !ourMtas.contains(ip)).ifPresent(ourMtas::add);
      }
    }
    boolean role = learned != null && learned.holders(mtaIp.get(), at.get()).stream()
        .anyMatch(LearnedTrust.Holder::mailServer);
    if (role) {
      ourMtas.add(mtaIp.get());
    }
    if (!ourMtas.contains(mtaIp.get())) {
      return Optional.empty();
    }
    String resender = b.verifiedRdns().or(line::byHost).orElse(b.fromIp().get());
    String mta = line.verifiedRdns().map(n -> n + " (" + mtaIp.get() + ")").orElse(mtaIp.get());
    String mtaName = line.verifiedRdns().orElse(mtaIp.get());
    int deeper = nextLine(hops, own);
    Optional<ReceivedHop> earlier = deeper < 0 ? Optional.empty() : Optional.of(hops.get(deeper)).filter(ReceivedHop::parsed);
    Optional<Instant> earlierAt = earlier.flatMap(ReceivedHop::date).or(() -> at)
        .filter(t -> !t.isAfter(at.get().plus(CLOCK_SLACK)) && !t.isBefore(at.get().minus(MAX_RESEND_DELAY)));
    Optional<AddressHolding> sender = Optional.empty();
    if (earlier.flatMap(ReceivedHop::fromIp).isPresent() && earlierAt.isPresent() && trust.fleet().isPresent()) {
      Set<String> resenders = new java.util.HashSet<>();
      trust.fleet().get().holdersOf(b.fromIp().get(), at.get()).forEach(h -> resenders.add(h.hostId()));
      sender = RelayCorroboration.sender(trust.fleet().get(), resenders, earlier.get().fromIp().get(),
          earlierAt.get(), ourMtas, TriageOptions.defaults().egressSlack());
    }
    String says = resender + " (hop " + boundary + "'s client " + b.fromIp().get() + ") records, in the line it"
        + " wrote below (hop " + own + "), that it received this message from " + mta + ", an MTA of ours";
    if (sender.isPresent()) {
      AddressHolding s = sender.get();
      String past = resender + " re-sent the message it received from " + mtaName + " (a forward or list); traced"
          + " past it: " + mtaName + "'s own earlier hop (hop " + deeper + ") records " + earlier.get().fromIp().get()
          + ", which " + s.hostname() + " (" + s.hostId() + ") held, and " + s.hostname() + "'s own agent reported"
          + " unallowed SMTP to our MTA then";
      return Optional.of(new ReSend(own, deeper, past + "; " + resender + " is never recorded as the sender",
          past + ". " + resender + " is not the sender and is never recorded on this answer",
          TrustSource.corroborated("re-sender " + resender + " (its line records our MTA " + mta + " as its client)"),
          TrustSource.corroborated("our MTA " + mtaName + "'s earlier hop, corroborated by " + s.hostname()
              + "'s own SMTP to it"),
          "the lines below " + resender + " are its own words, and " + s.hostname() + "'s SMTP to our MTA may be"
              + " its own mail client's: the answer traced past a re-sender is shown, never recorded", null));
    }
    String unconfirmed = says + ": a re-sender (a forward or list), or a host that wrote those lines itself."
        + " Nothing the fleet reported confirms the lines below it (no host they name reported its own SMTP to our"
        + " MTA then), so the walk does not trace past it";
    return Optional.of(new ReSend(own, -1, says + ", a re-sender or a forgery, unconfirmed",
        unconfirmed + ": the answer is shown, never recorded, and the hosts those lines name are no candidates",
        null, null,
        unconfirmed + "; a re-sender must not be recorded as the sender, and the lines below are its own words",
        new TrustDoubt("No sender is established: " + resender + " may have re-sent a message it received from "
            + mtaName + " (a forward or list), and nothing confirms the lines below it.", Set.of(), true)));
  }

  /** The next line below {@code index} that records a client or cannot be read; -1 when none. */
  private static int nextLine(List<ReceivedHop> hops, int index) {
    for (int j = index + 1; j < hops.size(); j++) {
      if (!hops.get(j).parsed() || hops.get(j).recordsClient()) {
        return j;
      }
    }
    return -1;
  }

  /** True for a configured entry covering more than one machine: a CIDR wider than /32 (/128), or a {@code *.} suffix. */
  private static boolean networkEntry(String entry) {
    String e = entry.trim();
    if (e.startsWith("*.")) {
      return true;
    }
    int slash = e.indexOf('/');
    if (slash < 0) {
      return false;
    }
    int bits = Ips.toBytes(e.substring(0, slash)).map(b -> b.length * 8).orElse(-1);
    String prefix = e.substring(slash + 1);
    return bits > 0 && prefix.matches("\\d{1,3}") && Integer.parseInt(prefix) < bits;
  }

  /**
   * One step of the walk.
   *
   * @param unrecordable when the step ends the walk on a claim that contradicts configuration and
   *     needs an administrator's word first: why the answer is shown, never recorded
   */
  private record Step(@Nullable TrustSource source, String reason, @Nullable String warning,
      @Nullable String unrecordable, @Nullable TrustDoubt doubt) {
    Step(@Nullable TrustSource source, String reason) {
      this(source, reason, null, null, null);
    }

    Step(@Nullable TrustSource source, String reason, @Nullable String warning) {
      this(source, reason, warning, null, null);
    }

    Step(@Nullable TrustSource source, String reason, @Nullable String warning, @Nullable String unrecordable) {
      this(source, reason, warning, unrecordable, null);
    }
  }

  /**
   * Is the client of this line (written by an MTA the walk trusts) an MTA we trust too?
   * A LabScan host without the mail-server role never is, whatever configuration or the
   * provider walk would say: lab machines are not MTAs. Private addresses are compared with
   * the fleet's only in lines not written inside a provider (a provider's private network is
   * not ours).
   */
  private static Step trustedClient(int index, ReceivedHop hop, TrustSource writer, Optional<Instant> at,
      TrustConfig trust, Optional<MailProviders.Provider> provider, @Nullable LearnedTrust learned,
      Optional<ReceivedHop> written) {
    Optional<String> ip = hop.fromIp();
    Optional<String> rdns = hop.verifiedRdns();
    Optional<String> configuredIp = ip.flatMap(trust::entryForIp);
    Optional<String> configuredName = rdns.flatMap(trust::entryForHost);
    List<LearnedTrust.Holder> holders = List.of();
    boolean askFleet = learned != null && ip.isPresent() && at.isPresent()
        && (writer.kind() != TrustSource.Kind.PROVIDER || !Ips.isPrivateOrLocal(ip.get()));
    if (askFleet) {
      holders = Objects.requireNonNull(learned, "learned").holders(ip.get(), at.get());
    }
    Optional<LearnedTrust.Holder> server = holders.stream().filter(LearnedTrust.Holder::mailServer).findFirst();
    Optional<LearnedTrust.Holder> agent = holders.stream().filter(x -> !x.mailServer()).findFirst();
    // An entry naming exactly this address (a single IP, /32, /128) is the administrator's word
    // about one MTA: an agent claiming that address is a liar to flag, never the boundary (issue
    // 15, red-team round 3, F1). Networks wider than one address and names (DNS's word about the
    // address, round 4 F2) give way to an agent host's holding.
    Optional<String> exactEntry = agent.isPresent() ? trust.exactAddressEntryFor(ip) : Optional.empty();
    if (server.isEmpty() && agent.isPresent() && exactEntry.isPresent()) {
      Optional<Step> contested = contestedExactEntry(index, hop, ip.orElseThrow(), at.orElseThrow(),
          exactEntry.get(), holders, trust);
      if (contested.isPresent()) {
        return contested.get();
      }
      return new Step(TrustSource.configured(exactEntry.get()), "its client " + ip.or(() -> rdns).orElseThrow()
          + " is trusted (--trust " + exactEntry.get() + " names exactly that MTA; " + agent.get().hostname()
          + " reported it too: ignored, a configured single MTA is not a lab machine's to claim)",
          agent.get().hostname() + " (" + agent.get().hostId() + ") claims " + ip.or(() -> rdns).orElseThrow()
              + ", the address of the configured MTA --trust " + exactEntry.get() + ", at " + at.orElseThrow()
              + ": a false claim (a lying agent, or a misconfiguration); the claim was ignored");
    }
    if (server.isEmpty() && agent.isPresent()) {
      Optional<String> covering = configuredIp.or(() -> configuredName);
      // Another lab host holding the address on an ordinary NIC at the same time makes the
      // holding plain evidence (triage ranks the claimants as a conflict); only when every lab
      // holder's claim lies on a virtual adapter is the line a conflict with configuration.
      boolean onlyVirtual = covering.isPresent() && holders.stream().filter(x -> !x.mailServer()).limit(
          VirtualHolding.MAX_HOLDERS).allMatch(x -> VirtualHolding.virtual(x.hostId(), ip.orElseThrow(),
              x.interfaceName(), trust.fleet(), at.orElseThrow()));
      if (covering.isPresent() && onlyVirtual) {
        Optional<Step> conflict = virtualAdapterClaim(hop, ip.orElseThrow(), at.orElseThrow(), covering.get(),
            agent.get(), trust.fleet());
        if (conflict.isPresent()) {
          return conflict.get();
        }
      }
      String also = covering.map(e -> " (although --trust " + e + " covers it)").orElse("");
      // The recorded reverse DNS of a lab host's address names a configured MTA: a stale PTR (the
      // relay was renumbered and DHCP handed the address out), a name the PC registered through
      // DDNS, or an unconfirmed PTR. The holding stands; the administrator should hear of it.
      String stalePtr = configuredIp.isEmpty() && configuredName.isPresent()
          ? "the reverse DNS of " + agent.get().hostname() + " (" + agent.get().hostId() + ")'s address "
              + ip.orElseThrow() + ", as recorded at " + at.orElseThrow() + ", is " + rdns.orElseThrow()
              + ", which --trust " + configuredName.get() + " names as an MTA: a stale PTR record (the MTA"
              + " was renumbered and the address handed out again?) or a name the PC registered in DNS; the"
              + " lab host's holding wins (lab machines are not MTAs). If the MTA really has this address,"
              + " trust it by address (--trust " + ip.orElseThrow() + ") and fix the PTR record"
          : null;
      boolean oneLabHolder = holders.stream().filter(x -> !x.mailServer()).count() == 1;
      Optional<Step> relay = oneLabHolder
          ? undeclaredRelay(index, hop, ip.orElseThrow(), at.orElseThrow(), agent.get(), covering, trust, written,
              stalePtr)
          : Optional.empty();
      if (relay.isPresent()) {
        return relay.get();
      }
      return new Step(null, "its client " + describeClient(hop) + " was held at " + at.get() + " by "
          + agent.get().hostname() + ", a LabScan host without the mail-server role" + also
          + "; lab machines are not MTAs (if that host relays mail, give it the mail-server role)", stalePtr);
    }
    // A network entry, or a name entry when no entry covers the address: neither is the
    // administrator's word about this one address, so both give way to a lab host's silent holding.
    Optional<String> givesWay = configuredIp.filter(OriginResolver::networkEntry)
        .or(() -> configuredIp.isEmpty() ? configuredName : Optional.empty());
    // An exact address entry for this machine is the administrator's word about it and wins over
    // that rule, as it does over an agent's claim above.
    if (askFleet && server.isEmpty() && agent.isEmpty() && givesWay.isPresent()
        && trust.exactAddressEntryFor(ip).isEmpty()) {
      Optional<Step> lab = lastHeldByLabHost(hop, ip.get(), at.get(), givesWay.get(),
          Objects.requireNonNull(learned, "learned"), trust.fleet());
      if (lab.isPresent()) {
        return lab.get();
      }
    }
    // Covered only by a network or *. suffix: step through only on evidence that the client is an
    // MTA (mail-server role, an exact entry, its own FQDN as HELO), else a NAT or proxy passes the
    // sender's mail and its forged line below (issue 15, red-team round 5, R4; NetworkCoverage).
    // Only the provider walk below may still trust such a client (a provider's own line).
    Optional<String> networkEntry = configuredIp.filter(OriginResolver::networkEntry)
        .or(() -> configuredIp.isEmpty() ? configuredName.filter(OriginResolver::networkEntry) : Optional.empty());
    boolean namedExactly = trust.exactAddressEntryFor(ip).isPresent()
        || configuredName.filter(e -> !networkEntry(e)).isPresent();
    boolean mtaUnshown = networkEntry.isPresent() && server.isEmpty() && !namedExactly
        && (learned == null || rdns.flatMap(learned::named).isEmpty())
        && !(askFleet && Objects.requireNonNull(learned, "learned").lastHeldByMailServer(ip.get(), at.get()))
        && NetworkCoverage.ownName(hop, written).isEmpty();
    String ignored = agent.map(a -> " (" + a.hostname() + " reported it too; ignored: only the mail"
        + " server's own report counts)").orElse("");
    if (configuredIp.isPresent() && !mtaUnshown) {
      return new Step(TrustSource.configured(configuredIp.get()),
          "its client " + ip.get() + " is trusted (--trust " + configuredIp.get() + ")" + ignored);
    }
    if (configuredName.isPresent() && !mtaUnshown) {
      return new Step(TrustSource.configured(configuredName.get()), "its client " + rdns.get()
          + " (reverse DNS as recorded) is trusted (--trust " + configuredName.get() + ")" + ignored);
    }
    if (server.isPresent()) {
      return new Step(TrustSource.mailServer(server.get().hostname(), "held " + ip.get()),
          "its client " + ip.get() + " was held at " + at.get() + " by " + server.get().hostname()
              + ", a host with the mail-server role" + ignored);
    }
    if (learned != null && rdns.isPresent()) {
      Optional<MailServerHost> named = learned.named(rdns.get());
      if (named.isPresent()) {
        return new Step(TrustSource.mailServer(named.get().hostname(), "reverse DNS " + rdns.get()),
            "its client " + rdns.get() + " (reverse DNS as recorded) is " + named.get().hostname()
                + ", a host with the mail-server role");
      }
    }
    Optional<String> inside = insideProvider(index, hop, provider);
    if (inside.isPresent()) {
      return new Step(TrustSource.provider(provider.orElseThrow().name()), inside.get());
    }
    if (mtaUnshown) {
      return new Step(null, NetworkCoverage.notShown(hop, networkEntry.orElseThrow()),
          NetworkCoverage.warning(index, hop, networkEntry.orElseThrow()));
    }
    return new Step(null, "its client " + describeClient(hop) + " is not a trusted MTA");
  }

  private static Optional<String> insideProvider(
      int index, ReceivedHop hop, Optional<MailProviders.Provider> provider) {
    Optional<String> ip = hop.fromIp();
    Optional<String> rdns = hop.verifiedRdns();
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

  /**
   * Who wrote the start line. It is taken as given for the walk; it counts as ours when its
   * writer names itself (by name or IP) as a configured MTA or a mail server, because nothing
   * below the delivering MTA's line can overwrite it. In a bounce or report the embedded
   * original may be as the sender wrote it, so there its top line counts only when the report's
   * Reporting-MTA confirms its writer.
   */
  private static TrustSource startSource(ComplaintKind kind, ReceivedHop first, boolean rootConfirmed,
      TrustConfig trust, Optional<MailProviders.Provider> provider, @Nullable LearnedTrust learned) {
    if (!rootConfirmed) {
      return TrustSource.delivering("top line of the embedded original, unconfirmed (the sender could have"
          + " written it)");
    }
    Optional<String> configured = first.byIp().flatMap(trust::entryForIp)
        .or(() -> first.byHost().flatMap(trust::entryForHost));
    if (configured.isPresent()) {
      return TrustSource.configured(configured.get());
    }
    if (learned != null) {
      Optional<MailServerHost> named = first.byHost().flatMap(learned::named);
      if (named.isPresent()) {
        return TrustSource.mailServer(named.get().hostname(), "named " + first.byHost().get());
      }
      if (first.byIp().isPresent() && first.date().isPresent()) {
        Optional<LearnedTrust.Holder> server = learned.holders(first.byIp().get(), first.date().get()).stream()
            .filter(LearnedTrust.Holder::mailServer).findFirst();
        if (server.isPresent()) {
          return TrustSource.mailServer(server.get().hostname(), "held " + first.byIp().get());
        }
      }
    }
    if (provider.isPresent()) {
      return TrustSource.provider(provider.get().name());
    }
    return TrustSource.delivering(kind == ComplaintKind.MESSAGE || kind == ComplaintKind.HEADERS
        ? "delivering MTA (top line)" : "reporting MTA (top line of the original)");
  }

  /**
   * A message's top line is the delivering MTA's. A bounce's or report's embedded original
   * counts only when the report itself was written inside our mail path (its own Received: lines
   * show no client outside our MTAs) <em>and</em> it names the MTA that wrote the original's top
   * line (Reporting-MTA). Reporting-MTA alone is a field the sender of a forged report writes.
   */
  private static boolean rootConfirmed(ComplaintKind kind, ReceivedHop first, Optional<ReportDetails> report,
      boolean reportWrittenByUs) {
    if (kind == ComplaintKind.MESSAGE || kind == ComplaintKind.HEADERS) {
      return true;
    }
    if (!reportWrittenByUs) {
      return false;
    }
    Optional<String> mta = report.flatMap(ReportDetails::reportingMta);
    if (mta.isEmpty() || first.byHost().isEmpty()) {
      return false;
    }
    String writer = first.byHost().get();
    return ClientCrossCheck.writtenBy(mta.get(), writer) || ClientCrossCheck.writtenBy(writer, mta.get())
        || sameDomain(mta.get(), writer);
  }

  /** The next line below {@code index} that records a client (the line its client wrote, if an MTA). */
  private static Optional<ReceivedHop> nextClientLine(List<ReceivedHop> hops, int index) {
    for (int j = index + 1; j < hops.size(); j++) {
      if (hops.get(j).recordsClient()) {
        return Optional.of(hops.get(j));
      }
    }
    return Optional.empty();
  }

  /** The line's own date, else the nearest date above it (written later by a trusted MTA). */
  private static Optional<Instant> hopTime(List<ReceivedHop> hops, int index) {
    for (int i = index; i >= 0; i--) {
      if (hops.get(i).date().isPresent()) {
        return hops.get(i).date();
      }
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
        + (h.flags().contains(HopFlag.MAY_BE_FORGED) ? ", may be forged" : "")
        + (h.flags().contains(HopFlag.RDNS_UNCONFIRMED) ? ", not confirmed by a forward lookup" : "")));
    h.fromHelo().ifPresent(helo -> extra.add("HELO " + helo + ", never trusted"));
    if (!extra.isEmpty()) {
      sb.append(" (").append(String.join("; ", extra)).append(')');
    }
    return sb.toString();
  }

  private static List<TracedHop> mark(List<ReceivedHop> hops, int boundary, TrustSource[] sources) {
    List<TracedHop> out = new ArrayList<>(hops.size());
    for (int i = 0; i < hops.size(); i++) {
      HopTrust t = boundary < 0 || i > boundary ? HopTrust.CLAIMED
          : i == boundary ? HopTrust.BOUNDARY : HopTrust.TRUSTED;
      out.add(new TracedHop(i, hops.get(i), t,
          t == HopTrust.CLAIMED ? Optional.empty() : Optional.ofNullable(sources[i])));
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
