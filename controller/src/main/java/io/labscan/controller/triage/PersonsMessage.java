package io.labscan.controller.triage;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A message a person sent, not the worm's mail (issue 15, red-team round 9, F2).
 *
 * <p>A person who asks IT or abuse@ "is this a virus?" from her lab PC — with the worm mail's
 * headers pasted in the body, without "Fwd:", or with none at all — sends a message whose
 * boundary line names her PC. Campus MXs such as Exchange/SMTPSVC write no authentication mark,
 * so nothing in the line tells her mail client's submission from a worm's own SMTP engine. Her
 * PC's own agent does: in the origin's window its only SMTP egress was by a process policy
 * allows (her mail client). Two rules follow, both applied to the origin's holders in {@link
 * Triage}:
 *
 * <ul>
 *   <li><b>sent by the mail client</b> ({@link #capReason}): the holder reported SMTP egress in
 *       the window, some of it by a desktop mail client ({@link MailClients}) policy allows, and none of it looks like a worm's
 *       mailing ({@link CarrierSender#wormLike}). The holder's contribution is capped below
 *       recording ({@link Triage#UNRESOLVED_CARRIER_CAP}): shown as "Possibly sent by", never
 *       recorded. Only the host's own worm-like unallowed egress lifts the cap; a host whose agent
 *       reported no egress at all for the window (no egress watch) keeps the holder rule.
 *   <li><b>the forward's own header block</b> ({@link #ownHeaders}): the block traced as the
 *       message itself has a forward or reply Subject ("FW:", "Fwd:", "WG:", "TR:", "RV:", "Re:",
 *       "AW:", ...) or says it carries an attachment ({@code X-MS-Has-Attach: yes}, which Outlook
 *       writes; a block whose body holds a {@code message/rfc822} part is unwrapped as a forward
 *       before, and a bare attachment part is what every worm mail has, so neither is a sign
 *       here). Only a block traced as the message itself is judged. It names the forwarder's
 *       (or replier's) submission, not the complaint's message (issue 15, A): a warning asks for
 *       the attached message's headers, and the holder is capped as above unless its own egress
 *       looks like a worm's mailing.
 * </ul>
 *
 * <p>Both rest on text the sender or its agent wrote: a worm may report its egress as an allowed
 * mail client's, or give its mail a "Re:" subject (Sobig, Netsky and Bagle do). It then gains only
 * the capped, unrecorded answer, which still names its host; never recording an innocent person's
 * PC is worth that.
 */
final class PersonsMessage {
  /** The warning for a forward's or reply's own header block; {@link Triage} looks for it exactly. */
  static final String OWN_HEADERS = "these are the headers of the forward (or reply) itself, not of the complaint's"
      + " message: paste the attached message's headers";

  /** Forward and reply prefixes of common languages' mail clients, after an optional [list] tag. */
  private static final Pattern FORWARD_OR_REPLY = Pattern.compile(
      "(?i)^\\s*(?:\\[[^\\]]{0,40}\\]\\s*)?(?:fwd?|fw|wg|tr|rv|enc|vs|vb|i|doorst|re|aw|sv|antw|odp|r|ris|rif|res)"
          + "\\s*(?:\\[\\d{1,3}\\])?\\s*:.*", Pattern.DOTALL);

  private PersonsMessage() {}

  /**
   * Why the header block a complaint is traced through as itself is a forward's or reply's own,
   * when it is: {@link #OWN_HEADERS} with the sign that told.
   */
  static Optional<String> ownHeaders(HeaderBlock block) {
    Optional<String> subject = block.first("Subject").map(ComplaintParser::decode);
    if (subject.isPresent() && FORWARD_OR_REPLY.matcher(subject.get()).matches()) {
      return Optional.of(OWN_HEADERS);
    }
    boolean attach = block.first("X-MS-Has-Attach").map(v -> v.strip().equalsIgnoreCase("yes")).orElse(false);
    return attach ? Optional.of(OWN_HEADERS) : Optional.empty();
  }

  /**
   * Why a holder's contribution is capped as a person's message, when it is: {@code own} is the
   * holder's SMTP egress overlapping the origin's window, {@code wormLike} tells whether (and why)
   * egress looks like a worm's mailing, {@code ownHeaders} whether the traced block is a
   * forward's own ({@link #ownHeaders}).
   */
  static Optional<String> capReason(List<EgressHit> own, Function<List<EgressHit>, Optional<String>> wormLike,
      boolean ownHeaders) {
    if (wormLike.apply(own).isPresent()) {
      return Optional.empty(); // the host's own worm-like egress: its mail may well be the worm's
    }
    // A desktop mail client policy allows; other allowed senders (a relay's MTA not yet in --trust)
    // keep the holder weight and the relay fallback (TriageTest#holderThatOnlySendsAllowedMail…).
    Optional<EgressHit> client = own.stream().filter(e -> e.allowed() && MailClients.is(e.process())).findFirst();
    if (client.isPresent()) {
      String process = client.get().process().map(ComplaintParser::plain).orElse("a process");
      return Optional.of("sent by its mail client (" + process + ", allowed)"
          + ": a person's message, not the worm's own SMTP; shown, never recorded, unless the host's own"
          + " egress looks like a worm's mailing");
    }
    if (ownHeaders) {
      return Optional.of("the traced header block is a forward's or reply's own: it names whoever forwarded or"
          + " replied, not the complaint's message; shown, never recorded, unless the host's own egress looks"
          + " like a worm's mailing");
    }
    return Optional.empty();
  }
}
