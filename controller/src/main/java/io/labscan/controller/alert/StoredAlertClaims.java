package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AlertClaims} in the database (table {@code alert_claims}, migration V024): the first
 * controller to claim an alert's {@link #key key} sends it; the others find the key claimed and
 * drop their copy.
 *
 * <h2>Why</h2>
 * Controllers sharing a database each compute verdicts: the one that ingests a host's report
 * and the one holding the verdict sweeps may both see the same host become INFECTED (each reads
 * the old verdict before the other's write commits); each announces the address conflicts it
 * sees (the memory of announced ones is per controller); a copied agent key may speak to both.
 * Without a claim every such alert goes out twice. The claim is one statement, the same on
 * SQLite and PostgreSQL: {@code INSERT ... ON CONFLICT(alert_key) DO UPDATE ... WHERE
 * claimed_ms < cutoff}. It changes a row only when the key is new or its claim is older than
 * {@link #WINDOW}; on PostgreSQL a second controller's statement waits for the first one's
 * commit and then changes nothing (one row counts as claimed, the other as refused).
 *
 * <h2>The key</h2>
 * What makes two alerts "the same" whichever controller saw it, at whatever moment: the kind and
 * the host, and per kind what identifies the event: the verdict (a verdict change), the conflict
 * text (address, hosts and since when, all from the database), the complaint's text (its number
 * is unique in the database). A two-keys alert: the host alone (its detail is what one
 * controller saw). SHA-256 of them, so a key's length does not depend on text an endpoint wrote.
 *
 * <h2>The window</h2>
 * A claim stands for {@link #WINDOW}: duplicates arise within seconds (two controllers, one
 * change), while the same alert an hour later is news (a host cleaned and infected again). A
 * host that flips back within the window alerts once. Claims older than a day are deleted now and
 * then by the claim itself, so the table stays small.
 *
 * <h2>When the database fails</h2>
 * The alert is sent: a duplicate is better than a lost alert.
 */
public final class StoredAlertClaims implements AlertClaims {
  private static final Logger log = LoggerFactory.getLogger(StoredAlertClaims.class);
  /** How long a claim keeps other controllers from sending the same alert. */
  public static final Duration WINDOW = Duration.ofMinutes(10);
  /** Claims older than this are deleted. */
  static final Duration KEEP = Duration.ofDays(1);
  /** Every this many claims, the old ones are deleted. */
  static final int PRUNE_EVERY = 256;

  private final Storage store;
  private final String instanceId;
  private final Clock clock;
  private final AtomicLong claims = new AtomicLong();

  public StoredAlertClaims(Storage store, String instanceId, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.instanceId = requireNonNull(instanceId, "instanceId");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public boolean claim(Alert alert) {
    requireNonNull(alert, "alert");
    String key = key(alert);
    long now = clock.millis();
    try {
      boolean prune = claims.incrementAndGet() % PRUNE_EVERY == 0;
      return store.write(db -> {
        if (prune) {
          try (PreparedStatement ps = db.prepareStatement("DELETE FROM alert_claims WHERE claimed_ms < ?")) {
            ps.setLong(1, now - KEEP.toMillis());
            ps.executeUpdate();
          }
        }
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO alert_claims(alert_key, claimed_by, claimed_ms) "
            + "VALUES (?,?,?) ON CONFLICT(alert_key) DO UPDATE SET claimed_by = excluded.claimed_by, "
            + "claimed_ms = excluded.claimed_ms WHERE alert_claims.claimed_ms < ?")) {
          ps.setString(1, key);
          ps.setString(2, instanceId);
          ps.setLong(3, now);
          ps.setLong(4, now - WINDOW.toMillis());
          return ps.executeUpdate() > 0;
        }
      }).join();
    } catch (RuntimeException e) {
      log.warn("Alert for host {} not claimed ({}): sent anyway, another controller may send it too.",
          alert.hostId(), e.getMessage());
      return true;
    }
  }

  /** The alert's identity across controllers (see the class comment): kind, then SHA-256. */
  public static String key(Alert alert) {
    String what = switch (alert.kind()) {
      case VERDICT_CHANGED -> alert.verdict().name();
      case TWO_KEYS -> "";
      case ADDRESS_CONFLICT, COMPLAINT -> alert.reasons().isEmpty() ? "" : alert.reasons().get(0).text();
    };
    return alert.kind().event() + ":" + sha256(alert.hostId() + "\n" + what);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "alert claims of controller " + instanceId + " in " + store;
  }
}
