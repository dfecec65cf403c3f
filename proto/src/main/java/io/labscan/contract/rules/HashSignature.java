package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

/**
 * One line of a ClamAV {@code .hdb} or {@code .hsb} database.
 *
 * @param algorithm MD5 for .hdb; SHA-1 or SHA-256 for .hsb
 * @param hex the digest, lower-case hex
 * @param size the file size the digest belongs to, or {@link #ANY_SIZE} for {@code *}
 * @param name the signature (malware) name
 * @param origin the database file it came from, for the finding's detail
 */
public record HashSignature(HashAlgorithm algorithm, String hex, long size, String name, String origin) {
  public static final long ANY_SIZE = -1;

  public HashSignature {
    requireNonNull(algorithm, "algorithm");
    requireNonNull(hex, "hex");
    requireNonNull(name, "name");
    requireNonNull(origin, "origin");
  }

  public boolean anySize() {
    return size == ANY_SIZE;
  }
}
