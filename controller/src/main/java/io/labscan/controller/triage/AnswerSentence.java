package io.labscan.controller.triage;

import io.labscan.controller.text.HostnameKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one sentence a person reads first (CLI table, web Triage page through the JSON's {@code
 * summary}), e.g. "Sent by lab-pc-07 (10.20.3.17) at 17:32:11 UTC on 2026-12-06 — confidence
 * high. The From: address harold@lab.example.edu is forged: its owner's machine lab-pc-12 is
 * CLEAN."
 *
 * <p>Confidence words: <b>high</b> from {@value #HIGH}, <b>medium</b> from {@value #MEDIUM}
 * (the verdicts' complaint threshold), <b>low</b> below. Host names and addresses in the
 * sentence are endpoint-reported text: control characters (terminal escapes, line breaks,
 * bidirectional overrides, zero-width and other format characters) become {@code ?} here, a name
 * another host shares (or one that prints the same) is followed by its host id, and each name is cut at {@value
 * #MAX_NAME} characters; the web page still shows the sentence only as text.
 */
public final class AnswerSentence {
  /** Confidence from which the sentence says "high". */
  public static final double HIGH = 0.8;
  /** Confidence from which the sentence says "medium" (and a complaint counts for verdicts). */
  public static final double MEDIUM = 0.5;
  static final int MAX_NAME = 80;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss 'UTC on' yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);

  private AnswerSentence() {}

  /** The confidence in a word. */
  public static String confidenceWord(double confidence) {
    return confidence >= HIGH ? "high" : confidence >= MEDIUM ? "medium" : "low";
  }

  /**
   * "medium (0.88)." — the word follows the candidate's network confidence, the quantity that
   * decides recording (issue 15, red-team round 7, S5): a candidate the address book ranks above
   * its network evidence reads "low (0.60; address book only …)", never "Sent by … medium".
   */
  private static String level(Candidate c) {
    String word = confidenceWord(c.networkConfidence());
    if (c.networkConfidence() >= c.confidence()) {
      return word + String.format(Locale.ROOT, " (%.2f).", c.confidence());
    }
    return word + (c.networkConfidence() <= 0
        ? String.format(Locale.ROOT, " (%.2f, address book only: no network evidence ties it to the mail).",
            c.confidence())
        : String.format(Locale.ROOT, " (%.2f, of which network evidence %.2f; the rest is the address book, not"
            + " evidence of sending).", c.confidence(), c.networkConfidence()));
  }

  /** The sentence for this answer. */
  public static String of(TriageResult result) {
    StringBuilder sb = new StringBuilder();
    Optional<Origin> origin = result.origin();
    Optional<Candidate> top = result.candidates().stream().findFirst();
    Optional<java.util.regex.Matcher> direct = top.flatMap(AnswerSentence::directSender);
    Optional<TrustDoubt> contested = origin.flatMap(Origin::doubt).filter(TrustDoubt::capAll);
    if (contested.isPresent()) {
      // Configuration and the fleet disagree about a trusted line (issue 15, round 6, N0d): no
      // sender is stated as established, whoever ranks first.
      sb.append(clean(contested.get().headline(), 1200));
      top.ifPresent(c -> sb.append(" Candidates, none recorded: ").append(name(result, c))
          .append(" — confidence ").append(confidenceWord(c.networkConfidence()))
          .append(String.format(Locale.ROOT, " (%.2f)", c.confidence()))
          .append(result.candidates().size() > 1 ? ", and others below." : "."));
      return sb.toString();
    }
    if (direct.isPresent()) {
      // The host our MTA saw hand in the carrying message heads the answer (issue 15, round 4,
      // F3): name it with its own address and time, never the carried part's.
      Candidate c = top.get();
      sb.append(c.networkConfidence() >= MEDIUM ? "Sent by " : "Possibly sent by ").append(name(result, c))
          .append(" (").append(clean(direct.get().group(2))).append("), which handed the carrying message straight to"
              + " our mail server, unauthenticated, at ");
      try {
        sb.append(at(Instant.parse(direct.get().group(3))));
      } catch (java.time.format.DateTimeParseException e) {
        sb.append(clean(direct.get().group(3)));
      }
      sb.append("; the message it carries may be its own text — confidence ").append(level(c));
      if (c.networkConfidence() < MEDIUM) {
        sb.append(" The evidence is thin: read the reasons below before acting.");
      }
    } else if (origin.isPresent() && top.isPresent() && goneSilentAmongOthers(result, top.get(), origin.get().ip())) {
      // A host that reported the address gone before the mail heads the answer only when nothing
      // else is known (issue 15, red-team round 8, T7): the address was free, DHCP may have given
      // it to a device without an agent, and other hosts' SMTP egress is evidence too.
      Candidate c = top.get();
      sb.append("No LabScan host held ").append(clean(origin.get().ip())).append(" at ").append(at(origin.get().time()))
          .append(". Weak candidates only, none established: ").append(name(result, c)).append(" (")
          .append(holding(c, origin.get().ip())).append("), and other hosts that sent SMTP mail then — confidence ")
          .append(level(c)).append(" The evidence is thin: read the reasons below before acting.");
    } else if (origin.isPresent() && top.isPresent() && top.get().networkConfidence() < MEDIUM
        && top.get().reasons().stream().anyMatch(r -> r.contains(Triage.NAMED_BY_COPY))) {
      // Only the forwarder's copy names it (issue 15, round 7, S11): the copy's claim, not a sender.
      Candidate c = top.get();
      sb.append("The forwarded copy names ").append(name(result, c)).append(" (")
          .append(holding(c, origin.get().ip())).append(") at ").append(at(origin.get().time()))
          .append(", but nothing outside the copy confirms it — confidence ").append(level(c))
          .append(" The copy is the forwarder's text: read the reasons below before acting.");
    } else if (origin.isPresent() && top.isPresent()) {
      Candidate c = top.get();
      String ip = clean(origin.get().ip());
      sb.append(c.networkConfidence() >= MEDIUM ? "Sent by " : "Possibly sent by ").append(name(result, c))
          .append(" (").append(holding(c, origin.get().ip())).append(")").append(" at ")
          .append(at(origin.get().time()))
          .append(" — confidence ").append(level(c));
      if (c.networkConfidence() < MEDIUM) {
        sb.append(" The evidence is thin: read the reasons below before acting.");
      }
    } else if (origin.isPresent()) {
      sb.append("The message entered our mail path from ").append(clean(origin.get().ip())).append(" at ")
          .append(at(origin.get().time())).append(", but no LabScan host held that address or sent SMTP mail"
          + " then: it probably did not come from a machine with an agent. Check the Received: chain below.");
    } else if (top.isPresent()) {
      sb.append("No origin could be read from the Received: lines; by the address book alone the likeliest"
          + " sender is ").append(name(result, top.get())).append(" — confidence ")
          .append(level(top.get()))
          .append(" Paste the complaint with all its headers to confirm.");
    } else {
      sb.append("LabScan cannot tell where this message came from");
      result.warnings().stream().filter(w -> w.contains("origin")).findFirst()
          .ifPresent(w -> sb.append(": ").append(clean(w, 200)));
      sb.append(". Paste the complaint with all its Received: headers (for a bounce, with the copy of the"
          + " original it carries).");
    }
    top.ifPresent(c -> Stream.of(c.hostname(), c.nameThen()).filter(result::nameShared).findFirst()
        .ifPresent(n -> sb.append(" Another host of the fleet reports the name ").append(clean(n))
            .append(" or one that prints the same: the host is named by its id.")));
    claimedSender(result, top).ifPresent(s -> sb.append(' ').append(s));
    Optional<TrustDoubt> doubt = origin.flatMap(Origin::doubt);
    if (doubt.isPresent() && !result.recordable()) {
      sb.append(' ').append(clean(doubt.get().headline(), 1200));
    } else if (origin.isPresent() && !result.recordable()) {
      sb.append(" Unverified: the origin does not rest on a Received: line an MTA of ours wrote, so this answer"
          + " is shown but not recorded as evidence; if the mail passed through your MX, name it on the Settings"
          + " page (or give its host the mail-server role).");
    }
    return sb.toString();
  }

  private static final java.util.regex.Pattern IN_GRACE = java.util.regex.Pattern.compile(
      "last reported (\\S+) at (\\S+)" + java.util.regex.Pattern.quote(Triage.IN_GRACE) + "(.+?) \\(origin at ");

  /**
   * What the brackets after the host's name say about the origin's address. It reads as the host's
   * own only when a report showed it there then; a holding inferred from the host's silence, from a
   * gap in its reports or from silence after it reported the address gone says so (issue 15,
   * red-team round 6, R6): "lab-pc-07 (last reported 10.20.3.17 at 14:02:00 UTC on …, silent since;
   * assumed to still hold it within the 2 h grace)".
   */
  private static String holding(Candidate c, String originIp) {
    String ip = clean(originIp);
    for (String r : c.reasons()) {
      java.util.regex.Matcher m = IN_GRACE.matcher(r);
      if (m.find() && m.group(1).equals(originIp)) {
        String when;
        try {
          when = at(Instant.parse(m.group(2)));
        } catch (java.time.format.DateTimeParseException e) {
          when = clean(m.group(2));
        }
        return "last reported " + ip + " at " + when + Triage.IN_GRACE + clean(m.group(3));
      }
    }
    if (c.reasons().stream().anyMatch(r -> r.contains(originIp + " until ") && r.contains(Triage.GAP))) {
      return "held " + ip + " before and after a short gap in its reports; the mail fell into the gap";
    }
    if (c.reasons().stream().anyMatch(r -> r.contains("reported " + originIp + Triage.GONE))) {
      return "reported " + ip + " gone, then fell silent; the mail came after";
    }
    // The address in brackets reads as the host's own: say so only when the host held it.
    return c.reasons().stream().anyMatch(r -> r.contains("held " + originIp + " ")) ? ip
        : "the mail entered at " + ip;
  }

  /** The top candidate is there only as a host that reported the origin's address gone, and other candidates have network evidence. */
  private static boolean goneSilentAmongOthers(TriageResult result, Candidate top, String originIp) {
    return holding(top, originIp).startsWith("reported ") && top.networkConfidence() < MEDIUM
        && result.candidates().stream().skip(1).anyMatch(k -> k.networkConfidence() > 0);
  }

  private static final java.util.regex.Pattern DIRECT = java.util.regex.Pattern.compile(
      "^(complaint \\d+: )?" + java.util.regex.Pattern.quote(Triage.DIRECT_SENDER) + "(\\S+) at (\\S+), ");

  /** The direct sender's reason of a candidate ({@link Triage#DIRECT_SENDER}): address in group 2, time in 3. */
  private static Optional<java.util.regex.Matcher> directSender(Candidate c) {
    for (String r : c.reasons()) {
      java.util.regex.Matcher m = DIRECT.matcher(r);
      if (m.find()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> claimedSender(TriageResult result, Optional<Candidate> top) {
    Optional<String> sender = result.claimedSender();
    if (sender.isEmpty()) {
      return Optional.empty();
    }
    String address = clean(sender.get());
    Optional<HostState> owner = result.claimedSenderHost();
    if (owner.isEmpty()) {
      return Optional.of("The From: address " + address + " is only a claim (worms forge it); LabScan knows no"
          + " machine of its owner.");
    }
    HostState h = owner.get();
    if (result.claimedSenderOwnerSource().filter(TriageEvidence.OWNER_LOGINS::equals).isPresent()) {
      return Optional.of(byLogins(result, address, h, top));
    }
    boolean ownerSent = top.map(c -> c.hostId().equals(h.hostId()) && c.networkConfidence() >= MEDIUM).orElse(false);
    if (ownerSent) {
      return Optional.of("The From: address " + address + " is its owner's: the owner's machine "
          + name(result, h.hostId(), h.hostname()) + " sent it.");
    }
    String verdict = clean(h.verdict());
    if (top.map(c -> c.hostId().equals(h.hostId())).orElse(false)) {
      // The owner's machine is named, below MEDIUM: "forged" and "CLEAN" would contradict the
      // sentence's own "possibly sent by" (issue 15, round 4, F3).
      return Optional.of("The From: address " + address + " is its owner's, but From: is the sender's choice:"
          + " it neither accuses nor clears the owner's machine " + name(result, h.hostId(), h.hostname())
          + " (now " + verdict + ").");
    }
    if (top.isPresent() && "CLEAN".equalsIgnoreCase(h.verdict())) {
      return Optional.of("The From: address " + address + " is forged: its owner's machine "
          + name(result, h.hostId(), h.hostname()) + " is CLEAN.");
    }
    return Optional.of("The From: address " + address + " is not evidence of the sender; its owner's machine "
        + name(result, h.hostId(), h.hostname()) + " is " + verdict + ".");
  }

  /**
   * The claimed sender's machine found only by a login (no administrator's mapping): a login is an
   * agent's claim and a shared PC reports many, so the machine is "lab-pc-12, where harold logged
   * in", never "its owner's machine", and the sentence never says the owner sent the mail nor
   * that the From: is forged (issue 15, red-team round 7, S13).
   */
  private static String byLogins(TriageResult result, String address, HostState h, Optional<Candidate> top) {
    String where = name(result, h.hostId(), h.hostname()) + ", where " + clean(login(address)) + " logged in";
    String unmapped = " (no administrator mapped the address to a machine)";
    if (top.map(c -> c.hostId().equals(h.hostId())).orElse(false)) {
      return "The From: address " + address + " is only a claim (worms forge it; From: is the sender's choice): "
          + where + ", is the host named above (now " + clean(h.verdict()) + ")" + unmapped + ".";
    }
    return "The From: address " + address + " is only a claim (worms forge it); " + where + ", is "
        + clean(h.verdict()) + unmapped + ".";
  }

  /** The local part of an address (the login it was matched with). */
  private static String login(String address) {
    int at = address.lastIndexOf('@');
    return at > 0 ? address.substring(0, at) : address;
  }

  private static String at(Instant t) {
    return TIME.format(t);
  }

  static String clean(String s) {
    return clean(s, MAX_NAME);
  }

  /**
   * A host's name as the sentence shows it: cleaned, and followed by its host id in brackets
   * when another host of the fleet has the same name or one that prints the same ({@link
   * TriageResult#nameShared}): a name is a claim, and the sentence must not blame the innocent
   * host whose name the sender took (issue 15, D; red-team round 3, F4/F5).
   */
  static String name(TriageResult result, String hostId, String hostname) {
    return clean(hostname) + (result.nameShared(hostname) || HostnameKey.lookAlike(hostname)
        ? " [" + clean(hostId) + "]" : "");
  }

  /**
   * A candidate as the sentence names it: by the name it reported at the mail's time, and, when
   * it calls itself otherwise now, by that too ("lab-pc-07, now calling itself lab-pc-12 since
   * 14:05"): a worm that controls its host may take an innocent machine's name after it mailed
   * (issue 15, D, red-team R9). The id follows when either name is shared.
   */
  static String name(TriageResult result, Candidate c) {
    // A look-alike name (lab‐pc‐12 with U+2010) is named by its id even when no host has the
    // plain name (issue 15, red-team round 7, T8).
    boolean shared = result.nameShared(c.nameThen()) || result.nameShared(c.hostname())
        || HostnameKey.lookAlike(c.nameThen()) || HostnameKey.lookAlike(c.hostname());
    return clean(c.nameThen()) + (shared ? " [" + clean(c.hostId()) + "]" : "")
        + c.renamedAt().map(t -> ", now calling itself " + clean(c.hostname()) + " since " + at(t)).orElse("");
  }

  /** Control characters and bidirectional controls become '?'; cut at max characters. */
  static String clean(String s, int max) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 3));
    s.codePoints().forEach(cp -> {
      // Every format character (category Cf: bidi controls, zero-width space and joiners,
      // U+2060, U+FEFF, U+00AD) and every other character that prints as nothing is made
      // visible: "lab-pc-07\u200B" must not read as lab-pc-07.
      boolean control = Character.isISOControl(cp) || io.labscan.controller.text.HostnameKey.ignorable(cp)
          || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)
          || cp == 0x200E || cp == 0x200F || cp == 0x061C;
      sb.appendCodePoint(control ? '?' : cp);
    });
    return sb.length() > max ? sb.substring(0, Math.max(0, max - 3)) + "..." : sb.toString();
  }
}
