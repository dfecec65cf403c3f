package io.labscan.controller.oidc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Logins in progress, kept by the browser instead of the server: {@link #seal} turns the state,
 * nonce, PKCE verifier and expiry of a started login into a cookie value encrypted and
 * authenticated with AES-256-GCM under a key made at start (never stored); {@link #open} gives
 * them back only for a value this controller made and that has not been altered.
 *
 * <p>Why: a server-side table of pending logins must be bounded, and a bounded table can be
 * filled by anonymous {@code GET /login/oidc} requests until real people's logins are evicted
 * (red-team finding: 10 000 requests were enough). Sealed in the browser's own cookie, a login
 * costs the server nothing until its callback, so no number of requests from anyone can make
 * another browser's login fail. The price: logins started before a restart fail (new key); the
 * person clicks the button again.
 *
 * <p>Replay: a sealed value could be sent twice. Each state is therefore spent at its callback
 * ({@link #spend}); spent states are remembered until they expire anyway, at most {@link
 * #MAX_SPENT} (only callbacks with a valid sealed value reach this, and the provider refuses a
 * reused code besides, so dropping the oldest under a flood weakens nothing).
 */
final class LoginStates {
  /** Spent states remembered (each until its expiry). */
  static final int MAX_SPENT = 100_000;
  private static final byte[] CONTEXT = "labscan-oidc-login-v1".getBytes(UTF_8);
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  /** Largest cookie value opened (a sealed login is about 240 characters). */
  static final int MAX_SEALED_CHARS = 1024;

  /** A started login: what the callback needs to finish it. */
  record Pending(String state, String nonce, String codeVerifier, Instant expires) {
    Pending {
      requireNonNull(state, "state");
      requireNonNull(nonce, "nonce");
      requireNonNull(codeVerifier, "codeVerifier");
      requireNonNull(expires, "expires");
    }
  }

  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> spent = new LinkedHashMap<>();

  LoginStates() {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256, random);
      this.key = generator.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256 is not available", e);
    }
  }

  /** The cookie value carrying {@code pending}. */
  String seal(Pending pending) {
    byte[] plain = (pending.state() + "\n" + pending.nonce() + "\n" + pending.codeVerifier() + "\n"
        + pending.expires().getEpochSecond()).getBytes(UTF_8);
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(CONTEXT);
      byte[] sealed = cipher.doFinal(plain);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM sealing failed", e);
    }
  }

  /** The login sealed in {@code value}; empty when this controller did not make it or it was altered. */
  Optional<Pending> open(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_SEALED_CHARS) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (bytes.length <= IV_BYTES + TAG_BITS / 8) {
      return Optional.empty();
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
      cipher.updateAAD(CONTEXT);
      String[] parts = new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), UTF_8).split("\n", -1);
      if (parts.length != 4) {
        return Optional.empty();
      }
      return Optional.of(new Pending(parts[0], parts[1], parts[2], Instant.ofEpochSecond(Long.parseLong(parts[3]))));
    } catch (GeneralSecurityException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Marks the login's state used; false when it was used before (a replayed callback). */
  boolean spend(Pending pending, Instant now) {
    synchronized (spent) {
      Iterator<Map.Entry<String, Instant>> it = spent.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, Instant> oldest = it.next();
        if (oldest.getValue().isAfter(now) && spent.size() < MAX_SPENT) {
          break;
        }
        it.remove();
      }
      return spent.putIfAbsent(pending.state(), pending.expires()) == null;
    }
  }
}
