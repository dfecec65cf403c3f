package io.labscan.controller.fleet;


import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A controller rule that puts hosts into a lab: by hostname glob ({@code phys-*}, case
 * insensitive, {@code *} and {@code ?}) or by subnet ({@code 10.20.3.0/24}, IPv4 or IPv6).
 */
public record LabRule(String ruleId, int position, String lab, Kind kind, String pattern) {
  public static final int MAX_LAB_LENGTH = 64;

  /** What a rule matches on. */
  public enum Kind {
    HOSTNAME, CIDR;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Kind> parse(String text) {
      return switch (text == null ? "" : text.trim().toLowerCase(Locale.ROOT)) {
        case "hostname" -> Optional.of(HOSTNAME);
        case "cidr" -> Optional.of(CIDR);
        default -> Optional.empty();
      };
    }
  }

  public LabRule {
    requireNonNull(ruleId, "ruleId");
    requireNonNull(lab, "lab");
    requireNonNull(kind, "kind");
    requireNonNull(pattern, "pattern");
    checkLab(lab);
    switch (kind) {
      case HOSTNAME -> {
        if (pattern.isBlank() || pattern.length() > 255) {
          throw new IllegalArgumentException("hostname pattern must have 1-255 characters");
        }
      }
      case CIDR -> Cidr.parse(pattern);
    }
  }

  public static void checkLab(String lab) {
    if (lab.isBlank() || lab.length() > MAX_LAB_LENGTH || lab.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("lab name must have 1-" + MAX_LAB_LENGTH
          + " characters and no control characters");
    }
  }

  /** True when the rule puts a host with this name and these addresses into its lab. */
  public boolean matches(String hostname, java.util.List<String> addresses) {
    return switch (kind) {
      case HOSTNAME -> glob(pattern).matcher(hostname).matches();
      case CIDR -> {
        Cidr cidr = Cidr.parse(pattern);
        yield addresses.stream().anyMatch(cidr::contains);
      }
    };
  }

  private static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
  }
}
