package io.labscan.controller.text;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The names one host reported, oldest first (issue 15, D, red-team R9: "hostnames are claims").
 * {@code hosts.hostname} is only the newest inventory's claim: a worm that controls its host can
 * report another machine's name after it mailed, so an answer about a past mail names the host by
 * {@link #nameAt the name it reported then}, and says when it has called itself otherwise since.
 *
 * <p>The first span is the <em>controller's name</em> for the host ({@link #enrolledAs()}): the
 * name the controller first saw for it, at enrolment or in its first report. Later names are the
 * agent's claims and are shown beside it, never instead of it.
 *
 * <p>The store keeps the first span and the newest {@link #MAX_SPANS}{@code - 1} ones (a hostile
 * agent may rename itself on every report): a time that falls between the first span's end and
 * the oldest kept later span has no known name ({@link #nameAt} is empty), and the answer says so.
 *
 * @param spans the names, oldest first; the last one is current (no end)
 */
public record NameHistory(List<Span> spans) {
  /** Most names kept per host: the first and the newest changes. */
  public static final int MAX_SPANS = 32;
  /** How long a name a host gave up still makes the name shared ({@link HostnameKey#isShared}). */
  public static final Duration SHARED_FOR = Duration.ofDays(30);

  /**
   * One name and when the host reported it.
   *
   * @param seq the span's number for this host (1 is the first name; a gap means dropped spans)
   * @param from when the host's newest inventory first reported it
   * @param until when another name replaced it; empty for the current name
   */
  public record Span(long seq, String name, Instant from, Optional<Instant> until) {
    public Span {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(until, "until");
    }
  }

  public NameHistory {
    spans = List.copyOf(spans);
  }

  /** The controller's name for the host: the first name it saw. Empty without history. */
  public Optional<String> enrolledAs() {
    return spans.isEmpty() ? Optional.empty() : Optional.of(spans.get(0).name());
  }

  /** The current span, if any. */
  public Optional<Span> current() {
    return spans.isEmpty() ? Optional.empty() : Optional.of(spans.get(spans.size() - 1));
  }

  /**
   * The name the host reported at {@code at}: the span covering it; the first name for a time
   * before the first span (the host had not reported yet: its name then is the first one it
   * gave); empty when the span covering {@code at} was dropped from the bounded history.
   */
  public Optional<String> nameAt(Instant at) {
    Objects.requireNonNull(at, "at");
    if (spans.isEmpty()) {
      return Optional.empty();
    }
    if (at.isBefore(spans.get(0).from())) {
      return Optional.of(spans.get(0).name());
    }
    for (int i = spans.size() - 1; i >= 0; i--) {
      Span s = spans.get(i);
      if (!at.isBefore(s.from())) {
        // A span ends where the next begins; a time after its end lies in a dropped stretch.
        return s.until().map(at::isBefore).orElse(true) ? Optional.of(s.name()) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * When the host took its current name, if the name it reported at {@code at} is another one
   * (by {@link HostnameKey}); empty when it still calls itself what it did then, or when the
   * name at that time is unknown.
   */
  public Optional<Instant> renamedSince(Instant at) {
    Optional<String> then = nameAt(at);
    Optional<Span> now = current();
    if (then.isEmpty() || now.isEmpty() || HostnameKey.of(then.get()).equals(HostnameKey.of(now.get().name()))) {
      return Optional.empty();
    }
    return Optional.of(now.get().from());
  }

  /**
   * Puts the history into {@code o}, a host's JSON (web host page, {@code host --format json}):
   * {@code enrolledAs} (the controller's name for the host, the first it saw; null without
   * history) and {@code nameHistory[]} ({@code name}, {@code from}, {@code until} or null, {@code
   * current}), oldest first, so the page shows the names a host called itself before (R9).
   */
  public ObjectNode putInto(ObjectNode o) {
    o.put("enrolledAs", enrolledAs().orElse(null));
    ArrayNode names = o.putArray("nameHistory");
    for (Span span : spans) {
      names.addObject().put("name", span.name()).put("from", span.from().toString())
          .put("until", span.until().map(Object::toString).orElse(null)).put("current", span.until().isEmpty());
    }
    return o;
  }

  /** The names the host held at or after {@code since} (the current one included), oldest first. */
  public List<Span> heldSince(Instant since) {
    return spans.stream().filter(s -> s.until().map(u -> !u.isBefore(since)).orElse(true)).toList();
  }
}
