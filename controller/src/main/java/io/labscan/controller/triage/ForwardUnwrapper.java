package io.labscan.controller.triage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Complaints reach IT staff forwarded: as an attachment ({@code message/rfc822}, Outlook's and
 * Thunderbird's "forward as attachment", sometimes nested, sometimes a forward of a bounce) or
 * inline (the original's headers pasted into the body, see {@link PastedHeaders}). The
 * forwarder's own header block only describes the forward: its {@code Received:} lines trace
 * the forwarder's mail, its {@code From:} is the forwarder and its {@code To:} is the help
 * desk. So a forward is traced through the message it carries, and the answer says which part
 * that was ({@code tracedPart}) and who forwarded it ({@code forwardedBy}); the outer header
 * block contributes nothing else — not the claimed sender, not the recipients, not a hop.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>A message that is not itself a bounce or report and carries a {@code message/rfc822}
 *       (or {@code text/rfc822-headers}) part is a forward of the first such part. Several
 *       attached messages: the first is traced, a warning names the count.
 *   <li>Otherwise, a first text part holding a pasted header block ({@link PastedHeaders}) is an
 *       inline forward of that block, but only when the message says it is a forward: its
 *       subject has a forward prefix ({@link #forwardSubject}) or a forward marker line comes
 *       before the block ({@link #inlineForward}). Anyone can write {@code Received:} lines into
 *       a body (a worm does, to frame a lab PC), so a message that is no forward is traced
 *       through its own header block, whatever its text holds.
 *   <li>The carried message is read by the complaint parser again, so a forward of a forward,
 *       of a bounce or of an ARF report unwraps to the bottom, at most {@value
 *       ComplaintParser#MAX_FORWARD_DEPTH} levels deep. Each level reads a part of the level
 *       above, capped at {@value ComplaintParser#MAX_PART_BYTES} bytes.
 *   <li>An origin traced through a carried part is never recordable as evidence ({@link
 *       #carried}): the forwarder could have written the carried message.
 *   <li>A carried part that is no mail at all gives no origin (and a warning): the forwarder's
 *       own headers are never traced instead.
 * </ul>
 */
final class ForwardUnwrapper {
  /**
   * "FW:", "Fwd:", "WG:" (German), "TR:" (French), "RV:" (Spanish), "I:" (Italian), "VS:"
   * (Finnish), "Doorst:" (Dutch) …, case-insensitive, after a mailing-list tag and after reply
   * prefixes ("Re: Fwd: …", "AW: WG: …").
   */
  private static final Pattern FORWARD_SUBJECT = Pattern.compile(
      "(?i)^\\s*(?:\\[[^\\]]{0,40}\\]\\s*)?(?:(?:re|aw|sv)\\s*:\\s*){0,10}"
          + "(?:fwd?|fw|wg|tr|rv|enc|vs|vb|i|doorst)\\s*:.*", Pattern.DOTALL);

  /** Parses the carried bytes one level down. */
  @FunctionalInterface
  interface Level {
    ParsedComplaint parse(byte[] carried) throws NotAMailMessageException;
  }

  private ForwardUnwrapper() {}

  /** How {@code tracedPart} begins for a part a forward or redirect carried ({@link #unwrap}). */
  private static final List<String> CARRIED_PARTS = List.of("attachment 1 of the message",
      "the header block pasted in the body, ", "the message forwarded inline in the body, ", "the message redirected");

  /**
   * Whether a complaint's {@code tracedPart} is a part another message carried (an attached
   * message, a block pasted in a forward's body, a redirected message, at any nesting): its lines
   * are the forwarder's text ({@link Triage}, red-team round 7, S11). A bounce's or report's copy
   * and a block the operator pasted are not.
   */
  static boolean carriedPart(String tracedPart) {
    return CARRIED_PARTS.stream().anyMatch(tracedPart::startsWith);
  }

  /** True when the subject says the message is a forward ("FW: …", "Fwd: …", "Re: Fwd: …"). */
  static boolean forwardSubject(HeaderBlock outer) {
    return outer.first("Subject").map(s -> FORWARD_SUBJECT.matcher(s).matches()).orElse(false);
  }

  /**
   * Whether a block pasted in the body of a message with header block {@code outer} is an
   * inline forward: a forward subject, or a forward marker line before the block. A raw block of
   * {@code Received:} lines with neither is text the sender wrote, not a forward.
   */
  static boolean inlineForward(PastedHeaders.Found found, HeaderBlock outer) {
    return found.afterMarker() || forwardSubject(outer);
  }

  /**
   * A bounce without RFC 3464 structure: sent by a mail daemon (From {@code MAILER-DAEMON},
   * {@code postmaster}) <em>and</em> with a bounce subject. Both, because the worm forges From:
   * from address books and uses bounce-like subjects ("Undeliverable mail--…"), and a worm
   * message must still be traced as itself.
   */
  static boolean daemonBounce(HeaderBlock outer) {
    return outer.first("From").map(f -> ComplaintParser.DAEMON.matcher(f).find()).orElse(false)
        && outer.first("Subject").map(s -> ComplaintParser.BOUNCE_SUBJECT.matcher(s).find()).orElse(false);
  }

  static ParsedComplaint attached(
      byte[] carried, String type, int count, HeaderBlock outer, List<String> warnings, int depth,
      Level next) {
    Optional<String> forwarder = forwarder(outer);
    String part = "attachment 1 of the message (" + type + ")"
        + forwarder.map(f -> ", forwarded by " + f).orElse("");
    List<String> notes = new ArrayList<>(warnings);
    if (count > 1) {
      notes.add("the message carries " + count + " attached messages; only the first was traced:"
          + " save the others and triage each on its own");
    }
    return unwrap(carried, part, "attachment 1", forwarder, notes, depth, next);
  }

  static ParsedComplaint inline(
      PastedHeaders.Found found, HeaderBlock outer, List<String> warnings, int depth, Level next) {
    Optional<String> forwarder = forwarder(outer);
    String part = (found.hasReceived() ? "the header block pasted in the body, "
        : "the message forwarded inline in the body, ") + found.how()
        + forwarder.map(f -> ", forwarded by " + f).orElse("");
    List<String> notes = new ArrayList<>(warnings);
    if (!found.hasReceived()) {
      notes.add("the message was forwarded inline and the forwarding mail client kept only its"
          + " summary fields (From, Date, Subject), no Received: lines, so no origin can be traced;"
          + " ask for the original forwarded as an attachment, or for its full headers");
    }
    return unwrap(found.message(), part, "the inline forward", forwarder, notes, depth, next);
  }

  /**
   * A redirected message ({@link ResentBlock}): traced through the message below the Resent-
   * block; the redirector ({@code Resent-From}) is named as who passed it on, as a forwarder is.
   */
  static ParsedComplaint redirected(
      byte[] carried, HeaderBlock carrier, List<String> warnings, int depth, Level next) {
    Optional<String> redirector = forwarder(carrier);
    String part = "the message redirected" + redirector.map(r -> " by " + r + " (Resent-From)")
        .orElse(" (a Resent- block without Resent-From)");
    return unwrap(carried, part, "the redirected message", redirector, new ArrayList<>(warnings), depth, next);
  }

  private static ParsedComplaint unwrap(
      byte[] carried, String part, String name, Optional<String> forwarder, List<String> notes,
      int depth, Level next) {
    if (depth >= ComplaintParser.MAX_FORWARD_DEPTH) {
      notes.add("forwards are nested more than " + ComplaintParser.MAX_FORWARD_DEPTH + " deep;"
          + " the innermost were not unwrapped and no origin is traced");
      return nothing(part, forwarder, notes);
    }
    ParsedComplaint inner;
    try {
      inner = next.parse(carried);
    } catch (NotAMailMessageException e) {
      notes.add(name + " is not a mail message (" + ComplaintParser.plain(e.getMessage()) + "); the forwarder's"
          + " own headers describe the forward, not the complaint, so no origin is traced");
      return nothing(part, forwarder, notes);
    }
    String in = inner.tracedPart();
    String traced = in.equals(ParsedComplaint.ITSELF) || in.equals(ComplaintParser.PASTED_BLOCK) ? part
        : part + "; in it, " + in.replaceFirst("^attachment 1 of the message", "attachment 1");
    return carried(inner.traced(traced, forwarder.or(inner::forwardedBy), notes), part);
  }

  /**
   * The one place where an answer traced through a carried part (an attached message, a block
   * pasted in a forward's body) loses its recordability. Nothing in the mail confirms that
   * any line of a carried message was written by an MTA of ours: whoever sent the forward could
   * have written all of it, so the origin is shown, never recorded as evidence. (A header block
   * or message the operator pastes or uploads at the top level keeps the ordinary rule.)
   */
  static ParsedComplaint carried(ParsedComplaint c, String part) {
    if (c.origin().isEmpty()) {
      return c;
    }
    String because = "the traced message was carried inside another message (" + part + "): whoever"
        + " forwarded it could have written its lines; shown, never recorded as evidence";
    List<String> w = new ArrayList<>(c.warnings());
    if (w.stream().noneMatch(s -> s.startsWith("the traced message was carried inside another message"))) {
      w.add(because);
    }
    Origin o = c.origin().get();
    Origin unrecorded = o.recordable()
        ? new Origin(o.ip(), o.time(), o.hop(), o.hopText(), o.recordedBy(), o.timeSource(),
            o.trustedBecause(), o.crossChecks(), o.writerTrust(), false, because, o.doubt())
        : o;
    return c.withTrace(c.hops(), Optional.of(unrecorded)).withWarnings(w);
  }

  private static ParsedComplaint nothing(String part, Optional<String> forwarder, List<String> notes) {
    return new ParsedComplaint(ComplaintKind.MESSAGE, Optional.empty(), List.of(), Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), notes,
        part, forwarder, Optional.empty(), Optional.empty(), Optional.empty());
  }

  private static Optional<String> forwarder(HeaderBlock outer) {
    return outer.first("From").flatMap(v -> ComplaintParser.addresses(v).stream().findFirst());
  }
}
