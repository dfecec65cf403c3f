package io.labscan.contract.rules;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The digests ClamAV hash databases use, told apart by their hex length. */
public enum HashAlgorithm {
  MD5("MD5", 32),
  SHA1("SHA-1", 40),
  SHA256("SHA-256", 64);

  private final String jcaName;
  private final int hexLength;

  HashAlgorithm(String jcaName, int hexLength) {
    this.jcaName = jcaName;
    this.hexLength = hexLength;
  }

  public int hexLength() {
    return hexLength;
  }

  public MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(jcaName + " is required of every Java platform", e);
    }
  }
}
