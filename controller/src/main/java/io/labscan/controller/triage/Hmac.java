package io.labscan.controller.triage;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed digests of e-mail addresses, the way agents report harvested addresses
 * (HarvestDigests: HMAC-SHA256 under the fleet key).
 *
 * <p>Stand-in for {@code io.labscan.agent.checks.harvest.AddressDigest}, which is written in
 * parallel; the two must agree byte for byte: UTF-8 of {@link #normalize(String)} as the
 * message, the fleet key as the HMAC key.
 */
final class Hmac {
  private Hmac() {}

  /** Trim, strip one pair of angle brackets, trim again, lower-case (Locale.ROOT). */
  static String normalize(String address) {
    String s = Objects.requireNonNull(address, "address").trim();
    if (s.startsWith("<")) {
      s = s.substring(1);
    }
    if (s.endsWith(">")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.trim().toLowerCase(Locale.ROOT);
  }

  /** HMAC-SHA256 of the already normalized address under the key (32 bytes). */
  static byte[] sha256(byte[] key, String normalizedAddress) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(normalizedAddress, "normalizedAddress");
    if (key.length == 0) {
      throw new IllegalArgumentException("fleet key is empty");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(normalizedAddress.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e); // every JDK has it
    }
  }
}
