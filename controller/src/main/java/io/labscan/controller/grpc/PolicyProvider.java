package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.labscan.agent.config.PolicyDefaults;
import io.labscan.controller.store.SqliteStore;
import io.labscan.proto.v1.Policy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policy handed to agents: the built-in defaults, the fleet key for harvested-address
 * digests (generated once per installation), and what operators set in the store (an
 * artifact rule set). Each change bumps the policy version; agents pick it up from their
 * next heartbeat, or at once through the command stream.
 */
public final class PolicyProvider {
  public static final String FLEET_KEY = "fleet-harvest-key";
  static final String REVISION = "policy-revision";
  static final String ARTIFACT_RULES = "artifact-rules";
  static final String ARTIFACT_RULES_NAME = "artifact-rules-name";
  /** How long a read policy is reused: a change made by another process shows within this. */
  static final Duration CACHE = Duration.ofSeconds(2);

  private final SqliteStore store;
  private final Clock clock;
  private final byte[] fleetKey;
  private volatile Policy cached;
  private volatile Instant cachedAt = Instant.MIN;

  public PolicyProvider(SqliteStore store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.fleetKey = store.secret(FLEET_KEY);
  }

  /** The current policy (read again from the store at most every {@link #CACHE}). */
  public Policy current() {
    Instant now = clock.instant();
    Policy p = cached;
    if (p == null || Duration.between(cachedAt, now).compareTo(CACHE) >= 0) {
      p = load();
      cached = p;
      cachedAt = now;
    }
    return p;
  }

  public Policy policyFor(String hostId) {
    requireNonNull(hostId, "hostId");
    return current();
  }

  public byte[] fleetKey() {
    return fleetKey.clone();
  }

  private Policy load() {
    long revision = store.setting(REVISION)
        .map(b -> Long.parseLong(new String(b, StandardCharsets.US_ASCII).trim())).orElse(0L);
    Policy.Builder b = PolicyDefaults.defaults().toBuilder()
        .setVersion(1 + revision)
        .setHarvestKey(ByteString.copyFrom(fleetKey))
        .setHarvestKeyId(keyId(fleetKey));
    store.setting(ARTIFACT_RULES).ifPresent(rules -> b.setArtifactRules(ByteString.copyFrom(rules)));
    store.setting(ARTIFACT_RULES_NAME).ifPresent(n -> b.setArtifactRulesName(new String(n, StandardCharsets.UTF_8)));
    return b.build();
  }

  /**
   * Replaces the artifact rule set pushed to agents (empty bytes: back to the built-in one)
   * and bumps the policy version. The caller validates the rule set first.
   */
  public static void setArtifactRules(SqliteStore store, String name, byte[] rules) {
    long revision = store.setting(REVISION)
        .map(b -> Long.parseLong(new String(b, StandardCharsets.US_ASCII).trim())).orElse(0L);
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put(ARTIFACT_RULES, rules);
    values.put(ARTIFACT_RULES_NAME, rules.length == 0 ? new byte[0] : name.getBytes(StandardCharsets.UTF_8));
    values.put(REVISION, Long.toString(revision + 1).getBytes(StandardCharsets.US_ASCII));
    store.putSettings(values).join();
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
