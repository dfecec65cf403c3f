package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issues enrolment tokens: a fresh random secret, pinned to this controller's CA, limited in
 * time and uses, optionally assigning a lab. Only the SHA-256 of the secret is stored.
 */
public final class EnrolmentTokens {
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);
  public static final int DEFAULT_USES = 1;
  /** Longest lifetime a token may have: a token is a key to the fleet, not a standing credential. */
  public static final Duration MAX_TTL = Duration.ofDays(90);
  public static final int MAX_USES = 100_000;
  public static final int MAX_LAB = 128;
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smhd])");

  private final TrustRepository store;
  private final String caFingerprint;

  public EnrolmentTokens(TrustRepository store, String caFingerprint) {
    this.store = requireNonNull(store, "store");
    this.caFingerprint = requireNonNull(caFingerprint, "caFingerprint");
  }

  /** A token valid from {@code now} for {@code ttl}, good for {@code uses} enrolments. */
  public EnrolmentToken issue(String lab, Duration ttl, int uses, Instant now) {
    return issue(lab, ttl, uses, now, "");
  }

  /**
   * A single-use token that re-enrols exactly {@code hostId}, valid from {@code now} for {@code ttl}:
   * what an admin gives a reinstalled machine so it keeps its host id and history. The agent
   * that redeems it gets that host id whatever it asked for, and a new certificate that replaces
   * the host's current one (every older certificate of the host is refused from then on). The
   * host must be known to the controller and not revoked.
   */
  public EnrolmentToken issueFor(String hostId, String lab, Duration ttl, Instant now) {
    requireNonNull(hostId, "hostId");
    if (!HostIds.valid(hostId)) {
      throw new IllegalArgumentException("'" + hostId + "' is not a host id (a lower-case UUID)");
    }
    if (!store.hostKnown(hostId)) {
      throw new IllegalArgumentException("no host " + hostId + " is known to this controller");
    }
    if (store.revokedHosts().contains(hostId)) {
      throw new IllegalArgumentException("host " + hostId + " was revoked; a revoked host id cannot enrol again");
    }
    return issue(lab, ttl, 1, now, hostId);
  }

  private EnrolmentToken issue(String lab, Duration ttl, int uses, Instant now, String hostId) {
    requireNonNull(lab, "lab");
    requireNonNull(ttl, "ttl");
    requireNonNull(now, "now");
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("the token lifetime must be positive and at most " + MAX_TTL.toDays()
          + " days");
    }
    if (uses < 1 || uses > MAX_USES) {
      throw new IllegalArgumentException("uses must be between 1 and " + MAX_USES);
    }
    String cleanLab = lab.strip();
    if (cleanLab.length() > MAX_LAB || cleanLab.codePoints().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("lab must be at most " + MAX_LAB + " printable characters");
    }
    EnrolmentToken token = EnrolmentToken.generate(caFingerprint);
    store.saveToken(new TrustRepository.TokenRecord(token.tokenId(), token.secretHash(), cleanLab, now,
        now.plus(ttl), uses, hostId)).join();
    return token;
  }

  /** Reads "90s", "30m", "24h", "7d" (or an ISO-8601 duration such as PT24H). */
  public static Duration parseDuration(String text) {
    requireNonNull(text, "text");
    String s = text.strip().toLowerCase(java.util.Locale.ROOT);
    Matcher m = DURATION.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text.strip());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 30m, 24h, 7d)");
    }
  }
}
