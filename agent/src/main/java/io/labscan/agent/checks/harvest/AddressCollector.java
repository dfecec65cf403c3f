package io.labscan.agent.checks.harvest;

import com.google.protobuf.ByteString;
import io.labscan.contract.harvest.AddressDigest;
import io.labscan.proto.v1.HarvestDigests;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The distinct addresses found on a host, bounded. Addresses are normalized and de-duplicated
 * before hashing; once {@code capacity} distinct addresses are held, occurrences of addresses
 * not yet held are counted as overflow instead of stored.
 */
final class AddressCollector {
  /** One {@code @}, something on each side, no whitespace or address punctuation. */
  private static final Pattern PLAUSIBLE =
      Pattern.compile("[^@\\s<>()\\[\\],;:\"]{1,64}@[^@\\s<>()\\[\\],;:\"]{1,253}");

  private final int capacity;
  private final Set<String> addresses = new HashSet<>();
  private int seen;
  private long overflow;

  AddressCollector(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  /** Records one occurrence of {@code raw}; text that is not address-shaped is ignored. */
  void add(String raw) {
    String address = AddressDigest.normalize(raw);
    if (!PLAUSIBLE.matcher(address).matches()) {
      return;
    }
    if (seen < Integer.MAX_VALUE) {
      seen++;
    }
    if (addresses.contains(address)) {
      return;
    }
    if (addresses.size() >= capacity) {
      overflow++;
      return;
    }
    addresses.add(address);
  }

  /** Occurrences of addresses not stored because the collector was full. */
  long overflow() {
    return overflow;
  }

  /**
   * The digests, each address once, in byte order (so the order tells nothing about where
   * or when an address was found).
   */
  HarvestDigests digests(byte[] key, String keyId) {
    List<ByteString> digests = new ArrayList<>(addresses.size());
    for (String address : addresses) {
      digests.add(ByteString.copyFrom(AddressDigest.digest(key, address)));
    }
    digests.sort(ByteString.unsignedLexicographicalComparator());
    return HarvestDigests.newBuilder()
        .setKeyId(keyId)
        .addAllDigests(digests)
        .setAddressesSeen(seen)
        .build();
  }
}
