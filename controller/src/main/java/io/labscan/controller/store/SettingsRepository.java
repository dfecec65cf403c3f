package io.labscan.controller.store;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Named settings kept in the database (the {@code settings} table): the fleet's policy and its
 * version counter, the egress allow-list, quarantine settings, the triage sample, and the
 * secrets generated at first start. Values are bytes; an empty value means "not set".
 */
public interface SettingsRepository {

  /** A setting's value, if set. */
  Optional<byte[]> setting(String name);

  /**
   * Several settings read by one statement, so from one snapshot of the database (a policy's
   * version and its content must not come from two different commits). Absent names are absent.
   */
  Map<String, byte[]> settings(Collection<String> names);

  /** Sets (or, for an empty value, removes) several settings in one transaction. */
  CompletableFuture<Void> putSettings(Map<String, byte[]> values);

  /**
   * Sets (or, for an empty value, removes) {@code values} and increments the decimal counter
   * setting {@code counter} in the same transaction; returns the counter's new value. Two
   * writers, in one process or several on one database, never get the same value.
   */
  CompletableFuture<Long> putSettingsAndIncrement(Map<String, byte[]> values, String counter);

  /** A 32-byte secret generated at first use and kept in the database, by name. */
  byte[] secret(String name);
}
