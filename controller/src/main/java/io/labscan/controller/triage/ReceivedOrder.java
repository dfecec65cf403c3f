package io.labscan.controller.triage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a chain of {@code Received:} lines is in oldest-first order (issue 15, red-team round
 * 7, S9).
 *
 * <p><b>Why.</b> Every MTA prepends its line (RFC 5321 §4.4), so a real header block is
 * newest-first and the trust walk starts at the top, at the line the delivering MTA wrote. Some
 * header analysers, and people, paste the lines oldest-first. Walked as given, the walk then
 * starts at the oldest line, the sender's own and forgeable one ("from lab-pc-12 [10.20.3.12] by
 * mx1"), as if our MTA had written it last: a spammer's forged bottom line named, and recorded, an
 * innocent lab host.
 *
 * <p><b>The rule.</b> Among the lines with a readable date, compare each with the next one
 * below it: a pair <em>rises</em> when the lower line is dated later, <em>falls</em> when it is
 * dated earlier (equal dates count neither way). The chain is oldest-first when at least {@value
 * #MIN_RISING} pairs rise and more pairs rise than fall: several lines consistently rising, not one
 * odd pair. A single line out of order (a wrong clock, one forged line dated after the real ones)
 * leaves the walk as it was.
 *
 * <p>Any difference counts, not only one beyond {@link OriginResolver#CLOCK_SLACK}: the lines of
 * one delivery are seconds apart, so a slack per pair would never see a reversed paste, and the
 * sender chooses the date of its own forged line. Majority, not unanimity, for the same reason: a
 * forged top line (in a reversed paste) may be dated as the sender likes, the real lines below it
 * still rise. A real newest-first chain whose clocks disagree in most of its pairs is the only
 * false alarm, and it costs only the origin (see below), never a wrong one.
 *
 * <p><b>What then.</b> No origin is established. Reversing the chain and walking it would be
 * wrong in exactly the case a sender can make: a worm whose mail reached our MX with its own
 * forged lines below the MX's, dated later than the MX's line, would have its forged bottom line
 * walked first, naming whichever host it chose. Refusing names nobody and records nothing; the
 * warning asks for the headers as the mail client shows them. Known evasion, decided: that same
 * worm, by dating two forged lines after our MX's, makes its own complaint originless (unrecorded,
 * never wrong); its egress still shows in the fleet. The order is read from dates alone, which the
 * walk trusts for nothing else: {@link OriginResolver} uses the result only to refuse.
 */
final class ReceivedOrder {
  /** Rising pairs needed before a chain is taken as oldest-first. */
  static final int MIN_RISING = 2;

  private ReceivedOrder() {}

  /** The warning when {@code hops} (topmost first) are in oldest-first order, or empty. */
  static Optional<String> oldestFirst(List<ReceivedHop> hops) {
    List<Integer> index = new ArrayList<>();
    List<Instant> dates = new ArrayList<>();
    for (int i = 0; i < hops.size(); i++) {
      Optional<Instant> d = hops.get(i).date();
      if (d.isPresent()) {
        index.add(i);
        dates.add(d.get());
      }
    }
    int rising = 0;
    int falling = 0;
    for (int i = 1; i < dates.size(); i++) {
      int cmp = dates.get(i).compareTo(dates.get(i - 1));
      if (cmp > 0) {
        rising++;
      } else if (cmp < 0) {
        falling++;
      }
    }
    if (rising < MIN_RISING || rising <= falling) {
      return Optional.empty();
    }
    return Optional.of("the Received: lines are in oldest-first order (their dates rise downward: hop "
        + index.get(0) + " at " + dates.get(0) + ", hop " + index.get(index.size() - 1) + " at "
        + dates.get(dates.size() - 1) + "; " + rising + " of " + (dates.size() - 1) + " pairs rise): the order of a"
        + " paste, not the MTA's, which puts the newest line on top. Walked as given, the walk would start at the"
        + " sender's own, forgeable line; walked reversed, at lines a sender can forge as well. So no origin is"
        + " established: paste the headers as the mail client shows them in the message source (newest first)");
  }
}
