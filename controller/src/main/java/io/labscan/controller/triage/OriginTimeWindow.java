package io.labscan.controller.triage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When the origin's time is uncertain: the span the boundary MTA's receipt may lie in (issue 15,
 * red-team round 9, F5). The origin time is one date — the boundary line's own, else the nearest
 * date above it — and the holder at that instant is the answer. That is only as good as the
 * clocks: a campus MX whose clock runs an hour slow (a time-zone mistake) while the mailbox
 * server's is right, or a boundary line whose date is unreadable while the mail sat three hours in
 * the relay's queue, put the instant on the previous or the next DHCP holder of the address.
 *
 * <p>The span runs from the boundary line's date (when it has none, the earliest plausible time:
 * the {@code Date:} header or the next line below's date, whichever is earlier) to the date of
 * the nearest dated trusted line above, widened to cover both when a later line is dated before
 * an earlier one, plus {@link OriginResolver#CLOCK_SLACK} on both sides. It is uncertain only
 * when the boundary line has no date, or when the two dates lie further apart than that slack (a
 * queue longer than a normal hand-over, or clocks that disagree): consistent dates keep today's
 * instant. When the address changed hands inside an uncertain span (two hosts held it in it, or a
 * holding began or ended in it), triage records nobody for the complaint: every holder in the span
 * is a candidate capped below the recording threshold, and a warning says why.
 *
 * @param from the earliest time the origin may have been received
 * @param to the latest
 * @param why the dates that disagree or are missing, in words
 */
record OriginTimeWindow(Instant from, Instant to, String why) {

  OriginTimeWindow {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(why, "why");
  }

  /** How far before the nearest trusted date the span starts when the mail has no other date at all. */
  static final Duration NO_DATE_SPAN = Duration.ofDays(1);

  /** The uncertain span of {@code c}'s origin time, empty when its dates agree within the slack. */
  static Optional<OriginTimeWindow> of(ParsedComplaint c) {
    if (c.origin().isEmpty()) {
      return Optional.empty();
    }
    Origin o = c.origin().get();
    Optional<Instant> boundary = Optional.empty();
    Optional<Instant> above = Optional.empty();
    Optional<Instant> below = Optional.empty();
    int aboveIndex = -1;
    int belowIndex = Integer.MAX_VALUE;
    for (TracedHop h : c.hops()) {
      Optional<Instant> d = h.hop().date();
      if (h.index() == o.hop()) {
        boundary = d;
      } else if (h.index() < o.hop() && d.isPresent() && h.index() > aboveIndex) {
        above = d; // the nearest dated line above
        aboveIndex = h.index();
      } else if (h.index() > o.hop() && d.isPresent() && h.index() < belowIndex) {
        below = d; // the next dated line below
        belowIndex = h.index();
      }
    }
    Duration slack = OriginResolver.CLOCK_SLACK;
    List<Instant> dates = new ArrayList<>();
    String why;
    if (boundary.isEmpty()) {
      Optional<Instant> earliest = earlier(c.date(), below);
      earliest.ifPresent(dates::add);
      above.ifPresent(dates::add);
      dates.add(o.time());
      if (earliest.isEmpty()) {
        dates.add(o.time().minus(NO_DATE_SPAN));
      }
      why = "hop " + o.hop() + " has no readable date, so its time was taken from a line above, "
          + o.time() + ", and the mail may have waited in a queue since "
          + earliest.map(e -> e + " (" + (c.date().equals(earliest) ? "the Date: header" : "the line below") + ")")
              .orElse("a day before");
    } else if (above.isPresent() && Duration.between(boundary.get(), above.get()).abs().compareTo(slack) > 0) {
      dates.add(boundary.get());
      dates.add(above.get());
      why = "hop " + o.hop() + " is dated " + boundary.get() + " and the trusted line above it " + above.get()
          + (above.get().isBefore(boundary.get()) ? ", earlier: their clocks disagree"
              : ": a clock is wrong or the mail waited in a queue");
    } else {
      return Optional.empty();
    }
    Instant from = dates.stream().min(Instant::compareTo).orElseThrow().minus(slack);
    Instant to = dates.stream().max(Instant::compareTo).orElseThrow().plus(slack);
    return Optional.of(new OriginTimeWindow(from, to, why));
  }

  private static Optional<Instant> earlier(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.get().isBefore(b.get()) ? a : b;
  }

  /** Whether {@code h} held the address at some instant of the span. */
  boolean touches(AddressHolding h) {
    return h.since().isBefore(to) && h.until().map(from::isBefore).orElse(true);
  }

  /** Whether {@code h} held the address through the whole span (it neither began nor ended inside). */
  boolean spans(AddressHolding h) {
    return !h.since().isAfter(from) && h.until().map(u -> !u.isBefore(to)).orElse(true);
  }
}
