package io.labscan.controller.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * What operators set for the whole fleet's SMTP egress watch ({@code labscan-controller
 * policy}); everything else in the policy keeps the agents' defaults.
 *
 * @param eventMode agents also use the kernel/audit event source, which catches sessions of a
 *     few milliseconds that polling misses
 * @param processAllowlist process names or absolute executable paths allowed to send mail on
 *     every host (docs/egress.md: an absolute path is the strong form)
 * @param window the egress aggregation window; empty means the agents' default (60 s)
 */
public record EgressSettings(boolean eventMode, List<String> processAllowlist, Optional<Duration> window) {
  public static final Duration MIN_WINDOW = Duration.ofSeconds(10);
  public static final Duration MAX_WINDOW = Duration.ofHours(1);
  public static final int MAX_ALLOWLIST = 100;
  public static final int MAX_ENTRY_LENGTH = 260;

  /** @throws IllegalArgumentException for a window out of range or an unusable allow-list entry */
  public EgressSettings {
    requireNonNull(processAllowlist, "processAllowlist");
    requireNonNull(window, "window");
    LinkedHashSet<String> entries = new LinkedHashSet<>();
    for (String entry : processAllowlist) {
      entries.add(checkEntry(entry));
    }
    if (entries.size() > MAX_ALLOWLIST) {
      throw new IllegalArgumentException("at most " + MAX_ALLOWLIST + " allowed processes");
    }
    processAllowlist = List.copyOf(entries);
    window.ifPresent(EgressSettings::checkWindow);
  }

  /** Nothing set: polling only, no allowed process, the default window. */
  public static EgressSettings defaults() {
    return new EgressSettings(false, List.of(), Optional.empty());
  }

  public EgressSettings withEventMode(boolean on) {
    return new EgressSettings(on, processAllowlist, window);
  }

  public EgressSettings withAllowed(String entry) {
    List<String> more = new ArrayList<>(processAllowlist);
    more.add(entry);
    return new EgressSettings(eventMode, more, window);
  }

  public EgressSettings withoutAllowed(String entry) {
    List<String> fewer = new ArrayList<>(processAllowlist);
    fewer.remove(entry.strip());
    return new EgressSettings(eventMode, fewer, window);
  }

  public EgressSettings withWindow(Duration length) {
    return new EgressSettings(eventMode, processAllowlist, Optional.of(length));
  }

  private static String checkEntry(String entry) {
    requireNonNull(entry, "allow-list entry");
    String s = entry.strip();
    if (s.isEmpty() || s.length() > MAX_ENTRY_LENGTH || s.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("an allowed process is a name or an absolute path of 1-"
          + MAX_ENTRY_LENGTH + " characters without control characters");
    }
    return s;
  }

  private static void checkWindow(Duration w) {
    if (w.compareTo(MIN_WINDOW) < 0 || w.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("the egress window must be between " + MIN_WINDOW.toSeconds() + " s and "
          + MAX_WINDOW.toMinutes() + " min (each window is one report per host with SMTP)");
    }
    if (w.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("the egress window is a whole number of seconds");
    }
  }
}
