package io.labscan.agent.config;

import io.labscan.agent.Excerpt;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The controller addresses an agent may report to: {@code controller:} in {@code agent.yaml}
 * (one {@code HOST:PORT}, a YAML list of them, or a comma-separated string) and the
 * {@code --controller} flag (one, or comma-separated). The order written does not decide which
 * controller an agent uses: each host has its own order of them, its home controller first, derived
 * from its host id, and moves to the next of that order when its controller is unreachable (see
 * {@code io.labscan.agent.transport.ControllerTargets}). Enrolment, without {@code enroll:}, goes
 * to the first as written.
 *
 * <p>Stateless and strict: every entry must be {@code HOST:PORT} ({@code [v6]:PORT} for an IPv6
 * literal), with a port from 1 to 65535 (the rule a single address always had, so a one-address
 * file means what it meant before); an empty entry (a stray comma) and a repeated entry are
 * errors, and each error names the entry and its position, so a typo in the fifth of six
 * addresses does not pass unnoticed until the day the other five are down.
 */
public final class ControllerAddresses {
  /** More addresses than this is not a list of controllers: bounds the work a config file causes. */
  public static final int MAX_ADDRESSES = 32;

  private ControllerAddresses() {}

  /** Splits a comma-separated string ({@code a:7443,b:7443}) and validates each entry. */
  public static List<String> parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("no controller address: expected HOST:PORT (for example "
          + "controller.example.edu:7443), or several separated by commas");
    }
    return validate(List.of(text.split(",", -1)));
  }

  /** Validates entries (a YAML list, or the parts of a comma-separated string); returns them trimmed. */
  public static List<String> validate(List<String> entries) {
    if (entries.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException(entries.size() + " controller addresses: at most " + MAX_ADDRESSES);
    }
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i) == null ? "" : entries.get(i).strip();
      String where = entries.size() == 1 ? "" : " (entry " + (i + 1) + " of " + entries.size() + ")";
      if (entry.isEmpty()) {
        throw new IllegalArgumentException("an empty controller address" + where
            + ": expected HOST:PORT (a stray comma?)");
      }
      String problem = problem(entry);
      if (problem != null) {
        throw new IllegalArgumentException("'" + Excerpt.of(entry) + "'" + where + " is not HOST:PORT ("
            + problem + "; for example controller.example.edu:7443)");
      }
      if (!seen.add(entry.toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("'" + Excerpt.of(entry) + "'" + where + " is listed twice");
      }
      out.add(entry);
    }
    return List.copyOf(out);
  }

  /** Joins entries back into the one-line form the configuration keeps ({@code a:1,b:2}). */
  public static String join(List<String> entries) {
    return String.join(",", entries);
  }

  /** What is wrong with one entry, or null. */
  static @Nullable String problem(String entry) {
    int colon = entry.lastIndexOf(':');
    if (colon <= 0 || colon == entry.length() - 1) {
      return "no port";
    }
    String port = entry.substring(colon + 1);
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      return "the port '" + Excerpt.of(port) + "' is not a number";
    }
    if (number < 1 || number > 65535) {
      return "the port " + number + " is not between 1 and 65535";
    }
    return null;
  }
}
