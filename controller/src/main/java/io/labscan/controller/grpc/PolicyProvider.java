package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.labscan.agent.config.PolicyDefaults;
import io.labscan.controller.store.Store;
import io.labscan.proto.v1.Policy;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The policy handed to agents: the built-in defaults plus the fleet key for
 * harvested-address digests, generated once per installation and kept in the store.
 */
public final class PolicyProvider {
  public static final String FLEET_KEY = "fleet-harvest-key";
  private final Policy policy;

  public PolicyProvider(Store store) {
    requireNonNull(store, "store");
    byte[] key = store.secret(FLEET_KEY);
    this.policy = PolicyDefaults.defaults().toBuilder()
        .setVersion(1)
        .setHarvestKey(ByteString.copyFrom(key))
        .setHarvestKeyId(keyId(key))
        .build();
  }

  public Policy policyFor(String hostId) {
    requireNonNull(hostId, "hostId");
    return policy;
  }

  public byte[] fleetKey() {
    return policy.getHarvestKey().toByteArray();
  }

  /** A short public identifier of a key: the first 8 bytes of its SHA-256, in hex. */
  public static String keyId(byte[] key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key);
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
