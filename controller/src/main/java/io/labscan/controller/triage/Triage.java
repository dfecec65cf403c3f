package io.labscan.controller.triage;

import io.labscan.contract.harvest.AddressDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Ranks the hosts that may have sent the complained-about mail.
 *
 * <h2>Evidence and weights</h2>
 *
 * Per complaint {@code c} with an origin (IP {@code ip}, time {@code t}) and window
 * {@code W = t ± egressSlack}:
 *
 * <ul>
 *   <li><b>holder</b> ({@value #HOLDER}): the host's reports place {@code ip} on it at {@code t}
 *       (a holding that covers {@code t}; an earlier or later holder never counts). When {@code n}
 *       hosts claim the address at once the weight is split: {@code HOLDER / n}.
 *   <li><b>assumed holder</b> ({@value #ASSUMED_HOLDER}, split as the holder weight): the
 *       holding covers {@code t} only through its back-filled start, before the host's first
 *       report that showed {@code ip} ({@link AddressHolding#assumedAt}). No report says the host
 *       had the address then (DHCP may have given it to a device without an agent), so the weight
 *       is below the recording threshold, the reason and a warning say "first reported … after
 *       the mail; the address may have been someone else's", and weight of this kind alone never
 *       makes a candidate recordable ({@link Candidate#networkEvidence()} is false), however many
 *       complaints add it up.
 *   <li><b>egress corroboration</b> of a holder: a non-allowed SMTP window overlapping {@code W}
 *       ({@value #EGRESS_CORROBORATION}); {@value #EGRESS_TO_BOUNDARY} when the window's
 *       destinations include the IP of the MTA that wrote the boundary line. Egress that policy
 *       allows (a mail server's traffic, an allow-listed process) never adds weight.
 *   <li><b>silent holder</b> ({@value #SILENT_HOLDER}, split between such hosts): the host
 *       reported {@code ip}, never reported it gone, and fell silent; its holding lapsed a grace
 *       period after its last report (TriageOptions#holdingGrace), before {@code t}, and at
 *       most {@link #SILENT_HORIZON} before. A weaker candidate: "silent since …".
 *   <li><b>egress only</b>, when no host held {@code ip} (a NAT, or the view of an outside MX),
 *       or its holder only sends mail it is allowed to (a relay not yet in --trust): every
 *       host with a non-allowed SMTP window overlapping {@code W}: {@value #EGRESS_ONLY}{@code
 *       / n} for {@code n} such hosts, or {@value #EGRESS_ONLY_TO_BOUNDARY}{@code / m} for the
 *       {@code m} of them that contacted the boundary MTA's IP; {@value #EGRESS_ONLY_TO_BOUNDARY}
 *       for the <em>only</em> host whose own connection to the recording MTA on port 25 covers the
 *       boundary line's time, when the origin is a public address ({@link SameConnection}: the
 *       connection the MTA recorded, seen from the host; a tie gives none of them this weight).
 * </ul>
 *
 * The network score of host {@code h} for complaint {@code c} is the noisy-OR of its weights:
 * {@code s_c(h) = 1 − Π (1 − w)}.
 *
 * <p><b>Address book</b>, across all complaints together: {@code A} = the distinct claimed
 * senders and recipients (normalized), {@code k = |A|}, {@code m(h)} = how many of their keyed
 * digests host {@code h}'s harvest holds. The machine of an address's owner — the claimed
 * sender's, and a recipient's (who may have forwarded the complaint) — found through {@link
 * TriageEvidence#hostOwningAddress}, naturally holds its owner's address, so that one match is
 * not counted for it. With {@code r(h)} = the number of hosts holding at least {@code
 * m(h)}:
 *
 * <pre>  ab(h) = {@value #ADDRESS_BOOK} · (1 − 2^−k) · (m(h) / k) / r(h)</pre>
 *
 * More complaints mean more addresses ({@code k} grows): the true sender, which harvested all
 * of them, keeps {@code m/k = 1} while decoys that share a few fall behind.
 *
 * <p><b>Never candidates</b>: hosts with the {@code mail-server} role (relays, trusted hops),
 * and hosts that held the IP of a hop the trust walk trusted at the origin time. Their weight
 * is dropped and the answer says why.
 *
 * <p><b>Conflicts</b>: when several hosts claim {@code ip} at {@code t}, none ends another's
 * claim; each is a candidate with the split holder weight, egress ranks them, and the answer
 * lists the conflict ({@link AddressConflict}) with a warning.
 *
 * <p><b>Confidence</b>: {@code 1 − (1 − ab(h)) · Π_c (1 − s_c(h))}, capped at {@value
 * #MAX_CONFIDENCE}, rounded to three decimals. A holder alone gives 0.70, a holder with
 * matching egress 0.88, egress alone at most 0.50, the address book alone at most 0.80.
 *
 * <p><b>Network confidence</b> (issue 15, red-team round 7, S1/S2/S5): the same without {@code
 * ab(h)} and after every cap ({@link Candidate#networkConfidence()}). It alone decides recording
 * and the sentence's confidence word; the address book ranks and is shown, never carries a
 * candidate over the threshold. A candidate's weights below {@link #BELOW_RECORDING} combine,
 * across the batch, to the strongest of them unless it has a weight from the threshold on
 * ({@link Combined}): one egress window or holding seen by several complaints counts once, and
 * capped weights never add up to a recordable answer.
 */
public final class Triage {
  static final double HOLDER = 0.70;
  /**
   * A holding assumed by the store's back-fill, not reported ({@link AddressHolding#assumedAt}):
   * below {@code ComplaintTriage.RECORD_THRESHOLD} (0.5), as a silent holder.
   */
  static final double ASSUMED_HOLDER = 0.30;
  static final double EGRESS_CORROBORATION = 0.60;
  static final double EGRESS_TO_BOUNDARY = 0.75;
  /** A holder whose grace ran out after it fell silent (it never reported the address gone). */
  static final double SILENT_HOLDER = 0.30;
  /**
   * A host that held the address before and after a short gap in its reports, for mail in the
   * gap ({@link #gaps}): below the recording threshold, as an assumed holder.
   */
  static final double GAP_HOLDER = 0.30;
  static final double EGRESS_ONLY = 0.50;
  static final double EGRESS_ONLY_TO_BOUNDARY = 0.70;
  /**
   * Egress-only weight when the origin's holder sent only mail its agent calls allowed: below
   * {@code ComplaintTriage.RECORD_THRESHOLD} (0.5), because that "allowed" rests on the process
   * name and path the holder's own agent reports, which may be a lie that shifts the blame.
   */
  static final double ALLOWED_HOLDER_FALLBACK_CAP = 0.45;
  /**
   * Highest confidence a complaint traced through a carried part contributes unless its forward
   * was an authenticated submission ({@link ParsedComplaint#capped()}, {@link CarrierSender}):
   * a host handed the carrier in and nothing tells whether a person forwarded it or the host's
   * own software wrote the carried message, or nobody we know authenticated the forward. It
   * stays "low", below the recording and alert threshold (0.5), and is never recorded. Only
   * that complaint's contribution is capped: another complaint of the same batch keeps its own.
   */
  static final double UNRESOLVED_CARRIER_CAP = 0.45;
  /**
   * Highest weight of a host whose non-allowed SMTP went to the recording MTA while the origin's
   * holder showed no SMTP egress at all: below the recording threshold, as the allowed-holder
   * fallback ({@link #ALLOWED_HOLDER_FALLBACK_CAP}).
   */
  static final double SILENT_HOLDER_FALLBACK_CAP = 0.45;
  static final double ADDRESS_BOOK = 0.80;
  /**
   * In a conflict, how many shares of the holder weight an established claim gets against one
   * share of a fresh claim (AddressConflict#established): two claimants give 0.47 and 0.23.
   */
  static final double ESTABLISHED_SHARE = 2.0;
  static final double MAX_CONFIDENCE = 0.99;
  /**
   * The recording threshold ({@code ComplaintTriage.RECORD_THRESHOLD}, the verdicts' complaint
   * threshold, {@link AnswerSentence#MEDIUM}): a single network weight below it is evidence that
   * must not record alone, and such weights never add up to it ({@link Combined}).
   */
  static final double BELOW_RECORDING = AnswerSentence.MEDIUM;
  /** A silent host stays a candidate for its last addresses this long after its holding lapsed. */
  public static final java.time.Duration SILENT_HORIZON = java.time.Duration.ofDays(7);
  /** Most trusted hops per complaint whose holders are looked up (and excluded). */
  static final int MAX_TRUSTED_HOPS = 20;
  /** Most complaint addresses whose owners' own-address match is discounted. */
  static final int MAX_OWNER_LOOKUPS = 100;
  /** Most hosts one address's owner is looked up on (a person's desktop, laptop, lab seat). */
  public static final int MAX_OWNERS = 8;

  /** Most exact --trust addresses whose holders are looked up for egress-only ranking (rt7 S3). */
  static final int MAX_EXACT_MTAS = 32;

  private final TriageEvidence evidence;
  private final byte[] fleetKey;
  private final TriageOptions options;
  /** The walk's configuration (--trust, Settings page): its exact MTA addresses are not candidates' (rt7 S3). */
  private final TrustConfig configured;

  /**
   * @param fleetKey the key agents digest harvested addresses with (Policy.harvest_key)
   */
  public Triage(TriageEvidence evidence, byte[] fleetKey, TriageOptions options) {
    this(evidence, fleetKey, options, TrustConfig.none());
  }

  /**
   * @param configured the trust configuration the complaints were walked with: a host holding an
   *     address one of its entries names exactly is an MTA of ours, never ranked by its egress
   */
  public Triage(TriageEvidence evidence, byte[] fleetKey, TriageOptions options, TrustConfig configured) {
    this.configured = Objects.requireNonNull(configured, "configured");
    this.evidence = Objects.requireNonNull(evidence, "evidence");
    this.fleetKey = Objects.requireNonNull(fleetKey, "fleetKey").clone();
    this.options = Objects.requireNonNull(options, "options");
    if (fleetKey.length == 0) {
      throw new IllegalArgumentException("fleet key is empty");
    }
  }

  public TriageResult triage(ParsedComplaint complaint) {
    return triage(List.of(complaint));
  }

  /** Triage several complaints about the same outbreak together. */
  public TriageResult triage(List<ParsedComplaint> complaints) {
    Objects.requireNonNull(complaints, "complaints");
    if (complaints.isEmpty()) {
      throw new IllegalArgumentException("no complaint to triage");
    }
    Map<String, Tally> tallies = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    List<AddressConflict> conflicts = new ArrayList<>();
    Set<String> mailServers = evidence.mailServerIds();
    // Trusted hops (relays, mail servers) are never candidates: host id -> why.
    Map<String, String> trustedHosts = new LinkedHashMap<>();
    List<ComplaintSummary> summaries = new ArrayList<>();
    boolean several = complaints.size() > 1;
    // Hosts named as the unauthenticated direct sender of a carrying message (issue 15, round 4, F3).
    Set<String> directSenders = new LinkedHashSet<>();
    // Hosts claiming a contested trusted line's address (round 6, N0d), and each candidate's uncapped score.
    Set<String> claimantIds = new LinkedHashSet<>();
    Map<String, Double> uncappedScore = new HashMap<>();
    // Candidates of a contested complaint whose own egress is a worm-like mailing (round 8, T9).
    Set<String> wormyUnderDoubt = new LinkedHashSet<>();
    // Each candidate's mail time: the origin time of the first complaint whose evidence names it.
    Map<String, Instant> candidateTime = new HashMap<>();
    for (int i = 0; i < complaints.size(); i++) {
      ParsedComplaint c = complaints.get(i);
      String label = several ? "complaint " + (i + 1) + ": " : "";
      Optional<HostState> owner = c.claimedSender().flatMap(evidence::hostOwningAddress);
      Optional<String> ownerSource = owner.isPresent() ? c.claimedSender().flatMap(evidence::ownerSource)
          : Optional.empty();
      summaries.add(new ComplaintSummary(c.kind(), c.claimedSender(), owner, c.subject(), c.origin(),
          c.tracedPart(), c.forwardedBy(), c.hops(), ownerSource));
      // What limited the parse (no Received: lines, unreadable hops, disagreeing
      // cross-checks) belongs in the answer, not only in the parsed complaint.
      for (String w : c.warnings()) {
        if (!warnings.contains(label + w)) {
          warnings.add(label + w);
        }
      }
      if (c.origin().isEmpty()) {
        warnings.add(label + "no origin, so no network evidence; only the address book can help");
        continue;
      }
      Map<String, Tally> perComplaint = new LinkedHashMap<>();
      Map<String, String> accountCapped = new HashMap<>();
      trustedHops(c, mailServers, trustedHosts);
      network(c, label, perComplaint, warnings, mailServers, conflicts, accountCapped);
      uncertainTime(c, label, perComplaint, warnings, mailServers, accountCapped);
      directSender(c, label, perComplaint, mailServers, directSenders);
      Optional<TrustDoubt> doubt = c.origin().flatMap(Origin::doubt).filter(TrustDoubt::capAll);
      doubt.ifPresent(d -> claimants(d, label, perComplaint, trustedHosts, claimantIds));
      if (doubt.isPresent()) {
        wormLikeUnderDoubt(c, perComplaint, mailServers, wormyUnderDoubt);
      }
      if (ForwardUnwrapper.carriedPart(c.tracedPart()) || unconfirmedReportCopy(c)) {
        namedByCopy(c, label, perComplaint, mailServers, directSenders, accountCapped); // round 7 S11, round 9 F3
      }
      for (Tally t : perComplaint.values()) {
        candidateTime.putIfAbsent(t.hostId, c.origin().orElseThrow().time());
        Tally total = tallies.computeIfAbsent(t.hostId, id -> new Tally(id, t.hostname));
        if (accountCapped.containsKey(t.hostId) && !c.capped()) {
          // An authenticated submission is the account's act (R2): capped like a carried part.
          total.capped.addAll(t.weights);
          total.cappedBy = accountCapped.get(t.hostId);
        } else if (capped(c)) {
          total.capped.addAll(t.weights); // issue 15: only this complaint's contribution is capped
          total.cappedBy = doubt.isPresent() ? doubt.get().headline() : c.directSender().map(d -> "the complaint's carrying message was sent straight to"
              + " the mail server by " + d + ", which may have written the carried message itself")
              .orElse("the complaint was a forward that was not an authenticated submission, so its carried"
                  + " message is only as trustworthy as whoever sent it");
        } else {
          total.network.addAll(t.weights);
        }
        total.reported |= t.reported;
        total.reasons.addAll(t.reasons);
      }
    }
    addressBook(complaints, tallies, warnings);
    for (String id : mailServers) {
      trustedHosts.putIfAbsent(id, "has the mail-server role (a relay)");
    }

    // Address-book evidence comes from the whole batch: it is capped only when every complaint is.
    boolean anyUncapped = complaints.stream().anyMatch(c -> !capped(c));
    List<Candidate> candidates = new ArrayList<>();
    for (Tally t : tallies.values()) {
      if (trustedHosts.containsKey(t.hostId)) {
        String name = t.hostname != null ? t.hostname
            : evidence.host(t.hostId).map(HostState::hostname).orElse(t.hostId);
        warnings.add(name + " (" + t.hostId + ") " + trustedHosts.get(t.hostId)
            + ": a trusted hop, never a candidate");
        continue;
      }
      // Network evidence alone (issue 15, round 7, S1/S2): it decides recording and the words.
      double networkMiss = 1 - t.network.score();
      double cappedMiss = 1 - t.capped.score();
      double networkFull = 1 - networkMiss * cappedMiss;
      double network = rounded(Math.max(1 - networkMiss, Math.min(UNRESOLVED_CARRIER_CAP, networkFull)));
      double full = rounded(1 - (1 - t.addressBook) * networkMiss * cappedMiss);
      double uncapped = anyUncapped ? rounded(1 - (1 - t.addressBook) * networkMiss) : 0;
      double confidence = Math.max(uncapped, Math.min(UNRESOLVED_CARRIER_CAP, full));
      if (confidence <= 0) {
        continue;
      }
      if (confidence < full) {
        t.note(String.format(Locale.ROOT, "confidence %.3f capped at %.3f: %s", full, confidence,
            t.cappedBy != null ? t.cappedBy : "the carried message's evidence is capped"));
      }
      int weak = t.network.weakOnly() + t.capped.weakOnly();
      if (weak > 1) {
        t.note(weak + " weights below the recording threshold (" + BELOW_RECORDING + ") and nothing stronger: they"
            + " do not add up (one egress window or holding seen by several complaints is one piece of evidence),"
            + " the strongest counts");
      }
      network = Math.min(network, confidence);
      if (network < BELOW_RECORDING && confidence >= BELOW_RECORDING) {
        t.note(String.format(Locale.ROOT, "network evidence alone %.3f: the rest is the harvested address book,"
            + " which matches the addresses the sender chose against a colleague's mailbox as well; it ranks the"
            + " candidate but is never enough to record it or to say it sent the mail", network));
      }
      String name = t.hostname != null ? t.hostname
          : evidence.host(t.hostId).map(HostState::hostname).orElse(t.hostId);
      // Network evidence needs a report: a holding assumed by the back-fill alone is no evidence.
      uncappedScore.put(t.hostId, full);
      candidates.add(new Candidate(t.hostId, name, confidence, t.reasons,
          networkFull > 0 && t.reported, network));
    }
    // At equal confidence the direct sender ranks first: the carried part's candidates never
    // outrank the host our MTA saw hand the carrying message in (issue 15, round 4, F3).
    // Among candidates capped to the same confidence the stronger evidence ranks first, and a
    // claimant of a contested trusted line before a host only its lines below name (round 6, N0d);
    // under such a doubt a host's own worm-like egress ranks before the doubted lines' evidence (round 8, T9).
    candidates.sort(Comparator.comparingDouble(Candidate::confidence).reversed()
        .thenComparing(k -> !directSenders.contains(k.hostId()))
        .thenComparing(k -> !wormyUnderDoubt.contains(k.hostId()))
        .thenComparing(k -> -uncappedScore.getOrDefault(k.hostId(), 0.0))
        .thenComparing(k -> !claimantIds.contains(k.hostId()))
        .thenComparing(Candidate::hostname).thenComparing(Candidate::hostId));
    if (candidates.size() > options.maxCandidates()) {
      warnings.add(candidates.size() + " candidates; only the first " + options.maxCandidates() + " are listed");
      candidates = candidates.subList(0, options.maxCandidates());
    }
    if (candidates.isEmpty()) {
      warnings.add("no host matches the evidence");
    }
    // Names are claims (issue 15, D, R9): a candidate is named by the name it reported at the mail's
    // time — the time of the complaint whose evidence names it, not the batch's first (round 8
    // leftovers); a candidate of the address book alone at the first origin's.
    Optional<Instant> mailTime = summaries.stream().map(ComplaintSummary::origin).flatMap(Optional::stream)
        .findFirst().map(Origin::time);
    if (mailTime.isPresent()) {
      candidates = candidates.stream().map(c -> c.namedAt(evidence.nameHistory(c.hostId()),
          candidateTime.getOrDefault(c.hostId(), mailTime.get()))).toList();
    }
    // Names are claims (issue 15, D): a name another host has too, or one that prints the same,
    // is shown with the host id. One fleet-level question, only when a host is named at all.
    boolean namesAHost = !candidates.isEmpty()
        || summaries.stream().anyMatch(s -> s.claimedSenderHost().isPresent());
    Set<String> sharedNames = namesAHost ? evidence.sharedHostnameKeys() : Set.of();
    return new TriageResult(summaries, candidates, warnings, conflicts, sharedNames);
  }

  /** Whether every candidate of the complaint is capped: a carried part, or a contested trusted line ({@link TrustDoubt#capAll}). */
  private static boolean capped(ParsedComplaint c) {
    return c.capped() || c.origin().flatMap(Origin::doubt).map(TrustDoubt::capAll).orElse(false);
  }

  /**
   * The lab hosts whose holding contradicts the walk's trust in a line (issue 15, round 6, N0d): each
   * is the liar or the sender, so a candidate (capped with the rest of the complaint), never a
   * trusted hop.
   */
  private void claimants(TrustDoubt d, String label, Map<String, Tally> out, Map<String, String> trustedHosts,
      Set<String> claimantIds) {
    for (String id : d.claimants()) {
      trustedHosts.remove(id);
      Tally t = out.computeIfAbsent(id, k -> new Tally(k, evidence.host(k).map(HostState::hostname).orElse(null)));
      // It held the address as surely as a holder of the origin held the origin (then capped).
      t.add(HOLDER, label + "claims the address of a line the configuration trusts as an MTA's: " + d.headline());
      claimantIds.add(id);
    }
  }

  /**
   * Under a contested trusted line ({@link TrustDoubt#capAll}), the candidates whose own egress
   * within the slack of the origin's time is a worm-like mailing ({@link Mailing#wormLike}) (issue
   * 15, red-team round 8, T9). Every candidate is capped to the same confidence then, and the
   * uncapped score of a host the doubted lines name rests on those lines, which the claimant may
   * have forged: one Outlook message to the MX plus the forged line outranked the claimant's own
   * 30-connection burst. A host's own worm-like egress does not depend on the doubted line, so it
   * ranks first; the headline still establishes no sender and nothing is recorded.
   */
  private void wormLikeUnderDoubt(ParsedComplaint c, Map<String, Tally> candidates, Set<String> mailServers,
      Set<String> out) {
    Optional<Origin> o = c.origin();
    if (o.isEmpty() || candidates.isEmpty()) {
      return;
    }
    Mailing mailing = new Mailing(c, o.get(), mailServers);
    Instant from = o.get().time().minus(options.egressSlack());
    Instant to = o.get().time().plus(options.egressSlack());
    Map<String, List<EgressHit>> byHost = new LinkedHashMap<>();
    for (EgressHit e : evidence.egressNear(candidates.keySet(), from, to)) {
      if (candidates.containsKey(e.hostId()) && e.overlaps(from, to)) {
        byHost.computeIfAbsent(e.hostId(), k -> new ArrayList<>()).add(e);
      }
    }
    byHost.forEach((id, hits) -> mailing.wormLike(hits).ifPresent(w -> out.add(id)));
  }

  /** How a direct sender's reason begins (after the complaint's label); {@link AnswerSentence} reads it. */
  static final String DIRECT_SENDER = "the direct sender: held ";

  /**
   * The unauthenticated direct sender of a carrying message as a candidate (issue 15, red-team
   * round 4, F3). When a complaint was traced through a carried part and its carrier's own walk
   * ended at an address a lab host held, unauthenticated ({@link CarrierSender}, the unresolved
   * outcome: {@link ParsedComplaint#directSenderOrigin()}), that host is the one machine our own
   * MTA saw send this mail; every line of the carried part is its text. So O's holder is a
   * candidate with the carrier cap ({@link #UNRESOLVED_CARRIER_CAP}, never recorded), ranked at
   * or above every candidate the carried part names at the same cap: a host named only by
   * carried lines never heads the answer over it.
   *
   * <p>Except when a candidate of the carried part is corroborated by the fleet itself, outside
   * the carried text: it reported SMTP egress policy does not allow around the carried origin's
   * time. Then the carried story is the fleet's word as well as the sender's (a person forwarding
   * a worm's mail that the worm host's own egress confirms), and the person who forwarded it is
   * not named. Known limit: a worm may set the carried time to match another host's egress; the
   * answer then stays capped and unrecorded, as every carried answer does.
   */
  private void directSender(ParsedComplaint c, String label, Map<String, Tally> out, Set<String> mailServers,
      Set<String> direct) {
    if (!c.capped() || c.directSenderOrigin().isEmpty() || c.origin().isEmpty()) {
      return;
    }
    Origin d = c.directSenderOrigin().get();
    Origin o = c.origin().get();
    Map<String, AddressHolding> holders = new LinkedHashMap<>();
    for (AddressHolding h : evidence.holdersOf(d.ip(), d.time())) {
      if (holders.size() < MAX_OWNERS && h.covers(d.time()) && !mailServers.contains(h.hostId())
          && Ips.canonical(h.ip()).map(d.ip()::equals).orElse(false)) {
        holders.putIfAbsent(h.hostId(), h);
      }
    }
    if (holders.isEmpty()) {
      return;
    }
    Set<String> carried = new LinkedHashSet<>(out.keySet());
    carried.removeAll(holders.keySet());
    if (!carried.isEmpty()) {
      Instant from = o.time().minus(options.egressSlack());
      Instant to = o.time().plus(options.egressSlack());
      for (EgressHit e : evidence.egressNear(carried, from, to)) {
        if (carried.contains(e.hostId()) && !e.allowed() && e.overlaps(from, to)) {
          return; // the carried story is corroborated by the fleet's own evidence
        }
      }
    }
    for (AddressHolding h : holders.values()) {
      Tally t = out.computeIfAbsent(h.hostId(), id -> new Tally(id, h.hostname()));
      t.add(UNRESOLVED_CARRIER_CAP, label + DIRECT_SENDER + d.ip() + " at " + d.time() + ", the address our MTA"
          + " recorded handing in the carrying message unauthenticated (hop " + d.hop() + " of its own header"
          + " block): it sent this mail, and the carried message, its text, may name an innocent host");
      direct.add(h.hostId());
    }
  }

  /** How the note of a candidate named only by a carried part begins; {@link AnswerSentence} reads it. */
  static final String NAMED_BY_COPY = "named only by the forwarded copy";
  /** Destinations of one candidate asked about (is it a mail server of ours), bounding the work. */
  private static final int MAX_COPY_DESTINATIONS = 32;

  /**
   * Candidates a carried part names (issue 15, red-team round 7, S11). A carried message (an
   * attachment, a block pasted in a forward's body, a redirected message) is the forwarder's text
   * unless something outside it confirms it: an insider who submits, authenticated, a "forward"
   * whose carried lines say "mx1 received it from lab-pc-12" made lab-pc-12 the holder of the
   * origin and headed the answer at 0.70, "Sent by lab-pc-12 … medium". The authenticated
   * submission says who forwarded, not that the forwarded lines are true. So a candidate of a
   * carried part keeps its weight only with corroboration from the fleet itself, independent of
   * the carried text: its own reported SMTP egress policy does not allow, within the slack of the
   * carried origin's time, to a mail server of ours (an address --trust, the Settings page or a
   * host with the mail-server role holds: never one only the carried lines name), or like a worm's
   * mailing ({@link Mailing#wormLike}). Otherwise its contribution is capped at {@link
   * #UNRESOLVED_CARRIER_CAP} (below medium, never recorded; carried parts are never recordable
   * anyway, {@link ForwardUnwrapper#carried}), and the sentence says the forwarded copy names it,
   * not that it sent the mail ({@link AnswerSentence}). Janet's forward of the worm's mail keeps its
   * answer: the worm host's own agent reports its mailing to the MX. The direct sender of a
   * carrying message ({@link #directSender}) comes from the outer walk, not the copy: left alone.
   * Known limit: the copy's origin time is the forwarder's text too, so an insider who knows when
   * a host mailed the MX can aim the copy at that time; the answer is then shown, still never
   * recorded.
   */
  /**
   * A bounce's or abuse report's copy of the original that no line of ours confirms (red-team
   * round 9, F3): a DSN or ARF report mailed in from outside carries lines the worm (or whoever
   * wrote the report) could have written, exactly like a forward's copy, so its hosts get the same
   * treatment: named, capped below medium, never "Sent by", unless the fleet's own evidence
   * confirms them.
   */
  private static boolean unconfirmedReportCopy(ParsedComplaint c) {
    return (c.kind() == ComplaintKind.BOUNCE || c.kind() == ComplaintKind.ARF)
        && c.origin().map(o -> !o.recordable()).orElse(false);
  }

  private void namedByCopy(ParsedComplaint c, String label, Map<String, Tally> out, Set<String> mailServers,
      Set<String> direct, Map<String, String> capped) {
    Origin o = c.origin().orElseThrow();
    Set<String> named = new LinkedHashSet<>(out.keySet());
    named.removeAll(direct);
    if (named.isEmpty()) {
      return;
    }
    Instant from = o.time().minus(options.egressSlack());
    Instant to = o.time().plus(options.egressSlack());
    Mailing mailing = new Mailing(c, o, mailServers);
    List<String> entries = new ArrayList<>();
    for (String e : evidence.configuredTrust()) {
      try {
        TrustConfig.checkEntry(e);
        entries.add(e);
      } catch (IllegalArgumentException ignored) {
        // A bad stored entry is reported where it is configured; it just does not count here.
      }
    }
    TrustConfig settings;
    try {
      settings = TrustConfig.of(entries);
    } catch (IllegalArgumentException e) {
      settings = TrustConfig.none();
    }
    Map<String, List<EgressHit>> unallowed = new HashMap<>();
    for (EgressHit e : evidence.egressNear(named, from, to)) {
      if (named.contains(e.hostId()) && !e.allowed() && e.overlaps(from, to)) {
        unallowed.computeIfAbsent(e.hostId(), k -> new ArrayList<>()).add(e);
      }
    }
    for (String id : named) {
      List<EgressHit> hits = unallowed.getOrDefault(id, List.of());
      TrustConfig stored = settings;
      boolean toOurs = hits.stream().flatMap(e -> e.destinations().stream()).limit(MAX_COPY_DESTINATIONS)
          .anyMatch(d -> configured.entryForIp(d).isPresent() || stored.entryForIp(d).isPresent()
              || evidence.holdersOf(d, o.time()).stream()
                  .anyMatch(h -> mailServers.contains(h.hostId()) && h.covers(o.time())));
      if (toOurs || mailing.wormLike(hits).isPresent()) {
        continue; // the fleet's own evidence confirms the copy's story
      }
      Tally t = Objects.requireNonNull(out.get(id), "tally");
      t.note(label + NAMED_BY_COPY + " (" + c.tracedPart() + "): the carried lines are "
          + (c.kind() == ComplaintKind.MESSAGE ? "the forwarder's text" : "the sender's words, unconfirmed by the report")
          + ", and"
          + " nothing outside them confirms them: the host reported no SMTP egress policy does not allow to a mail"
          + " server of ours, nor a worm's mailing, within ±" + options.egressSlack().toMinutes() + " min of "
          + o.time() + "; shown, capped below medium, never recorded");
      capped.putIfAbsent(id, NAMED_BY_COPY + ", which its forwarder could have written, and not confirmed by the"
          + " host's own SMTP egress");
    }
  }

  // ---- network evidence -----------------------------------------------------------------

  /**
   * Hosts that held the IP of a hop the trust walk trusted (its writer, or the trusted client it
   * stepped down through) at the origin time: relays, never candidates.
   */
  private void trustedHops(ParsedComplaint c, Set<String> mailServers, Map<String, String> out) {
    Optional<Origin> o = c.origin();
    if (o.isEmpty()) {
      return;
    }
    Set<String> ips = new LinkedHashSet<>();
    for (TracedHop h : c.hops()) {
      if (h.trust() == HopTrust.TRUSTED) {
        h.hop().fromIp().ifPresent(ips::add);
      }
      if (h.trust() != HopTrust.CLAIMED) {
        h.hop().byIp().ifPresent(ips::add);
      }
    }
    ips.remove(o.get().ip());
    if (ips.isEmpty()) {
      return;
    }
    // A host that held the origin itself stays a suspect even if it also claims a trusted hop's
    // address: an agent that adds the MX's address to its interfaces must not exonerate itself
    // (a mail server is excluded by its role anyway).
    Set<String> originHolders = new java.util.HashSet<>();
    for (AddressHolding h : evidence.holdersOf(o.get().ip(), o.get().time())) {
      if (h.covers(o.get().time()) && !mailServers.contains(h.hostId())) {
        originHolders.add(h.hostId());
      }
    }
    ips.stream().limit(MAX_TRUSTED_HOPS).forEach(ip -> {
      for (AddressHolding h : evidence.holdersOf(ip, o.get().time())) {
        if (originHolders.contains(h.hostId())) {
          continue;
        }
        if (h.covers(o.get().time()) && Ips.canonical(h.ip()).map(ip::equals).orElse(false)) {
          out.putIfAbsent(h.hostId(), "held " + ip + ", a trusted hop of the complaint, at " + o.get().time());
        }
      }
    });
  }

  /**
   * An origin time that is uncertain ({@link OriginTimeWindow}: a missing boundary date, or trusted
   * dates that disagree beyond the clock slack) and an address that changed hands inside that span
   * (issue 15, red-team round 9, F5: a slow MX clock, or a mail queued for hours, put the instant
   * on the previous or the next DHCP holder): nobody is recorded for this complaint. Every host
   * that held the address in the span is a candidate, and every candidate of the complaint is
   * capped below the recording threshold with the reason.
   */
  private void uncertainTime(ParsedComplaint c, String label, Map<String, Tally> out, List<String> warnings,
      Set<String> mailServers, Map<String, String> accountCapped) {
    Optional<OriginTimeWindow> span = OriginTimeWindow.of(c);
    if (span.isEmpty()) {
      return;
    }
    OriginTimeWindow w = span.get();
    Origin o = c.origin().orElseThrow();
    Map<String, AddressHolding> inSpan = new LinkedHashMap<>();
    boolean changed = false;
    for (Instant at : List.of(o.time(), w.from(), w.to())) {
      for (AddressHolding h : evidence.holdersOf(o.ip(), at)) {
        if (Ips.canonical(h.ip()).map(o.ip()::equals).orElse(false) && !mailServers.contains(h.hostId())
            && w.touches(h)) {
          changed |= !w.spans(h);
          inSpan.putIfAbsent(h.hostId(), h);
        }
      }
    }
    if (!changed && inSpan.size() < 2) {
      return;
    }
    String reason = o.ip() + " changed hands between " + w.from() + " and " + w.to()
        + " (the origin's time is uncertain: " + w.why() + "); not recorded";
    warnings.add(label + reason + ": every host that held it then is a candidate, below the recording threshold");
    for (AddressHolding h : inSpan.values()) {
      if (!out.containsKey(h.hostId())) {
        out.computeIfAbsent(h.hostId(), id -> new Tally(id, h.hostname())).add(HOLDER / inSpan.size(),
            label + "held " + o.ip() + " at some time between " + w.from() + " and " + w.to()
                + ", the span the origin's uncertain time lies in (hop " + o.hop() + ")");
      }
    }
    for (String id : out.keySet()) {
      accountCapped.putIfAbsent(id, reason);
    }
  }

  private void network(ParsedComplaint c, String label, Map<String, Tally> out, List<String> warnings,
      Set<String> mailServers, List<AddressConflict> conflicts, Map<String, String> accountCapped) {
    Origin o = c.origin().orElseThrow();
    Instant from = o.time().minus(options.egressSlack());
    Instant to = o.time().plus(options.egressSlack());
    Optional<TracedHop> boundaryHop = c.hops().stream().filter(h -> h.index() == o.hop()).findFirst();
    Optional<String> boundaryMta = boundaryHop.flatMap(h -> h.hop().byIp());
    String slack = "±" + options.egressSlack().toMinutes() + " min";
    Optional<String> account = boundaryHop.filter(h -> h.hop().flags().contains(HopFlag.AUTHENTICATED))
        .map(h -> authenticatedAccount(h.hop().raw()));
    Mailing mailing = new Mailing(c, o, mailServers);
    if (account.isPresent()) {
      warnings.add(label + "hop " + o.hop() + " records an authenticated submission (" + (account.get().isEmpty()
          ? "account not named" : "account " + account.get()) + "): the account's mail client, or something"
          + " holding its password, sent it. A complaint about it is evidence against the account (a stolen"
          + " password, a phishing campaign), not that the worm ran on the machine: shown, and recorded as a"
          + " worm trace only when the machine's own SMTP egress looks like a worm's mailing");
    }

    Map<String, AddressHolding> holders = new LinkedHashMap<>();
    Map<String, AddressHolding> silent = new LinkedHashMap<>();
    Map<String, AddressHolding> relays = new LinkedHashMap<>();
    List<AddressHolding> history = new ArrayList<>();
    for (AddressHolding h : evidence.holdersOf(o.ip(), o.time())) {
      if (!Ips.canonical(h.ip()).map(o.ip()::equals).orElse(false)) {
        continue;
      }
      history.add(h);
      boolean holds = h.covers(o.time());
      boolean lapsed = h.silentAt(o.time())
          && h.until().map(u -> !o.time().isAfter(u.plus(SILENT_HORIZON))).orElse(false);
      if (!holds && !lapsed) {
        continue;
      }
      if (mailServers.contains(h.hostId())) {
        relays.putIfAbsent(h.hostId(), h);
      } else if (holds) {
        holders.putIfAbsent(h.hostId(), h);
      } else {
        silent.putIfAbsent(h.hostId(), h);
      }
    }
    silent.keySet().removeAll(holders.keySet());
    // Gaps and silences in a host's own reports (issue 15, red-team round 6, N2 and R10): weak
    // candidates, only when no other host claimed the address meanwhile.
    Map<String, HoldingGap> gaps = gaps(o.time(), history, holders, silent, mailServers);
    Map<String, AddressHolding> goneSilent = goneSilent(o.time(), history, holders, silent, gaps, mailServers);
    holders.keySet().removeAll(gaps.keySet());
    holders.keySet().removeAll(goneSilent.keySet());
    // A silent former holder whose last report came before another host's tenure began: the
    // address most likely passed on while it was off. It stays a weaker candidate (its agent may
    // have been killed by the worm, and the newcomer's claim is a report too), and the answer says so.
    Map<String, AddressHolding> successors = new LinkedHashMap<>();
    for (AddressHolding s : silent.values()) {
      Instant last = s.silentAfter().orElseThrow();
      java.util.stream.Stream.concat(holders.values().stream(), relays.values().stream())
          .filter(h -> h.since().isAfter(last)).findFirst().ifPresent(h -> successors.put(s.hostId(), h));
    }
    for (AddressHolding r : relays.values()) {
      warnings.add(label + o.ip() + " belongs to " + r.hostname() + " (" + r.hostId() + "), which has the"
          + " mail-server role: a trusted hop that relays mail, not a candidate; if it relays for the lab,"
          + " add it with --trust and triage again to see the host behind it; meanwhile other hosts are"
          + " ranked by SMTP egress");
    }
    Set<String> established = new LinkedHashSet<>();
    // Several hosts holding one address on virtual adapters (docker0's 172.17.0.1) is normal, no conflict.
    if (holders.size() > 1 && !VirtualHolding.allVirtual(holders.values(), evidence, o.time())) {
      List<AddressHolding> claimants = holders.values().stream()
          .sorted(Comparator.comparing(AddressHolding::since).thenComparing(AddressHolding::hostId)).toList();
      Instant overlap = claimants.get(claimants.size() - 1).since();
      for (AddressHolding h : claimants) {
        if (AddressConflict.established(h, history, overlap)) {
          established.add(h.hostId());
        }
      }
      // A MAC is a report too: when a claimant that is not established (a silent one, say)
      // reports the same MAC as an established one, the copy proves nothing — neither is.
      Set<String> unestablishedMacs = new java.util.HashSet<>();
      for (AddressHolding h : claimants) {
        if (!established.contains(h.hostId()) && !h.mac().isBlank()) {
          unestablishedMacs.add(h.mac().trim().toLowerCase(Locale.ROOT));
        }
      }
      for (AddressHolding h : claimants) {
        if (unestablishedMacs.contains(h.mac().trim().toLowerCase(Locale.ROOT))) {
          established.remove(h.hostId());
        }
      }
      AddressConflict conflict = new AddressConflict(o.ip(), o.time(), overlap, claimants, established);
      if (conflicts.stream().noneMatch(k -> k.ip().equals(conflict.ip()) && k.since().equals(conflict.since()))) {
        conflicts.add(conflict);
      }
      Set<String> macs = new LinkedHashSet<>();
      boolean sameMac = false;
      for (AddressHolding h : claimants) {
        sameMac |= !h.mac().isEmpty() && !macs.add(h.mac());
      }
      boolean ranked = !established.isEmpty() && established.size() < claimants.size();
      warnings.add(label + conflict.describe() + ": conflicting claims, every claimant remains a candidate"
          + " (the holder weight is split) and SMTP egress ranks them"
          + (ranked ? "; the claim of " + claimants.stream().filter(h -> established.contains(h.hostId()))
              .map(h -> h.hostname() + " (" + h.hostId() + ")").collect(java.util.stream.Collectors.joining(", "))
              + " comes from a MAC address that held " + o.ip() + " before the conflict began and gets the larger"
              + " share" : "")
          + (sameMac ? "; two of them report the same MAC address (a cloned machine, or a forged report)" : "")
          + "; a split share stays below the recording threshold, so no claimant is recorded on its claim alone:"
          + " either claim may be false (a fresh one may be the worm's, taking the address), and only the"
          + " claimant's own SMTP egress then adds the weight to record it");
    }
    for (AddressHolding h : silent.values()) {
      AddressHolding successor = successors.get(h.hostId());
      warnings.add(label + h.hostname() + " (" + h.hostId() + ") reported " + o.ip() + " until "
          + h.silentAfter().orElseThrow() + " and is silent since " + h.silentAfter().orElseThrow()
          + (successor == null ? ": it never reported the address gone; a weaker candidate"
              : "; " + successor.hostname() + " (" + successor.hostId() + ") has held it since "
                  + successor.firstReported() + ": the address most likely passed on, so " + h.hostname()
                  + " is only a weaker candidate"));
    }
    for (HoldingGap g : gaps.values()) {
      warnings.add(label + g.after().hostname() + " (" + g.after().hostId() + ") " + gapWords(g, o)
          + "; a weaker candidate");
    }
    for (AddressHolding h : goneSilent.values()) {
      warnings.add(label + h.hostname() + " (" + h.hostId() + ") " + goneSilentWords(h, o) + "; a weaker candidate");
    }
    Map<String, List<EgressHit>> egress = new HashMap<>();
    Set<String> asked = new LinkedHashSet<>(holders.keySet());
    asked.addAll(silent.keySet());
    asked.addAll(gaps.keySet());
    asked.addAll(goneSilent.keySet());
    if (!asked.isEmpty()) {
      for (EgressHit e : evidence.egressNear(asked, from, to)) {
        if (asked.contains(e.hostId()) && e.overlaps(from, to)) {
          egress.computeIfAbsent(e.hostId(), k -> new ArrayList<>()).add(e);
        }
      }
    }
    for (AddressHolding h : silent.values()) {
      Tally t = out.computeIfAbsent(h.hostId(), id -> new Tally(id, h.hostname()));
      // "held since" names the first report, never the back-filled start (no report says that).
      t.add(SILENT_HOLDER / silent.size(), label + "held " + o.ip() + " before " + o.time() + " (held since "
          + h.firstReported() + "), silent since " + h.silentAfter().orElseThrow() + "; its holding lapsed at "
          + h.until().orElseThrow() + (h.leaseEnd().isPresent() ? " (the end of the DHCP lease it reported)" : "")
          + " without a report that it gave the address up");
      corroborate(t, egress.getOrDefault(h.hostId(), List.of()), label, slack, boundaryMta, account, mailing,
          accountCapped, true);
    }
    for (HoldingGap g : gaps.values()) {
      Tally t = out.computeIfAbsent(g.after().hostId(), id -> new Tally(id, g.after().hostname()));
      // No report shows the address at the origin time: weight of this kind alone never records.
      t.addAssumed(GAP_HOLDER / gaps.size(), label + gapWords(g, o));
      corroborate(t, egress.getOrDefault(g.after().hostId(), List.of()), label, slack, boundaryMta, account, mailing,
          accountCapped, true);
    }
    for (AddressHolding h : goneSilent.values()) {
      Tally t = out.computeIfAbsent(h.hostId(), id -> new Tally(id, h.hostname()));
      t.addAssumed(SILENT_HOLDER / goneSilent.size(), label + goneSilentWords(h, o));
      corroborate(t, egress.getOrDefault(h.hostId(), List.of()), label, slack, boundaryMta, account, mailing,
          accountCapped, true);
    }
    Set<String> weak = new LinkedHashSet<>(silent.keySet());
    weak.addAll(gaps.keySet());
    weak.addAll(goneSilent.keySet());
    if (holders.isEmpty()) {
      formerHolder(o, history, weak, mailServers).ifPresent(w -> warnings.add(label + w));
      warnings.add(label + "no host held " + o.ip() + " at " + o.time() + " (a NAT, or an outside"
          + " MTA's view" + (relays.isEmpty() ? "" : ", or a relay") + ", or a machine without an agent such as a"
          + " visitor's or personal device): hosts are ranked by SMTP egress in "
          + slack + (weak.isEmpty() ? " only" : " and silent former holders")
          + ", and only egress to the MTA that recorded the origin or like a worm's mailing counts");
      Set<String> exclude = new LinkedHashSet<>(relays.keySet());
      exclude.addAll(weak);
      egressOnly(o, label, from, to, boundaryMta, exclude, out, warnings, 1.0, account, mailing);
      return;
    }
    // Conflicting claims split the holder weight; when some claims are established (their MAC
    // held the address before the overlap) and others fresh, an established one counts
    // ESTABLISHED_SHARE times a fresh one: interface history ranks them, egress can still
    // outweigh it, and no claimant alone reaches the recording threshold without egress.
    boolean ranked = !established.isEmpty() && established.size() < holders.size();
    double shares = ranked ? established.size() * ESTABLISHED_SHARE + (holders.size() - established.size())
        : holders.size();
    boolean onlyAllowedSenders = true;
    for (AddressHolding h : holders.values()) {
      Tally t = out.computeIfAbsent(h.hostId(), id -> new Tally(id, h.hostname()));
      boolean est = established.contains(h.hostId());
      boolean assumed = h.assumedAt(o.time());
      double share = (assumed ? ASSUMED_HOLDER : HOLDER) * (ranked && est ? ESTABLISHED_SHARE : 1) / shares;
      if (assumed) {
        String why = assumedHolding(h, o);
        warnings.add(label + h.hostname() + " (" + h.hostId() + ") " + why);
        t.addAssumed(share, label + "assumed to hold " + o.ip() + " at " + o.time() + " (origin, hop "
            + o.hop() + "): " + why);
      } else {
        t.add(share, label + heldWords(h, o) + (!ranked ? ""
                : est ? "; its interface's MAC " + h.mac() + " held " + o.ip() + " before the conflict (established claim)"
                : "; a fresh claim: its interface's MAC " + (h.mac().isEmpty() ? "(none reported)" : h.mac())
                    + " never held " + o.ip() + " before the conflict"));
      }
      if (VirtualHolding.virtual(h, evidence, o.time()) && VirtualHolding.egressEvidence(
          egress.getOrDefault(h.hostId(), List.of()), boundaryMta, mailing::wormLike).isEmpty()) {
        accountCapped.putIfAbsent(h.hostId(), VirtualHolding.capReason(h)); // round 6, N0c and N1
      }
      // A person's message (round 9, F2): only its mail client mailed then, or the block is a forward's own.
      Optional<String> person = PersonsMessage.capReason(egress.getOrDefault(h.hostId(), List.of()), mailing::wormLike,
          c.warnings().contains(PersonsMessage.OWN_HEADERS));
      if (person.isPresent()) {
        accountCapped.putIfAbsent(h.hostId(), person.get());
        t.note(label + person.get());
        warnings.add(label + h.hostname() + " (" + h.hostId() + "), which held " + o.ip() + ": " + person.get());
      }
      if (corroborate(t, egress.getOrDefault(h.hostId(), List.of()), label, slack, boundaryMta, account, mailing,
          accountCapped, false)) {
        onlyAllowedSenders = false;
      } else if (egress.getOrDefault(h.hostId(), List.of()).stream().noneMatch(EgressHit::allowed)) {
        onlyAllowedSenders = false;
      }
    }
    boolean holdersSentNoSmtp = holders.keySet().stream().allMatch(id -> egress.getOrDefault(id, List.of()).isEmpty());
    if (holdersSentNoSmtp && boundaryMta.isPresent()) {
      Set<String> exclude = new LinkedHashSet<>(holders.keySet());
      exclude.addAll(relays.keySet());
      exclude.addAll(weak);
      silentHolderFallback(o, label, from, to, boundaryMta.get(), holders.values(), exclude, out, warnings);
    }
    if (onlyAllowedSenders) {
      warnings.add(label + o.ip() + " belongs to a host whose SMTP traffic is allowed by policy: if"
          + " it relays for the lab, add it with --trust and triage again; meanwhile other hosts"
          + " are ranked by SMTP egress");
      Set<String> exclude = new LinkedHashSet<>(holders.keySet());
      exclude.addAll(relays.keySet());
      exclude.addAll(weak);
      // "Allowed" is the holder's own agent's claim: a lying agent must not shift the blame onto
      // others, so their egress-only weight stays below the recording threshold here.
      egressOnly(o, label, from, to, boundaryMta, exclude, out, warnings, ALLOWED_HOLDER_FALLBACK_CAP, account,
          mailing);
    }
  }

  /**
   * How a holder's reason begins. Inside the grace after a silent host's last report, the holding
   * at the origin time is inferred, not reported, and the words say so (issue 15, red-team round 6,
   * R6): "last reported 10.20.3.17 at T, silent since; assumed to still hold it within the 2 h
   * grace (origin at …)". {@link AnswerSentence} reads {@link #IN_GRACE}.
   */
  private String heldWords(AddressHolding h, Origin o) {
    Optional<Instant> last = h.silentAfter().filter(o.time()::isAfter);
    if (last.isPresent()) {
      return "last reported " + o.ip() + " at " + last.get() + IN_GRACE + (h.leaseEnd().isPresent()
          ? "DHCP lease it reported (until " + h.until().map(Instant::toString).orElse("?") + ")"
          : span(options.holdingGrace()) + " grace") + " (origin at " + o.time() + ", hop " + o.hop()
          + "; held since " + h.firstReported() + ")";
    }
    return "held " + o.ip() + " at " + o.time() + " (origin, hop " + o.hop() + "; held since " + h.firstReported()
        + ")";
  }

  /** Marks a holder's reason whose holding at the origin time is assumed from its last report ({@link #heldWords}). */
  static final String IN_GRACE = ", silent since; assumed to still hold it within the ";
  /** Marks the reason of a candidate from a gap in its reports ({@link #gapWords}). */
  static final String GAP = "; not reported during the gap";
  /** Marks the reason of a candidate that reported the address gone, then fell silent ({@link #goneSilentWords}). */
  static final String GONE = " gone at ";

  /**
   * A short gap in a host's reports of the origin's address (issue 15, red-team round 6, N2): the
   * host held it until one report and again from a later one, less than the holding grace apart,
   * and the origin time lies in between, before the later report (beyond {@link
   * AddressHolding#FIRST_REPORT_SKEW}); no other host claimed the address in the gap. A DHCP renew
   * glitch, a Wi-Fi reconnect, or a worm that removed the address for a report. The host is a weak
   * candidate ({@value #GAP_HOLDER}, never recorded on its own); its own unallowed egress adds
   * weight as for a holder. A host whose reports show the address at the origin time is a holder,
   * not a gap.
   */
  private Map<String, HoldingGap> gaps(Instant at, List<AddressHolding> history, Map<String, AddressHolding> holders,
      Map<String, AddressHolding> silent, Set<String> mailServers) {
    Map<String, AddressHolding> before = new LinkedHashMap<>();
    Map<String, AddressHolding> after = new LinkedHashMap<>();
    for (AddressHolding h : history) {
      if (h.silentAfter().isEmpty() && h.until().isPresent() && !h.until().get().isAfter(at)) {
        before.merge(h.hostId(), h, (a, b) -> b.until().orElseThrow().isAfter(a.until().orElseThrow()) ? b : a);
      }
      if (at.isBefore(h.firstReported().minus(AddressHolding.FIRST_REPORT_SKEW))) {
        after.merge(h.hostId(), h, (a, b) -> b.firstReported().isBefore(a.firstReported()) ? b : a);
      }
    }
    Map<String, HoldingGap> out = new LinkedHashMap<>();
    for (Map.Entry<String, AddressHolding> e : before.entrySet()) {
      String id = e.getKey();
      AddressHolding a = after.get(id);
      AddressHolding held = holders.get(id);
      if (a == null || mailServers.contains(id) || silent.containsKey(id) || (held != null && !held.assumedAt(at))) {
        continue;
      }
      Instant from = e.getValue().until().orElseThrow();
      Instant to = a.firstReported();
      if (!java.time.Duration.between(from, to).minus(options.holdingGrace()).isNegative()
          || claimedByAnother(id, from, to, history)) {
        continue;
      }
      out.put(id, new HoldingGap(e.getValue(), a));
    }
    return out;
  }

  /**
   * A host that reported the origin's address gone and fell silent soon after, the origin time
   * lying in that silence (issue 15, red-team round 6, R10; {@link
   * AddressHolding#reportedGoneThenSilentAt}): the change report may have been false (Klez kills
   * the agent minutes later), or the address came back. A weak candidate like a silent holder
   * ({@value #SILENT_HOLDER}, split between such hosts, never recorded on its own), when no other
   * host claimed the address from the end to the origin time, and only while it is plausible that
   * the host still used the address: before the configured holding grace after its last report ran
   * out, or the DHCP lease end it reported ({@link AddressHolding#goneSilentUntil}). Its own report
   * said the address was gone, so later DHCP hands it to the next device, often one without an
   * agent (red-team round 8, T7: this used to be {@link #SILENT_HORIZON}, 7 days); past that the
   * answer names the host as context only ({@link #formerHolder}).
   */
  private Map<String, AddressHolding> goneSilent(Instant at, List<AddressHolding> history,
      Map<String, AddressHolding> holders, Map<String, AddressHolding> silent, Map<String, HoldingGap> gaps,
      Set<String> mailServers) {
    Map<String, AddressHolding> out = new LinkedHashMap<>();
    for (AddressHolding h : history) {
      String id = h.hostId();
      AddressHolding held = holders.get(id);
      if (!h.reportedGoneThenSilentAt(at) || mailServers.contains(id) || silent.containsKey(id)
          || gaps.containsKey(id) || (held != null && !held.assumedAt(at))
          || !at.isBefore(h.goneSilentUntil(options.holdingGrace()).orElseThrow())
          || claimedByAnother(id, h.until().orElseThrow(), at.plusMillis(1), history)) {
        continue;
      }
      out.merge(id, h, (a, b) -> b.until().orElseThrow().isAfter(a.until().orElseThrow()) ? b : a);
    }
    return out;
  }

  /** Whether a host other than {@code hostId} held the address at some instant in [from, to). */
  private static boolean claimedByAnother(String hostId, Instant from, Instant to, List<AddressHolding> history) {
    for (AddressHolding g : history) {
      if (!g.hostId().equals(hostId) && g.since().isBefore(to) && g.until().map(from::isBefore).orElse(true)) {
        return true;
      }
    }
    return false;
  }

  /** A host's holdings of an address just before and just after a gap in its reports ({@link #gaps}). */
  private record HoldingGap(AddressHolding before, AddressHolding after) {}

  /** "held 10.20.3.17 until T1 and again from T2; not reported during the gap (7 min) …". */
  private static String gapWords(HoldingGap g, Origin o) {
    Instant from = g.before().until().orElseThrow();
    Instant to = g.after().firstReported();
    return "held " + o.ip() + " until " + from + " and again from " + to + GAP + " (" + span(java.time.Duration
        .between(from, to)) + ", shorter than the holding grace) and no other host claimed it then; the mail at "
        + o.time() + " fell into the gap, so holding it then is an assumption: a weak candidate, never recorded on"
        + " its own";
  }

  /** "reported 10.20.3.17 gone at T1, silent since T2 …". */
  private String goneSilentWords(AddressHolding h, Origin o) {
    return "reported " + o.ip() + GONE + h.until().orElseThrow() + ", silent since "
        + h.silentSoonAfter().orElseThrow() + " (held since " + h.firstReported() + "); no other host claimed it"
        + " since, so the change report may have been false or the address came back: a weak candidate for the"
        + " mail at " + o.time() + ", " + (h.leaseEnd().isPresent() ? "before the end of the DHCP lease it reported"
            : "within the " + span(options.holdingGrace()) + " grace after its last report") + " (until "
        + h.goneSilentUntil(options.holdingGrace()).orElseThrow() + "; later the address is free for the next"
        + " device), never recorded on its own";
  }

  /**
   * Context for an origin no host held (issue 15, red-team round 8, T7): the lab host whose holding
   * of the address ended most recently before the mail, by its own report that the address was
   * gone, within {@link #SILENT_HORIZON}, when it is no candidate for the mail: "no lab host held
   * 10.20.3.17 at T; lab-laptop-3 (id) held it until T1 (reported gone)". Named so a person can
   * follow the address, never weighed: after its report the address was free, and DHCP gives it
   * to the next device, often one without an agent.
   */
  private static Optional<String> formerHolder(Origin o, List<AddressHolding> history, Set<String> candidates,
      Set<String> mailServers) {
    AddressHolding latest = null;
    for (AddressHolding h : history) {
      Optional<Instant> end = h.until();
      if (end.isPresent() && !end.get().isAfter(o.time()) && !end.get().plus(SILENT_HORIZON).isBefore(o.time())
          && (latest == null || end.get().isAfter(latest.until().orElseThrow()))) {
        latest = h;
      }
    }
    // The most recent tenure only, and only one its host reported ended (a silent one is weighed elsewhere).
    if (latest == null || latest.silentAfter().isPresent() || candidates.contains(latest.hostId())
        || mailServers.contains(latest.hostId())) {
      return Optional.empty();
    }
    return Optional.of("no lab host held " + o.ip() + " at " + o.time() + "; " + latest.hostname() + " ("
        + latest.hostId() + ") held it until " + latest.until().orElseThrow() + " (reported gone): context, not a"
        + " candidate — once its own report said the address was gone, DHCP could give it to the next device, such"
        + " as one without an agent");
  }

  /**
   * Why a holding that covers the origin time only through its back-filled start is an
   * assumption: "first reported IP at T, 4 h 55 min after the mail; the address may have been
   * someone else's …".
   */
  static String assumedHolding(AddressHolding h, Origin o) {
    return "first reported " + o.ip() + " at " + h.firstReported() + ", "
        + span(java.time.Duration.between(o.time(), h.firstReported())) + " after the mail; the address may have"
        + " been someone else's (DHCP reuse, a device without an agent): holding it then is an assumption, not"
        + " a report, so it ranks the host weakly and is never alone evidence for a verdict";
  }

  /** "4 h 55 min", "12 min", "40 s". */
  static String span(java.time.Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + " s";
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    return h == 0 ? m + " min" : m == 0 ? h + " h" : h + " h " + m + " min";
  }

  /**
   * Adds the weight of a candidate's busiest non-allowed SMTP window in the slack. Allowed
   * windows are named (the operator sees them) but add nothing: policy allows them.
   *
   * @return true when a non-allowed window was found
   */
  private static boolean corroborate(Tally t, List<EgressHit> hits, String label, String slack,
      Optional<String> boundaryMta, Optional<String> account, Mailing mailing, Map<String, String> accountCapped,
      boolean weakHolder) {
    List<EgressHit> unallowed = hits.stream().filter(e -> !e.allowed()).toList();
    Optional<EgressHit> free = busiest(unallowed);
    if (account.isPresent()) {
      // An authenticated boundary (R2): the submission itself is a connection to our MTA, so only
      // egress that looks like a worm's mailing is independent evidence; without it the host's
      // contribution is capped below the recording threshold (the triage loop applies the cap).
      Optional<String> worm = free.isEmpty() ? Optional.empty() : mailing.wormLike(unallowed);
      if (worm.isPresent()) {
        t.add(EGRESS_CORROBORATION, label + describe(free.get()) + " within " + slack + ": " + worm.get()
            + ", although the boundary records an authenticated submission");
        return true;
      }
      free.ifPresent(f -> t.note(label + describe(f) + " within " + slack + ": ordinary mail sending (not a worm's"
          + " mailing), and the boundary records an authenticated submission: no weight"));
      accountCapped.put(t.hostId, "hop records an authenticated submission ("
          + (account.get().isEmpty() ? "account not named" : "account " + account.get()) + "): the account's act,"
          + " shown but not recorded as a worm trace unless the machine's egress looks like a worm's mailing");
      if (free.isPresent()) {
        return true;
      }
    } else if (free.isPresent()) {
      boolean toBoundary = boundaryMta.map(free.get().destinations()::contains).orElse(false);
      // A holding no report shows at the mail's time (silent, gap, gone then silent) is confirmed
      // only by egress that looks like a worm's mailing: one ordinary sending (a mail client's
      // message, a cron mail) in the slack is what every machine does, and with such a holding it
      // recorded innocent laptops (issue 15, red-team round 8, T2/T5). Shown, capped below recording.
      boolean ordinary = weakHolder && mailing.wormLike(unallowed).isEmpty();
      double w = toBoundary ? EGRESS_TO_BOUNDARY : EGRESS_CORROBORATION;
      t.add(ordinary ? Math.min(w, SILENT_HOLDER_FALLBACK_CAP) : w,
          label + describe(free.get()) + " within " + slack
              + (toBoundary ? ", including " + boundaryMta.get() + ", the MTA that recorded the origin" : "")
              + (ordinary ? "; ordinary mail sending (not a worm's mailing) does not confirm a holding no report"
                  + " shows then, so below the recording threshold" : ""));
      return true;
    }
    busiest(hits.stream().filter(EgressHit::allowed).toList()).ifPresent(a -> t.note(
        label + describe(a) + " within " + slack + ", allowed by policy: no weight"));
    return false;
  }

  /**
   * Ranks hosts by their own non-allowed SMTP egress when no agent host held the origin (or its
   * holder only sends allowed mail). A host's egress counts only when it is on this mail's path
   * (its destinations include the MTA that recorded the origin, or the origin itself, a relay the
   * host submitted to) or looks like a worm's mailing ({@link Mailing#wormLike}); ordinary mail
   * sending elsewhere (a person's client submitting one message to our submission server) is
   * listed in a warning and never ranked: on a campus something is always sending within ±10 min
   * of any complaint (issue 15, red-team round 5, R1). A host whose egress shows only one of the
   * two stays below the recording threshold ({@link #SILENT_HOLDER_FALLBACK_CAP}): the warning,
   * not a record, tells the operator; both together (a mass mailing to the recording MTA) keep
   * {@value #EGRESS_ONLY_TO_BOUNDARY}. Behind an authenticated boundary the path does not count:
   * the submission itself is a connection to our MTA.
   */
  private void egressOnly(Origin o, String label, Instant from, Instant to, Optional<String> boundaryMta,
      Set<String> exclude, Map<String, Tally> out, List<String> warnings, double cap, Optional<String> account,
      Mailing mailing) {
    Map<String, List<EgressHit>> byHost = new LinkedHashMap<>();
    Map<String, String> configuredMtas = configuredMtaHolders(o.time());
    for (EgressHit e : evidence.unallowedEgressBetween(from, to)) {
      if (!e.allowed() && e.overlaps(from, to) && !exclude.contains(e.hostId())) {
        if (configuredMtas.containsKey(e.hostId())) {
          continue;
        }
        byHost.computeIfAbsent(e.hostId(), k -> new ArrayList<>()).add(e);
      }
    }
    for (Map.Entry<String, String> m : configuredMtas.entrySet()) {
      warnings.add(label + m.getValue() + " holds " + "an address --trust names exactly as an MTA of ours, so its SMTP"
          + " egress is an MTA's and is not ranked (give its host the mail-server role so policy allows it)");
    }
    if (byHost.isEmpty()) {
      warnings.add(label + "no host reported SMTP egress within ±" + options.egressSlack().toMinutes()
          + " min of " + o.time());
      return;
    }
    Set<String> onPath = new LinkedHashSet<>();
    Map<String, String> wormy = new LinkedHashMap<>();
    List<String> ordinary = new ArrayList<>();
    // The same connection (N7): a host's own connection to the recording MTA's address on port 25
    // covering the line's time. Behind a NAT only a unique one counts; a tie counts for none. Only
    // for a public origin (a NAT's outside address): a private origin no agent held is a device of
    // our own network without an agent, which may itself be the sender.
    Set<String> sameConnection = new LinkedHashSet<>();
    for (Map.Entry<String, List<EgressHit>> e : byHost.entrySet()) {
      if (account.isEmpty() && !o.privateAddress() && e.getValue().stream().anyMatch(h -> SameConnection.covers(h.windowStart(),
          h.windowEnd(), o.time(), options.egressSlack())
          && SameConnection.toMta(h.endpoints(), mailing.recordingMta).isPresent())) {
        sameConnection.add(e.getKey());
      }
    }
    String unique = SameConnection.unique(sameConnection) ? sameConnection.iterator().next() : null;
    if (sameConnection.size() > 1) {
      warnings.add(label + sameConnection.size() + " hosts connected to " + String.join(" / ", mailing.recordingMta)
          + ", the MTA that recorded origin " + o.ip() + ", on port " + SameConnection.MTA_PORT + " around " + o.time()
          + ": behind a shared address only a unique match is the connection the MTA saw, so none of them is by"
          + " that alone");
    }
    for (Map.Entry<String, List<EgressHit>> e : byHost.entrySet()) {
      if (account.isEmpty() && (sameConnection.contains(e.getKey()) || e.getValue().stream().anyMatch(h ->
          h.destinations().contains(o.ip()) || boundaryMta.map(h.destinations()::contains).orElse(false)))) {
        onPath.add(e.getKey());
      }
      mailing.wormLike(e.getValue()).ifPresent(w -> wormy.put(e.getKey(), w));
      if (!onPath.contains(e.getKey()) && !wormy.containsKey(e.getKey())) {
        ordinary.add(busiest(e.getValue()).map(h -> h.hostname() + " (" + e.getKey() + ")").orElse(e.getKey()));
      }
    }
    if (!ordinary.isEmpty()) {
      warnings.add(label + ordinary.size() + " host(s) sent SMTP within ±" + options.egressSlack().toMinutes()
          + " min of " + o.time() + " neither to " + boundaryMta.map(b -> b + ", the MTA that recorded the origin,")
              .orElse("the MTA that recorded the origin") + " nor like a worm's mailing (fewer than "
          + CarrierSender.WORM_CONNECTIONS + " connections and " + CarrierSender.WORM_OUTSIDE_DESTINATIONS
          + " destinations that are not our mail servers): ordinary mail sending, not ranked: "
          + String.join(", ", ordinary.subList(0, Math.min(5, ordinary.size())))
          + (ordinary.size() > 5 ? " and " + (ordinary.size() - 5) + " more" : ""));
    }
    int n = (int) byHost.keySet().stream().filter(id -> onPath.contains(id) || wormy.containsKey(id)).count();
    if (n == 0) {
      return;
    }
    for (Map.Entry<String, List<EgressHit>> e : byHost.entrySet()) {
      boolean path = onPath.contains(e.getKey());
      String worm = wormy.get(e.getKey());
      if (!path && worm == null) {
        continue;
      }
      EgressHit best = busiest(e.getValue()).orElseThrow();
      Tally t = out.computeIfAbsent(e.getKey(), id -> new Tally(id, best.hostname()));
      Optional<String> notTheOrigin = notTheOrigin(o, e.getKey(), e.getValue(), account);
      double hostCap = notTheOrigin.isPresent() ? Math.min(cap, SILENT_HOLDER_FALLBACK_CAP) : cap;
      String why = notTheOrigin.map(w -> "; but " + w + ", so below the recording threshold").orElse("");
      double alone = Math.min(hostCap, SILENT_HOLDER_FALLBACK_CAP);
      if (path && e.getKey().equals(unique)) {
        // The MTA's trusted line and this host's own egress describe one connection: specific,
        // independent evidence, whatever the number of connections (a one-session worm).
        // Shown as the likely connection, but one connection alone stays below recording: red team
        // round 8 (T1) had an outside sender's mail pinned on the one lab host that mailed the MX then.
        t.add(Math.min(worm != null ? hostCap : alone, EGRESS_ONLY_TO_BOUNDARY), label + describe(best) + " to "
            + String.join(" / ", mailing.recordingMta) + " port " + SameConnection.MTA_PORT + ", the MTA that recorded"
            + " origin " + o.ip() + " at " + o.time() + "; the only host whose own connection to it covers that"
            + " line's time: possibly the connection the MTA recorded, seen from this host"
            + (worm != null ? "; " + worm : "; not a worm's mailing, so below the recording threshold") + why);
      } else if (path) {
        double w = EGRESS_ONLY_TO_BOUNDARY / onPath.size();
        t.add(Math.min(worm != null ? hostCap : alone, w), label + describe(best) + " to "
            + (best.destinations().contains(o.ip()) ? o.ip() + ", the origin itself"
                : boundaryMta.orElse("?") + ", the MTA that recorded origin " + o.ip())
            + "; one of " + onPath.size() + " host(s) that contacted it then"
            + (worm != null ? "; " + worm : "; not a worm's mailing, so below the recording threshold") + why);
      } else {
        t.add(Math.min(alone, EGRESS_ONLY / n), label + describe(best) + " within ±" + options.egressSlack().toMinutes()
            + " min of origin " + o.ip() + " at " + o.time() + "; " + worm + "; one of " + n
            + " host(s) ranked then; not to the MTA that recorded the origin, so below the recording threshold" + why);
      }
    }
  }

  /**
   * Hosts that held, at {@code at}, an address an entry of the walk's configuration names exactly
   * as an MTA ({@code --trust 10.20.0.30}): the administrator's word that the machine there is one
   * of our MTAs. Its SMTP egress is relaying, so egress-only ranking never counts it, whether or not
   * its line is in this complaint's chain (issue 15, red-team round 7, S3: a department relay with
   * an agent but no mail-server role was "Sent by relay" and INFECTED for a visitor's worm mail).
   * A lab host that claims such an address is flagged by the walk and MtaClaimWatch; here it only
   * loses egress-only weight, which it could also lose by not reporting egress at all. Values: the
   * host as named in the warning.
   */
  private Map<String, String> configuredMtaHolders(Instant at) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> exact = configured.exactAddresses();
    for (String ip : exact.subList(0, Math.min(exact.size(), MAX_EXACT_MTAS))) {
      for (AddressHolding h : evidence.holdersOf(ip, at)) {
        if (h.covers(at) && !out.containsKey(h.hostId())) {
          out.put(h.hostId(), h.hostname() + " (" + h.hostId() + ", " + ip + ")");
        }
      }
    }
    return out;
  }

  /**
   * Why a host's egress cannot be the connection the MTA recorded from {@code o}, when the fleet
   * says so (issue 15, red-team round 7, S2): (a) the origin is a private address of ours and the
   * host held another private address of the same family then, on an interface that is not a
   * virtual adapter — its connection would have been recorded from that address (no NAT between our
   * own private networks is assumed; a host behind such a NAT keeps the capped weight, shown); (b)
   * the boundary line records no login and every connection of the host went to a submission port
   * (587/465), where an MTA takes mail only after one. Such a host stays a capped mention: a mail
   * merge or a list sent at the same minutes is not the worm's mail from an address it did not hold.
   */
  private Optional<String> notTheOrigin(Origin o, String hostId, List<EgressHit> hits, Optional<String> account) {
    if (account.isEmpty() && !hits.isEmpty() && hits.stream().allMatch(h -> SameConnection.onlySubmissionPorts(h.endpoints()))) {
      return Optional.of("its connections went only to submission ports (587/465), which take mail after a login,"
          + " and the line recording " + o.ip() + " records none");
    }
    if (o.privateAddress()) {
      boolean v6 = o.ip().indexOf(':') >= 0;
      for (AddressHolding a : evidence.addressesOf(hostId, o.time())) {
        String ip = a.ip();
        // Reported by the mail's time (within the MTA/agent clock skew): an address first reported
        // later says nothing about which address the host had when it mailed.
        if (a.since().isAfter(o.time().plus(AddressHolding.FIRST_REPORT_SKEW))) {
          continue;
        }
        if (!ip.equals(o.ip()) && (ip.indexOf(':') >= 0) == v6 && Ips.isPrivateOrLocal(ip)
            && !ip.startsWith("127.") && !ip.equals("::1") && !ip.startsWith("169.254.") && !ip.startsWith("fe80:")
            && !InterfaceKind.virtual(a.interfaceName())) {
          return Optional.of("it held its own address " + ip + (a.interfaceName().isEmpty() ? "" : " on "
              + a.interfaceName()) + " then, which our MTA would have recorded instead of " + o.ip());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a host's SMTP egress looks like a worm's mailing rather than a person's mail client
   * ({@link CarrierSender#wormLike}: at least {@value CarrierSender#WORM_CONNECTIONS} connections,
   * or {@value CarrierSender#WORM_OUTSIDE_DESTINATIONS} destinations that are not our mail
   * servers, in short windows). "Our mail servers" are the configured trusted MTAs, the
   * addresses of this complaint's trusted hops and the hosts with the mail-server role. A client
   * submitting one or two messages to our MTAs on 587/465/25 is ordinary mail sending and never
   * corroborates (issue 15, red-team round 5, R1/R2).
   */
  private final class Mailing {
    private final Instant at;
    private final Set<String> servers;
    private final TrustConfig ours;
    /** The addresses of the MTA that wrote the boundary line ({@link SameConnection#recordingMta}). */
    final List<String> recordingMta;

    Mailing(ParsedComplaint c, Origin o, Set<String> servers) {
      this.at = o.time();
      this.servers = servers;
      this.recordingMta = SameConnection.recordingMta(c.hops(), o);
      List<String> entries = new ArrayList<>();
      for (String e : evidence.configuredTrust()) {
        try {
          TrustConfig.checkEntry(e);
          entries.add(e);
        } catch (IllegalArgumentException ignored) {
          // A bad stored entry is reported where it is configured; it just does not count here.
        }
      }
      for (TracedHop h : c.hops()) {
        if (h.trust() != HopTrust.CLAIMED) {
          h.hop().byIp().ifPresent(entries::add);
        }
        if (h.trust() == HopTrust.TRUSTED) {
          h.hop().fromIp().filter(ip -> !ip.equals(o.ip())).ifPresent(entries::add);
        }
      }
      TrustConfig built;
      try {
        built = TrustConfig.of(entries);
      } catch (IllegalArgumentException e) {
        built = TrustConfig.none();
      }
      this.ours = built;
    }

    Optional<String> wormLike(List<EgressHit> hits) {
      List<EgressHit> unallowed = hits.stream().filter(e -> !e.allowed()).toList();
      return unallowed.isEmpty() ? Optional.empty() : CarrierSender.wormLike(unallowed, evidence, servers, ours, at);
    }
  }

  /** Longest account name quoted from an authenticated boundary line. */
  private static final int MAX_ACCOUNT = 64;
  private static final java.util.regex.Pattern ACCOUNT = java.util.regex.Pattern.compile(
      "(?i)(?:authenticated sender:\\s*|authenticated as\\s+|\\(AUTH:\\s*\\w+\\s+|\\bauth(?:id)?=)([^\\s(),;]+)");

  /**
   * The account an authenticated boundary line names (Postfix "Authenticated sender: harold",
   * sendmail "authenticated as", Courier "AUTH: LOGIN harold", "auth=…"), as plain text, or ""
   * when the line names none (Exim, Exchange).
   */
  static String authenticatedAccount(String raw) {
    java.util.regex.Matcher m = ACCOUNT.matcher(raw.length() > 4096 ? raw.substring(0, 4096) : raw);
    if (!m.find()) {
      return "";
    }
    String a = ComplaintParser.plain(m.group(1));
    return a.length() > MAX_ACCOUNT ? a.substring(0, MAX_ACCOUNT) + "…" : a;
  }

  /**
   * When the origin's holders show no SMTP egress at all in the slack, the hosts whose non-allowed
   * SMTP went to the MTA that recorded the origin are candidates too: a holder's silence must not
   * absorb the evidence of another host's mail, just as a holder's "allowed" flag must not shift
   * it (an agent that claims a NAT's public address and reports no egress would otherwise hide
   * the NATed sender; issue 15, red-team round 3, F2). Only egress to the boundary MTA counts
   * (mail to that very MTA at that time), and the weight stays below the recording threshold
   * ({@value #SILENT_HOLDER_FALLBACK_CAP}): the holder may be honest and its agent may have
   * missed a short session, so the warning, not a record, tells the operator.
   */
  private void silentHolderFallback(Origin o, String label, Instant from, Instant to, String boundaryMta,
      java.util.Collection<AddressHolding> holders, Set<String> exclude, Map<String, Tally> out,
      List<String> warnings) {
    Map<String, List<EgressHit>> byHost = new LinkedHashMap<>();
    for (EgressHit e : evidence.unallowedEgressBetween(from, to)) {
      if (!e.allowed() && e.overlaps(from, to) && !exclude.contains(e.hostId())
          && e.destinations().contains(boundaryMta)) {
        byHost.computeIfAbsent(e.hostId(), k -> new ArrayList<>()).add(e);
      }
    }
    if (byHost.isEmpty()) {
      return;
    }
    int m = byHost.size();
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, List<EgressHit>> e : byHost.entrySet()) {
      EgressHit best = busiest(e.getValue()).orElseThrow();
      Tally t = out.computeIfAbsent(e.getKey(), id -> new Tally(id, best.hostname()));
      t.add(Math.min(SILENT_HOLDER_FALLBACK_CAP, EGRESS_ONLY_TO_BOUNDARY / m), label + describe(best) + " to "
          + boundaryMta + ", the MTA that recorded origin " + o.ip() + ", while the origin's holder showed no"
          + " SMTP egress; one of " + m + " host(s) that contacted it then");
      if (names.size() < 5) {
        names.add(best.hostname() + " (" + e.getKey() + ")");
      }
    }
    warnings.add(label + "the holder " + holders.stream().limit(5).map(h -> h.hostname() + " (" + h.hostId() + ")")
        .collect(java.util.stream.Collectors.joining(", ")) + " of " + o.ip() + " shows no SMTP egress within ±"
        + options.egressSlack().toMinutes() + " min; " + String.join(", ", names) + (m > names.size()
            ? " and " + (m - names.size()) + " more" : "") + " sent SMTP to the recording MTA " + boundaryMta
        + " then and remain candidates (below the recording threshold): if " + o.ip() + " is a NAT or a"
        + " shared address, the holder's claim may be false");
  }

  private static Optional<EgressHit> busiest(List<EgressHit> hits) {
    return hits.stream().max(Comparator.comparingInt(EgressHit::connections));
  }

  private static String describe(EgressHit e) {
    return "SMTP egress " + e.windowStart() + " to " + e.windowEnd() + " (" + e.connections()
        + " connection(s) to " + e.destinations().size() + " destination(s)"
        + e.process().map(p -> ", process " + p).orElse("") + ")";
  }

  // ---- address book ---------------------------------------------------------------------

  private void addressBook(List<ParsedComplaint> complaints, Map<String, Tally> tallies, List<String> warnings) {
    Set<String> addresses = new LinkedHashSet<>();
    Set<String> senders = new LinkedHashSet<>();
    for (ParsedComplaint c : complaints) {
      c.claimedSender().map(AddressDigest::normalize).filter(a -> a.indexOf('@') > 0).ifPresent(a -> {
        addresses.add(a);
        senders.add(a);
      });
      c.recipients().stream().map(AddressDigest::normalize).filter(a -> a.indexOf('@') > 0).forEach(addresses::add);
    }
    if (addresses.isEmpty()) {
      warnings.add("no sender or recipient address to look up in harvested address books");
      return;
    }
    Map<String, byte[]> digests = new LinkedHashMap<>();
    for (String a : addresses) {
      digests.put(a, AddressDigest.digest(fleetKey, a));
    }
    Map<String, Integer> counts = new HashMap<>(evidence.harvestMatches(digests.values()));
    Map<String, String> ownAddress = new HashMap<>();
    // The machine of a complaint's RECIPIENT received that very message: its mailbox holds the
    // message's claimed sender and recipients because of it, so none of that message's addresses
    // count for it (issue 15, red-team round 5, R7). Only matches beyond them (another
    // complaint's addresses in a batch) still do. Every host reporting the recipient's login is
    // such a machine (round 7, S10b): a second one (a shared PC, a worm's agent) makes ownership
    // ambiguous but must not switch the discount off for the recipient's own machine; a host's
    // login claim changes only its own address-book standing, never its network evidence.
    Map<String, String> recipientOf = new HashMap<>();
    Map<Set<String>, Map<String, Integer>> receivedMatches = new HashMap<>();
    int lookups = 0;
    for (ParsedComplaint c : complaints) {
      Set<String> received = new LinkedHashSet<>();
      c.claimedSender().map(AddressDigest::normalize).filter(a -> a.indexOf('@') > 0).ifPresent(received::add);
      List<String> recipients = c.recipients().stream().map(AddressDigest::normalize)
          .filter(a -> a.indexOf('@') > 0).toList();
      received.addAll(recipients);
      for (String r : recipients) {
        if (lookups++ >= MAX_OWNER_LOOKUPS) {
          break;
        }
        for (String id : evidence.receivingHostIds(r)) {
          if (!counts.containsKey(id)) {
            continue;
          }
          Map<String, Integer> m = receivedMatches.computeIfAbsent(received, set -> evidence.harvestMatches(
              set.stream().map(digests::get).filter(Objects::nonNull).toList()));
          int drop = m.getOrDefault(id, 0);
          if (drop > 0 && recipientOf.putIfAbsent(id, r) == null) {
            counts.merge(id, -drop, Integer::sum);
          }
        }
      }
    }
    // A mailbox naturally holds its owner's address: the claimed sender's, and just as much a
    // recipient's (the person who received, and perhaps forwarded, the complaint). That one
    // match is not counted for the owner's machine.
    List<String> owned = new ArrayList<>(senders);
    addresses.stream().filter(a -> !senders.contains(a)).forEach(owned::add);
    for (String sender : owned.subList(0, Math.min(owned.size(), MAX_OWNER_LOOKUPS))) {
      Map<String, Integer> own = null;
      for (String id : evidence.receivingHostIds(sender)) {
        // Every host of the address's owner (a desktop and a laptop, every host reporting the
        // login) holds it naturally, not only the first.
        if (!counts.containsKey(id) || ownAddress.containsKey(id) || recipientOf.containsKey(id)) {
          continue;
        }
        if (own == null) {
          own = evidence.harvestMatches(List.of(digests.get(sender)));
        }
        if (own.getOrDefault(id, 0) > 0) {
          counts.merge(id, -1, Integer::sum);
          ownAddress.put(id, sender);
        }
      }
    }
    int k = addresses.size();
    double volume = 1 - Math.pow(2, -k);
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      int m = Math.min(e.getValue(), k);
      if (m <= 0) {
        continue;
      }
      long rivals = counts.values().stream().filter(v -> v >= m).count();
      double w = ADDRESS_BOOK * volume * ((double) m / k) / rivals;
      Tally t = tallies.computeIfAbsent(e.getKey(), id -> new Tally(id, null));
      t.addressBook = w;
      t.reasons.add(String.format(Locale.ROOT,
          "harvested address book holds %d of the %d complaint address(es) (claimed senders and"
              + " recipients); %d host(s) hold as many [+%.2f]%s", m, k, rivals, w,
          ownAddress.containsKey(e.getKey())
              ? "; its own user's address " + ownAddress.get(e.getKey()) + " is not counted"
              : recipientOf.containsKey(e.getKey()) ? "; the machine of recipient " + recipientOf.get(e.getKey())
                  + ": the addresses of the message it received are not counted" : ""));
    }
  }

  /** Evidence gathered for one host. */
  private static final class Tally {
    final String hostId;
    final @Nullable String hostname;
    final List<Double> weights = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();
    /** Network weights from complaints whose contributions are not capped (across the batch). */
    final Combined network = new Combined();
    /**
     * Whether some weight rests on a report (a holding, egress, a silent holder's reports), not
     * only on a holding assumed by the back-fill ({@link #addAssumed}).
     */
    boolean reported;
    /**
     * Network weights from complaints whose contributions are capped ({@link ParsedComplaint#capped()},
     * an authenticated submission).
     */
    final Combined capped = new Combined();
    @Nullable String cappedBy;
    double addressBook;

    Tally(String hostId, @Nullable String hostname) {
      this.hostId = hostId;
      this.hostname = hostname;
    }

    void add(double weight, String reason) {
      weights.add(weight);
      reasons.add(String.format(Locale.ROOT, "%s [+%.2f]", reason, weight));
      reported = true;
    }

    /** Weight from a holding no report shows at the origin time (a back-filled start). */
    void addAssumed(double weight, String reason) {
      weights.add(weight);
      reasons.add(String.format(Locale.ROOT, "%s [+%.2f]", reason, weight));
    }

    /** A line for the operator that carries no weight. */
    void note(String reason) {
      reasons.add(reason);
    }

  }

  /**
   * A candidate's network weights across a batch (issue 15, red-team round 7, S1/S2). A weight
   * from {@value #BELOW_RECORDING} on (a holder, egress that corroborates it, a worm's mailing to
   * the recording MTA) is evidence that may record by itself; a weight below it (a silent or
   * assumed holder, a conflict share, egress capped as "not a worm's mailing", the direct
   * sender of a carried message) was set there because that evidence alone must not record.
   * Weights of that second kind therefore never add up to the threshold: without a weight of the
   * first kind their combination is the strongest of them, so one egress window or one holding
   * that several complaints of a batch all see counts once, and two capped weights never make a
   * recordable one. With a weight of the first kind every weight joins the noisy-OR.
   */
  private static final class Combined {
    private double strongMiss = 1;
    private double weakMiss = 1;
    private double weakMax;
    private int weak;

    void addAll(List<Double> weights) {
      for (double w : weights) {
        if (w >= BELOW_RECORDING) {
          strongMiss *= 1 - w;
        } else if (w > 0) {
          weakMiss *= 1 - w;
          weakMax = Math.max(weakMax, w);
          weak++;
        }
      }
    }

    double score() {
      return strongMiss < 1 ? 1 - strongMiss * weakMiss : weakMax;
    }

    /** How many weak weights were combined without a strong one (0 when a strong one exists). */
    int weakOnly() {
      return strongMiss < 1 ? 0 : weak;
    }
  }

  private static double rounded(double confidence) {
    return Math.round(Math.min(MAX_CONFIDENCE, confidence) * 1000) / 1000.0;
  }
}
