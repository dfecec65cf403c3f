package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.triage.TrustConfig;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * The MTAs administrators trust for complaint triage, kept in the database (table {@code
 * trusted_mtas}) so that the web UI, {@code serve} and the {@code triage} command agree. Every
 * addition and removal is written to {@code trusted_mta_changes} with who and when.
 * Also who recorded a triage answer as evidence ({@code complaint_traces.recorded_by}).
 */
public final class TrustedMtas {
  /** Most entries kept: each one is compared with every walked line. */
  public static final int MAX_ENTRIES = 500;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One trusted MTA. */
  public record Entry(String entryId, String entry, String addedBy, Instant added) {}

  /** Who recorded a complaint's answer, when, and against which hosts. */
  public record Recording(String recordedBy, Instant at, List<String> hostIds) {}

  private final Database store;
  private final Clock clock;

  public TrustedMtas(Database store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Every entry, oldest first. */
  public List<Entry> list() {
    return list(store);
  }

  /** Every entry of this store, oldest first (no clock needed to read). */
  static List<Entry> list(Database store) {
    return store.read(db -> {
      List<Entry> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT entry_id, entry, added_by, added_ms FROM trusted_mtas ORDER BY added_ms, "
              + store.dialect().rowId() + store.dialect().limit(MAX_ENTRIES));
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
        }
      }
      return out;
    });
  }

  /** The entries alone, for a {@link TrustConfig}. */
  public List<String> entries() {
    return list().stream().map(Entry::entry).toList();
  }

  /**
   * Adds an entry (as for {@code --trust}).
   *
   * @throws IllegalArgumentException for an entry that is not a host name, *.domain, IP or CIDR,
   *     one already present, or more than {@link #MAX_ENTRIES}
   */
  public Entry add(String entry, String user) {
    String e = TrustConfig.checkEntry(requireNonNull(entry, "entry"));
    requireNonNull(user, "user");
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    Entry added = new Entry(HexFormat.of().formatHex(id), e, user, clock.instant());
    try {
      return store.write(db -> {
        try (PreparedStatement count = db.prepareStatement("SELECT COUNT(*) FROM trusted_mtas");
            ResultSet rs = count.executeQuery()) {
          if (rs.next() && rs.getInt(1) >= MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " trusted MTAs; remove one first");
          }
        }
        try (PreparedStatement exists = db.prepareStatement("SELECT 1 FROM trusted_mtas WHERE entry = ?")) {
          exists.setString(1, e);
          try (ResultSet rs = exists.executeQuery()) {
            if (rs.next()) {
              throw new IllegalArgumentException(e + " is already trusted");
            }
          }
        }
        try (PreparedStatement ps = db.prepareStatement(
            "INSERT INTO trusted_mtas(entry_id, entry, added_by, added_ms) VALUES (?,?,?,?)")) {
          ps.setString(1, added.entryId());
          ps.setString(2, e);
          ps.setString(3, user);
          ps.setLong(4, added.added().toEpochMilli());
          ps.executeUpdate();
        }
        audit(db, added.added(), user, "add", e);
        return added;
      }).join();
    } catch (CompletionException ex) {
      if (ex.getCause() instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw ex;
    }
  }

  /** Removes an entry; the removed entry, or empty when there was none with that id. */
  public Optional<Entry> remove(String entryId, String user) {
    requireNonNull(entryId, "entryId");
    requireNonNull(user, "user");
    Instant now = clock.instant();
    return store.write(db -> {
      Optional<Entry> found = Optional.empty();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT entry_id, entry, added_by, added_ms FROM trusted_mtas WHERE entry_id = ?")) {
        ps.setString(1, entryId);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            found = Optional.of(new Entry(rs.getString(1), rs.getString(2), rs.getString(3),
                Instant.ofEpochMilli(rs.getLong(4))));
          }
        }
      }
      if (found.isPresent()) {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM trusted_mtas WHERE entry_id = ?")) {
          ps.setString(1, entryId);
          ps.executeUpdate();
        }
        audit(db, now, user, "remove", found.get().entry());
      }
      return found;
    }).join();
  }

  private static void audit(java.sql.Connection db, Instant at, String user, String action, String entry)
      throws java.sql.SQLException {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT INTO trusted_mta_changes(at_ms, username, action, entry) VALUES (?,?,?,?)")) {
      ps.setLong(1, at.toEpochMilli());
      ps.setString(2, user);
      ps.setString(3, action);
      ps.setString(4, entry);
      ps.executeUpdate();
    }
  }

  /** Marks who recorded the traces of this complaint. */
  public void recordedBy(String complaintId, String user) {
    store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE complaint_traces SET recorded_by = ? WHERE complaint_id = ?")) {
        ps.setString(1, user);
        ps.setString(2, complaintId);
        ps.executeUpdate();
      }
    }).join();
  }

  /** Who recorded this complaint's answer, when, and against which hosts; empty if nobody did. */
  public Optional<Recording> recording(String complaintId) {
    return store.read(db -> {
      List<String> hosts = new ArrayList<>();
      String by = null;
      long at = 0;
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT host_id, recorded_by, traced_ms FROM complaint_traces WHERE complaint_id = ? "
              + "ORDER BY confidence DESC LIMIT 100")) {
        ps.setString(1, complaintId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            hosts.add(rs.getString(1));
            if (rs.getLong(3) >= at) {
              at = rs.getLong(3);
              by = rs.getString(2);
            }
          }
        }
      }
      return hosts.isEmpty() ? Optional.<Recording>empty()
          : Optional.of(new Recording(by == null || by.isEmpty() ? "(unknown)" : by, Instant.ofEpochMilli(at), hosts));
    });
  }
}
