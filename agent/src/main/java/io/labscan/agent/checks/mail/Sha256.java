package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** Lower-case hex SHA-256 of finding evidence. */
final class Sha256 {
  private Sha256() {}

  /** The digest of {@code bytes}; empty when they can no longer be read. */
  static Optional<String> of(MessageBytes bytes) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = bytes.open()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(HexFormat.of().formatHex(digest.digest()));
  }
}
