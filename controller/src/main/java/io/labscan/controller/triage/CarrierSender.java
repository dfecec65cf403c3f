package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who handed in a message that carries another one: a person forwarding a complaint, or a lab
 * host's own software (a worm) mailing straight to our MX a message it wrote around a crafted
 * "forwarded" one (issue 15, red-team finding 2).
 *
 * <p><b>Why.</b> A forward is traced through the message it carries ({@link ForwardUnwrapper}),
 * because the forwarder's own header block only describes the forward. But a carried message is
 * text: whoever sent the carrying message wrote every line of it. A worm (or anyone) can mail
 * the campus MX directly with a body that "forwards" a message whose forged {@code Received:}
 * lines say our MX received it from an innocent lab host; tracing that part names the innocent
 * host. The carrying message's own header block, however, has lines the sender cannot write:
 * the ones our MTAs wrote above it. So the outer block is always walked first, with the same
 * trust as any complaint (configured, mail-server role, learned from the fleet, provider list),
 * and decides which story holds.
 *
 * <p><b>The rule.</b> Let O be the origin of the outer walk (the client IP the boundary line's
 * writer, trusted by the walk, recorded). A carried message is only as trustworthy as whoever
 * handed its carrier in, and only an authenticated submission says who that was:
 *
 * <ol>
 *   <li>The boundary line records an authenticated submission ({@link HopFlag#AUTHENTICATED}:
 *       {@code ESMTPA}/{@code ESMTPSA}/{@code UTF8SMTPSA}…, Postfix's {@code (Authenticated
 *       sender: …)}, Sendmail's {@code (authenticated bits=…)}, Courier's {@code (AUTH: …)},
 *       OpenSMTPD's {@code (authenticated as …)}, read only from what the MTA wrote, never from an
 *       envelope address) → a person's account submitted it: {@link Kind#FORWARDED}, the carried
 *       part traced uncapped. This is the only uncapped forward.
 *   <li>O's holder (a LabScan host without the mail-server role holding O at O's time) reported
 *       SMTP egress by a process policy does not allow within {@link #EGRESS_SLACK} of O's time,
 *       and that egress looks like a worm's own mailing ({@link #wormLike}: at least {@link
 *       #WORM_CONNECTIONS} connections, or at least {@link #WORM_OUTSIDE_DESTINATIONS}
 *       destinations that are not our mail servers) → {@link Kind#SENT_DIRECTLY}: the carrying
 *       message is the worm's own mail, traced as itself (O is the answer, recordable only
 *       through the normal rules); the carried part is not traced. Whose address the outer
 *       From: (for a redirect, Resent-From:) names does not matter: it is the sender's choice,
 *       and Klez takes its own user's address from its harvest as readily as any other (issue
 *       15, red-team round 4, F3: a worm that wrote its own user's Resent-From escaped here).
 *       A person's redirect or forward is one connection or a few to our mail server, never a
 *       mass mailing, whoever's address it carries.
 *   <li>O's holder reported such egress, but no more than one person's forward shows (a
 *       connection or a few to our mail server) → {@link Kind#UNRESOLVED}, whatever the process
 *       is called: the name is the endpoint's own report, which a worm can choose, and a person
 *       may forward with any mail program ({@code HxTsr.exe}, {@code olk.exe}, {@code msmtp} …),
 *       none of which a fixed list can hold (issue 15, red-team finding: Janet's forward from a
 *       shared lab PC was recorded as the worm). {@link MailClients} only words the warning.
 *   <li>O's holder reported no egress either way and does not own the From: address → {@link
 *       Kind#UNRESOLVED}: the carried part is traced, its candidates capped ({@link
 *       Triage#UNRESOLVED_CARRIER_CAP}), never recorded, and O is named as the direct sender.
 *   <li>Every other forward → {@link Kind#UNVERIFIED_FORWARD}: O is held by no agent (an outside
 *       sender or abuse desk, a lab machine whose agent is silent or absent, a NAT), no fleet is
 *       known, O is on a provider's private network, O's holder owns the From: address, or it
 *       reported only egress policy allows. The carried part is traced, its candidates capped
 *       at the same cap, never recorded, with the warning "the forward was not an authenticated
 *       submission, so the carried message is only as trustworthy as whoever sent it".
 * </ol>
 *
 * Bounces and ARF reports are a mail system's, not a person's submission: {@link
 * Kind#UNVERIFIED_FORWARD} does not cap them (only SENT_DIRECTLY and UNRESOLVED apply). Known
 * limit: Exchange writes no authentication mark ({@code with Microsoft SMTP Server}), so a
 * forward submitted through it from a lab PC stays capped: it cannot be told from port-25 worm
 * mail. Carried parts are never recorded in any case ({@link ForwardUnwrapper}).
 *
 * In every case where the carried part is traced, candidates come only from it; O is never a
 * candidate because of the outer headers. A lab host is never an MTA, so a lab host that hands
 * mail to our MX unauthenticated is the message's author or its user's mail client — which one
 * its egress tells. The decision is made at every level of a nested forward, each level's outer
 * block walked with the same trust.
 *
 * <p>Cost: one trust walk over the outer block (bounded as every walk is), one holder question,
 * one egress question and one owner question per level.
 */
final class CarrierSender {
  /** Egress this close to the outer origin's time counts (the triage default slack). */
  static final Duration EGRESS_SLACK = Duration.ofMinutes(10);
  /** Holders of one address looked at (a conflict has a few). */
  private static final int MAX_HOLDERS = 8;
  /**
   * SMTP connections by processes policy does not allow, within ±{@link #EGRESS_SLACK} of the
   * carrier's time, from which the host's egress looks like a worm's own mailing. A person
   * forwarding a complaint opens one connection to our mail server (a few, if the client retries
   * or sends a couple of mails); Klez mails every address it harvested, dozens of messages in
   * minutes. Public rules flag more than 20 connections to 25/465/587 in 60 s (DOMAIN.md); the
   * agent samples sockets, so it misses short sessions, and the count here is over the whole
   * 20-minute span instead of one minute: 20 there is well above a person's forward and well
   * below a mass mailing.
   */
  static final int WORM_CONNECTIONS = 20;
  /**
   * Distinct SMTP destinations that are not our mail servers (no configured trusted MTA, not an
   * address a mail-server host held), within the same span, from which the egress looks like a
   * worm's: a person's client talks to our mail server and at most a personal provider or two
   * (two or three addresses with DNS round-robin); a worm with its own SMTP engine talks to each
   * recipient domain's MX.
   */
  static final int WORM_OUTSIDE_DESTINATIONS = 4;
  /**
   * Egress windows longer than this do not count towards {@link #WORM_CONNECTIONS} or {@link
   * #WORM_OUTSIDE_DESTINATIONS}: they cannot place a burst near the carrier's time (a day-long
   * window of a person's mail client holds many connections). The default window is 60 s.
   */
  static final Duration MAX_BURST_WINDOW = EGRESS_SLACK.multipliedBy(2);
  /** Destination addresses asked about (whose mail server is it) per decision, bounding the work. */
  private static final int MAX_DESTINATION_LOOKUPS = 32;

  /** Which story the outer header block tells. */
  enum Kind {
    /** A person's account submitted the carrying message (authenticated): trace the carried one. */
    FORWARDED,
    /**
     * A forward that was not an authenticated submission: trace the carried message, but cap its
     * candidates ({@link Triage#UNRESOLVED_CARRIER_CAP}); nobody is named as its direct sender.
     */
    UNVERIFIED_FORWARD,
    /** A lab host's own software sent the carrying message straight to our MTA: trace it, not the carried one. */
    SENT_DIRECTLY,
    /** A lab host handed it in unauthenticated, with no egress evidence either way. */
    UNRESOLVED
  }

  /**
   * @param sender the outer origin's host(s) and IP, e.g. "lab-pc-07 (10.20.3.17)"; empty for FORWARDED
   * @param warning why, in words; empty for FORWARDED
   * @param outer the carrying message's own trusted origin O, when its holder is named as the
   *     direct sender ({@link Kind#UNRESOLVED}): the triage makes that holder a candidate
   *     ({@link Triage}, "the direct sender")
   */
  record Decision(Kind kind, String sender, String warning, Optional<Origin> outer) {
    Decision {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(warning, "warning");
      Objects.requireNonNull(outer, "outer");
    }

    Decision(Kind kind, String sender, String warning) {
      this(kind, sender, warning, Optional.empty());
    }

    static final Decision FORWARD = new Decision(Kind.FORWARDED, "", "");
  }

  private CarrierSender() {}

  /**
   * Decides from the carrying message's own header block.
   *
   * @param outer the carrying message's header block
   * @param carried what it carries, in words ("a forwarded message (attachment 1, message/rfc822)")
   */
  static Decision decide(HeaderBlock outer, String carried, TrustConfig trust) {
    Objects.requireNonNull(outer, "outer");
    Objects.requireNonNull(carried, "carried");
    Optional<TriageEvidence> fleet = trust.fleet();
    OriginResolver.Result walk = OriginResolver.resolve(outer, ComplaintKind.MESSAGE, Optional.empty(), trust);
    if (walk.origin().isEmpty() || walk.origin().get().hop() < 0
        || walk.origin().get().hop() >= walk.hops().size()) {
      return unverified(carried, "its own header block has no trusted origin");
    }
    Origin o = walk.origin().get();
    if (walk.hops().get(o.hop()).hop().flags().contains(HopFlag.AUTHENTICATED)) {
      return Decision.FORWARD; // rule 1: a person's account submitted it
    }
    if (webmail(walk.hops().get(o.hop()).hop())) {
      return Decision.FORWARD; // a webmail login submitted it (red-team round 7, S12)
    }
    String when = " at " + o.time() + " (hop " + o.hop() + " of its own header block, written by "
        + o.recordedBy().map(ComplaintParser::plain).orElse("an unnamed MTA") + ")";
    if (fleet.isEmpty()) {
      return unverified(carried, "it was handed in by " + o.ip() + when + ", unauthenticated");
    }
    TriageEvidence evidence = fleet.get();
    if (o.writerTrust().kind() == TrustSource.Kind.PROVIDER && Ips.isPrivateOrLocal(o.ip())) {
      return unverified(carried, "it was handed in from " + o.ip() + when + " on a provider's private"
          + " network, unauthenticated");
    }
    Set<String> servers = evidence.mailServerIds();
    Map<String, AddressHolding> holders = new LinkedHashMap<>();
    for (AddressHolding h : evidence.holdersOf(o.ip(), o.time())) {
      if (holders.size() < MAX_HOLDERS && h.covers(o.time()) && !servers.contains(h.hostId())
          && Ips.canonical(h.ip()).map(o.ip()::equals).orElse(false)) {
        holders.putIfAbsent(h.hostId(), h);
      }
    }
    if (holders.isEmpty()) {
      return unverified(carried, "it was handed in by " + o.ip() + when + ", unauthenticated, an address no"
          + " LabScan host held then (an outside sender, or a machine without a reporting agent)");
    }
    String names = holders.values().stream().map(h -> ComplaintParser.plain(h.hostname()))
        .distinct().collect(Collectors.joining(" and "));
    String sender = names + " (" + o.ip() + ")";
    Instant from = o.time().minus(EGRESS_SLACK);
    Instant to = o.time().plus(EGRESS_SLACK);
    List<EgressHit> egress = new ArrayList<>();
    for (EgressHit e : evidence.egressNear(holders.keySet(), from, to)) {
      if (holders.containsKey(e.hostId()) && e.overlaps(from, to)) {
        egress.add(e);
      }
    }
    java.util.Comparator<EgressHit> most = java.util.Comparator.comparingInt(EgressHit::connections);
    List<EgressHit> unallowedHits = egress.stream().filter(e -> !e.allowed()).toList();
    Optional<EgressHit> unallowed = unallowedHits.stream().max(most);
    Optional<String> fromAddress = outer.first("From")
        .flatMap(v -> ComplaintParser.addresses(v).stream().findFirst());
    Set<String> owners = new HashSet<>();
    fromAddress.ifPresent(a -> evidence.hostsOwningAddress(a).stream().limit(Triage.MAX_OWNERS)
        .forEach(h -> owners.add(h.hostId())));
    boolean ownerSent = holders.keySet().stream().anyMatch(owners::contains);
    Optional<String> wormLike = unallowedHits.isEmpty() ? Optional.empty()
        : wormLike(unallowedHits, evidence, servers, trust, o.time());
    if (wormLike.isPresent()) {
      // From:/Resent-From: is the sender's choice (Klez writes its own user's address as readily
      // as any harvested one): it never shields a mass mailing (issue 15, red-team round 4, F3).
      return new Decision(Kind.SENT_DIRECTLY, sender, "the message carries " + carried + "; it was not"
          + " traced because " + names + " sent this message itself straight to the mail server with a"
          + " process policy does not allow: " + o.ip() + when + ", unauthenticated, and "
          + describe(unallowed.orElseThrow()) + " within ±" + EGRESS_SLACK.toMinutes() + " min, "
          + wormLike.get() + ". A person forwarding a complaint does not send that way; the carried"
          + " message is the sender's own text and may name an innocent host");
    }
    if (unallowed.isPresent() && ownerSent) {
      return new Decision(Kind.UNRESOLVED, sender, "the message carries " + carried + " and was sent"
          + " straight to the mail server by " + sender + when + ", unauthenticated; " + names
          + " is a machine of " + ComplaintParser.plain(fromAddress.orElse("")) + ", the From: address,"
          + " but it also reported " + describe(unallowed.get()) + " then, by a process policy does not"
          + " allow: " + names + " is the direct sender of this message, and its carried message may be"
          + " its own text. The carried message was traced; the answer is never recorded and its"
          + " confidence is capped at " + Triage.UNRESOLVED_CARRIER_CAP, Optional.of(o));
    }
    if (unallowed.isPresent()) {
      return new Decision(Kind.UNRESOLVED, sender, "the message carries " + carried + " and was sent"
          + " straight to the mail server by " + sender + when + ", unauthenticated, with "
          + describe(unallowed.get()) + " by a process policy does not allow"
          + (MailClients.is(unallowed.get().process()) ? " (a desktop mail client's name)" : "")
          + ", but no more than one person's forward shows (fewer than " + WORM_CONNECTIONS
          + " SMTP connections and fewer than " + WORM_OUTSIDE_DESTINATIONS + " destinations that are"
          + " not our mail servers within ±" + EGRESS_SLACK.toMinutes() + " min), and a process name is"
          + " the host's own report, which a worm can choose: " + names + " is the direct sender of this"
          + " message, and a person forwarding a complaint cannot be told from the host's own software."
          + " The carried message was traced; the answer is never recorded and its confidence is capped at "
          + Triage.UNRESOLVED_CARRIER_CAP, Optional.of(o));
    }
    if (ownerSent || !egress.isEmpty()) {
      return unverified(carried, "it was handed in by " + sender + when + ", unauthenticated, "
          + (ownerSent ? "a machine of the From: address's owner" : "with only egress policy allows")
          + " (which a worm on that machine could equally show)");
    }
    return new Decision(Kind.UNRESOLVED, sender, "the message carries " + carried + " and was sent"
        + " straight to the mail server by " + sender + when + ", unauthenticated; " + names
        + " reported no SMTP egress within ±" + EGRESS_SLACK.toMinutes() + " min, so it cannot be told"
        + " whether a person forwarded a complaint or the host's own software wrote the carried message: "
        + names + " is the direct sender of this message. The carried message was traced; the answer is"
        + " never recorded and its confidence is capped at " + Triage.UNRESOLVED_CARRIER_CAP, Optional.of(o));
  }

  /** A webmail front end's own submission text, right of {@code by}: {@code via HTTP}, {@code via HTTPS}. */
  private static final java.util.regex.Pattern VIA_HTTP =
      java.util.regex.Pattern.compile("(?i)\\bby\\s.{0,400}?\\bvia\\s{1,4}HTTPS?\\b");

  /**
   * Whether the boundary line is a webmail front end's submission line ({@code with HTTP}, {@code
   * with HTTPS}, {@code via HTTP}): the web client's address is the browser of a person logged in
   * to webmail, so the carrying message is that person's submission, as an authenticated one is
   * (issue 15, red-team round 7, S12). The forwarder is never the "direct sender" of the content
   * it forwards. The walk reaches this line only when it is the top line or the MTA above it is
   * trusted, so the words are our webmail's, not the sender's.
   */
  static boolean webmail(ReceivedHop boundary) {
    return boundary.with().map(w -> w.trim().toUpperCase(java.util.Locale.ROOT).matches("HTTPS?\\b.*")).orElse(false)
        || VIA_HTTP.matcher(boundary.raw().length() > 2048 ? boundary.raw().substring(0, 2048) : boundary.raw()).find();
  }

  /** Rule 2: a forward that was not an authenticated submission; the carried part is traced, capped. */
  private static Decision unverified(String carried, String how) {
    return new Decision(Kind.UNVERIFIED_FORWARD, "", "the message carries " + carried + "; " + how
        + ": the forward was not an authenticated submission, so the carried message is only as"
        + " trustworthy as whoever sent it. It was traced; the answer is never recorded and its"
        + " confidence is capped at " + Triage.UNRESOLVED_CARRIER_CAP);
  }

  /**
   * Whether the host's unallowed egress near {@code at} is a mass mailing rather than one
   * person's forward ({@link #WORM_CONNECTIONS}, {@link #WORM_OUTSIDE_DESTINATIONS}): the reason
   * in words, or empty. Counts the connections and destinations the agent reported, never its
   * process name: the name is the endpoint's report and a worm can take any (a person's mail
   * program is equally often one no list knows).
   */
  static Optional<String> wormLike(List<EgressHit> unallowed, TriageEvidence evidence, Set<String> servers,
      TrustConfig trust, Instant at) {
    long connections = 0;
    Set<String> destinations = new java.util.LinkedHashSet<>();
    for (EgressHit e : unallowed) {
      if (Duration.between(e.windowStart(), e.windowEnd()).compareTo(MAX_BURST_WINDOW) > 0) {
        continue;
      }
      connections += Math.max(0, e.connections());
      for (String d : e.destinations()) {
        if (destinations.size() < MAX_DESTINATION_LOOKUPS) {
          Ips.canonical(d).ifPresent(destinations::add);
        }
      }
    }
    if (connections >= WORM_CONNECTIONS) {
      return Optional.of(connections + " SMTP connections by processes policy does not allow within ±"
          + EGRESS_SLACK.toMinutes() + " min (a mass mailing: " + WORM_CONNECTIONS + " or more)");
    }
    int outside = 0;
    for (String d : destinations) {
      boolean ours = trust.entryForIp(d).isPresent() || evidence.holdersOf(d, at).stream()
          .anyMatch(h -> servers.contains(h.hostId()) && h.covers(at));
      if (!ours && ++outside >= WORM_OUTSIDE_DESTINATIONS) {
        return Optional.of("SMTP to " + outside + " or more destinations that are not our mail servers"
            + " within ±" + EGRESS_SLACK.toMinutes() + " min (a worm's own SMTP engine mailing each"
            + " recipient's server)");
      }
    }
    return Optional.empty();
  }

  private static String describe(EgressHit e) {
    return "SMTP egress " + e.windowStart() + " to " + e.windowEnd() + " (" + e.connections()
        + " connection(s)" + e.process().map(p -> ", process " + ComplaintParser.plain(p)).orElse("") + ")";
  }
}
