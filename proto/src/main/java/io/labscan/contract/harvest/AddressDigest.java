package io.labscan.contract.harvest;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed digest under which harvested e-mail addresses leave a host. Agent and controller
 * must compute the same bytes for the same address, so both call this class.
 *
 * <p>Digest: HMAC-SHA256 under the fleet key over the UTF-8 bytes of the normalized address.
 * Normalization, in this order: strip leading and trailing whitespace; if the result is
 * wrapped in angle brackets ({@code <a@b>}), remove them and strip whitespace again;
 * lower-case with {@link Locale#ROOT}. Nothing else: no display names are parsed, no
 * IDNA or Unicode normalization is applied, and the local part is lower-cased although RFC
 * 5321 lets it be case-sensitive (no mail system in the fleet treats it so).
 */
public final class AddressDigest {
  /** Length of a digest in bytes. */
  public static final int DIGEST_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private AddressDigest() {}

  /** The normalized form of {@code address} that is digested. */
  public static String normalize(String address) {
    requireNonNull(address, "address");
    String s = address.strip();
    if (s.length() >= 2 && s.startsWith("<") && s.endsWith(">")) {
      s = s.substring(1, s.length() - 1).strip();
    }
    return s.toLowerCase(Locale.ROOT);
  }

  /**
   * HMAC-SHA256 of the normalized {@code address} under {@code key}.
   *
   * @throws IllegalArgumentException when the key is empty
   */
  public static byte[] digest(byte[] key, String address) {
    requireNonNull(key, "key");
    requireNonNull(address, "address");
    if (key.length == 0) {
      throw new IllegalArgumentException("empty key");
    }
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac.doFinal(normalize(address).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
