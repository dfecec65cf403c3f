package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.TrustedMtas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The Settings page's trusted MTAs: entries administrators add and remove in the web UI
 * (stored in the database, each change audited), shown beside the fixed entries of {@code serve
 * --trust}, which the page cannot remove. Web triage, {@code serve} and the {@code triage}
 * command all use the stored entries.
 */
public final class TrustSettings {
  /** One trusted MTA as the page shows it. */
  public record Item(String entryId, String entry, String source, String addedBy, Optional<Instant> added,
      boolean removable) {}

  private final @Nullable TrustedMtas store;
  private final List<String> fixed;

  /**
   * @param fixed the entries given to {@code serve --trust} (not removable here)
   */
  public TrustSettings(TrustedMtas store, List<String> fixed) {
    this.store = requireNonNull(store, "store");
    this.fixed = List.copyOf(fixed);
  }

  /** No settings store: every call fails with UnsupportedOperationException (503). */
  static TrustSettings unavailable() {
    return new TrustSettings(null);
  }

  private TrustSettings(Void none) {
    this.store = null;
    this.fixed = List.of();
  }

  private TrustedMtas store() {
    if (store == null) {
      throw new UnsupportedOperationException("trusted MTA settings are not available in this controller");
    }
    return store;
  }

  /**
   * Every configured entry, {@code serve --trust} first, then the stored ones (none when this
   * controller has no settings store): what the host page compares agents' addresses with
   * ({@link io.labscan.controller.alert.MtaAddressClaims}).
   */
  public List<String> entries() {
    List<String> out = new ArrayList<>(fixed);
    if (store != null) {
      out.addAll(store.entries());
    }
    return out;
  }

  public List<Item> list() {
    List<Item> out = new ArrayList<>();
    for (int i = 0; i < fixed.size(); i++) {
      out.add(new Item("serve-" + i, fixed.get(i), "serve --trust", "(command line)", Optional.empty(), false));
    }
    for (TrustedMtas.Entry e : store().list()) {
      out.add(item(e));
    }
    return out;
  }

  /** @throws IllegalArgumentException for a bad or duplicate entry */
  public Item add(String entry, String user) {
    return item(store().add(entry, user));
  }

  public Optional<Item> remove(String entryId, String user) {
    return store().remove(entryId, user).map(TrustSettings::item);
  }

  private static Item item(TrustedMtas.Entry e) {
    return new Item(e.entryId(), e.entry(), "settings", e.addedBy(), Optional.of(e.added()), true);
  }
}
