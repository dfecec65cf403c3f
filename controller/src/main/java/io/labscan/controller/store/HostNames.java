package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.text.HostnameKey;
import io.labscan.controller.text.NameHistory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Each host's name history, table {@code host_names} (V034; issue 15, D, red-team R9). The
 * ingest writes a span when a host's newest inventory reports a name other than the stored one
 * ({@link #CLOSE}, {@link #OPEN}, {@link #TRIM}, run by {@code SqlReports} in its batches); the
 * readers here give a host's {@link NameHistory}, the (host, name) pairs that count for
 * {@link HostnameKey#shared duplicate names} (every name held within {@link
 * NameHistory#SHARED_FOR}), and the hosts that held a name (the CLI's {@code --host NAME}).
 *
 * <p>Bounded: {@link #TRIM} keeps a host's first span and its newest {@link
 * NameHistory#MAX_SPANS}{@code - 1} ones, so an agent renaming itself on every report costs a
 * constant number of rows. Each write is O(log n) on the {@code (host_id, seq)} key.
 */
public final class HostNames {
  private HostNames() {}

  /** Ends the host's current span at the given time. Parameters: until_ms, host_id. */
  static final String CLOSE = "UPDATE host_names SET until_ms = ? WHERE host_id = ? AND until_ms IS NULL";

  /** Opens the host's next span. Parameters: host_id, host_id, hostname, name_key, from_ms. */
  static final String OPEN = "INSERT INTO host_names(host_id, seq, hostname, name_key, from_ms, until_ms) VALUES "
      + "(?, (SELECT COALESCE(MAX(n.seq), 0) + 1 FROM host_names n WHERE n.host_id = ?), ?, ?, ?, NULL)";

  /** Drops the spans between the first and the newest kept ones. Parameters: host_id, host_id. */
  static final String TRIM = "DELETE FROM host_names WHERE host_id = ? AND seq > 1 AND seq <= "
      + "(SELECT MAX(n.seq) FROM host_names n WHERE n.host_id = ?) - " + (NameHistory.MAX_SPANS - 1);

  /** The first span of a host enrolled before it reported (no row yet). */
  static final String FIRST = "INSERT INTO host_names(host_id, seq, hostname, name_key, from_ms, until_ms) "
      + "SELECT ?, 1, ?, ?, ?, NULL WHERE NOT EXISTS (SELECT 1 FROM host_names n WHERE n.host_id = ?)";

  /** Binds {@link #FIRST} for {@code hostId} named {@code name} at {@code atMs}. */
  static void bindFirst(PreparedStatement ps, String hostId, String name, long atMs) throws SQLException {
    ps.setString(1, hostId);
    ps.setString(2, name);
    ps.setString(3, HostnameKey.of(name));
    ps.setLong(4, atMs);
    ps.setString(5, hostId);
  }

  /** The host's names, oldest first (empty for an unknown host). */
  public static NameHistory history(Database database, String hostId) {
    requireNonNull(hostId, "hostId");
    return database.read(db -> history(db, hostId));
  }

  /** {@link #history(Database, String)} on an open connection. */
  public static NameHistory history(Connection db, String hostId) throws SQLException {
    List<NameHistory.Span> spans = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT seq, hostname, from_ms, until_ms FROM host_names WHERE host_id = ? ORDER BY seq")) {
      ps.setString(1, hostId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long until = rs.getLong(4);
          Optional<Instant> end = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(until));
          spans.add(new NameHistory.Span(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), end));
        }
      }
    }
    return new NameHistory(spans);
  }

  /**
   * (host id, name) for every name a host holds, or held at or after {@code since}: the pairs
   * {@link HostnameKey#shared} counts, so a host that takes a name another host gave up within
   * {@link NameHistory#SHARED_FOR} makes that name shared. With {@code hosts}' current names too
   * (a host without history rows still counts). O(hosts + recent renames).
   */
  public static List<Map.Entry<String, String>> namesHeldSince(Connection db, Instant since, int limit)
      throws SQLException {
    List<Map.Entry<String, String>> out = formerNames(db, since, limit);
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT host_id, hostname FROM hosts ORDER BY host_id LIMIT " + limit)) {
      out.addAll(pairs(ps));
    }
    return out;
  }

  /** Most rows one fleet-wide name read returns (far above any lab fleet). */
  public static final int MAX_HOSTS = 200_000;

  /**
   * The names the hosts {@code hostIds} gave up at or after {@code since}, as (host id, name):
   * added to their current names, they are what {@link HostnameKey#shared} compares.
   */
  public static List<Map.Entry<String, String>> formerNames(Database database, Collection<String> hostIds,
      Instant since) {
    Set<String> ids = Set.copyOf(hostIds);
    return database.read(db -> formerNames(db, since, MAX_HOSTS).stream().filter(e -> ids.contains(e.getKey())).toList());
  }

  /** Every (host id, name) given up at or after {@code since}, at most {@code limit}. */
  private static List<Map.Entry<String, String>> formerNames(Connection db, Instant since, int limit)
      throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("SELECT host_id, hostname FROM host_names "
        + "WHERE until_ms IS NOT NULL AND until_ms >= ? ORDER BY host_id LIMIT " + limit)) {
      ps.setLong(1, since.toEpochMilli());
      return pairs(ps);
    }
  }

  /** The (first column, second column) rows of {@code ps}, a null name read as "". */
  private static List<Map.Entry<String, String>> pairs(PreparedStatement ps) throws SQLException {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(Map.entry(rs.getString(1), nullToEmpty(rs.getString(2))));
      }
    }
    return out;
  }

  /**
   * The ids of the hosts that hold {@code name} (by {@link HostnameKey}) or held it at or after
   * {@code since}, in id order: more than one makes the name ambiguous.
   */
  public static Set<String> hostsNamed(Database database, String name, Instant since) {
    String key = HostnameKey.of(name);
    if (key.isEmpty()) {
      return Set.of();
    }
    return database.read(db -> {
      Set<String> out = new java.util.TreeSet<>();
      // Every span held since then is folded here, not only those whose stored name_key matches:
      // rows migrated from before V034 have no key (''), and a key stored before HostnameKey
      // learned a fold (the dashes of red-team round 7, T8) is stale. O(hosts + recent renames),
      // as the caller's own pass over the hosts' current names.
      try (PreparedStatement ps = db.prepareStatement("SELECT host_id, hostname FROM host_names "
          + "WHERE until_ms IS NULL OR until_ms >= ? LIMIT " + MAX_HOSTS)) {
        ps.setLong(1, since.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (HostnameKey.of(rs.getString(2)).equals(key)) {
              out.add(rs.getString(1));
            }
          }
        }
      }
      return new LinkedHashSet<>(out);
    });
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
