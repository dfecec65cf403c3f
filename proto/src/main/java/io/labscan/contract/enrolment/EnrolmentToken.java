package io.labscan.contract.enrolment;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.Fingerprints;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An enrolment token, as printed by {@code labscan-controller enroll-token}:
 *
 * <pre>LS1.&lt;token id&gt;.&lt;secret&gt;.&lt;CA fingerprint&gt;</pre>
 *
 * <ul>
 *   <li>{@code LS1}: format version;
 *   <li>token id: 12 lower-case hex characters, public; names the token in the controller's
 *       store and logs;
 *   <li>secret: 32 random bytes, base64url without padding (43 characters); the controller
 *       keeps only its SHA-256;
 *   <li>CA fingerprint: SHA-256 of the controller CA certificate's DER, base64url without
 *       padding (43 characters); the agent trusts the enrolment port only if the CA it
 *       presents has exactly this fingerprint.
 * </ul>
 *
 * The token is self-contained: an agent needs nothing else to find out whether it talks to
 * the right controller. {@link #toString()} never shows the secret.
 */
public record EnrolmentToken(String tokenId, String secret, String caFingerprint) {
  public static final String PREFIX = "LS1";
  private static final Pattern TOKEN_ID = Pattern.compile("[0-9a-f]{12}");
  private static final Pattern B64URL_43 = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public EnrolmentToken {
    requireNonNull(tokenId, "tokenId");
    requireNonNull(secret, "secret");
    requireNonNull(caFingerprint, "caFingerprint");
    if (!TOKEN_ID.matcher(tokenId).matches()) {
      throw new IllegalArgumentException("token id must be 12 lower-case hex characters");
    }
    if (!B64URL_43.matcher(secret).matches()) {
      throw new IllegalArgumentException("token secret must be 43 base64url characters");
    }
    if (!B64URL_43.matcher(caFingerprint).matches()) {
      throw new IllegalArgumentException("CA fingerprint must be 43 base64url characters (SHA-256)");
    }
  }

  /** A fresh token for the CA with this fingerprint. */
  public static EnrolmentToken generate(String caFingerprint) {
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return new EnrolmentToken(HexFormat.of().formatHex(id),
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret), caFingerprint);
  }

  /**
   * Reads a token as an operator pasted it (surrounding blanks ignored). The message of the
   * exception never repeats the text: it may hold a secret.
   */
  public static EnrolmentToken parse(String text) {
    requireNonNull(text, "text");
    String[] parts = text.strip().split("\\.", -1);
    if (parts.length != 4 || !PREFIX.equals(parts[0])) {
      throw new IllegalArgumentException("not a LabScan enrolment token: expected "
          + PREFIX + ".<token id>.<secret>.<CA fingerprint>, as printed by 'labscan-controller enroll-token'");
    }
    try {
      return new EnrolmentToken(parts[1], parts[2], parts[3]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed enrolment token: " + e.getMessage(), e);
    }
  }

  /** SHA-256 of the secret: all the controller stores. */
  public byte[] secretHash() {
    return Fingerprints.digest(secret.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** The full token text, secret included: for the operator's eyes and the agent only. */
  public String text() {
    return PREFIX + "." + tokenId + "." + secret + "." + caFingerprint;
  }

  @Override
  public String toString() {
    return PREFIX + "." + tokenId + ".<secret>." + caFingerprint;
  }
}
