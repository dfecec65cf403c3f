package io.labscan.controller.selfwatch;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The newest resource figures of each agent (table {@code agent_resources}, migration V020): one
 * row per host, replaced by every heartbeat that carries figures. Its SQL lives here, on the
 * store's single writer and its reader ({@link Storage#write}, {@link Storage#read});
 * portable (an upsert both SQLite and PostgreSQL know).
 */
public final class AgentResourceRepository {
  private static final String COLUMNS = "host_id, rss_bytes, rss_anon_bytes, rss_file_bytes, cpu_percent, "
      + "cpu_percent_window, threads, budget_state, memory_over_minutes, memory_restarts, restarted_for_memory_ms, "
      + "memory_budget_bytes, cpu_budget_percent, measured_ms, received_ms, refused, refused_ms";

  private final Storage store;

  public AgentResourceRepository(Storage store) {
    this.store = requireNonNull(store, "store");
  }

  /** Stores accepted figures as the host's newest (clearing an earlier refusal). */
  public CompletableFuture<Void> save(String hostId, HostResources r) {
    requireNonNull(hostId, "hostId");
    requireNonNull(r, "r");
    return store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO agent_resources (" + COLUMNS
          + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'',NULL) ON CONFLICT (host_id) DO UPDATE SET "
          + "rss_bytes = excluded.rss_bytes, rss_anon_bytes = excluded.rss_anon_bytes, "
          + "rss_file_bytes = excluded.rss_file_bytes, cpu_percent = excluded.cpu_percent, "
          + "cpu_percent_window = excluded.cpu_percent_window, threads = excluded.threads, "
          + "budget_state = excluded.budget_state, memory_over_minutes = excluded.memory_over_minutes, "
          + "memory_restarts = excluded.memory_restarts, restarted_for_memory_ms = excluded.restarted_for_memory_ms, "
          + "memory_budget_bytes = excluded.memory_budget_bytes, cpu_budget_percent = excluded.cpu_budget_percent, "
          + "measured_ms = excluded.measured_ms, received_ms = excluded.received_ms, refused = '', refused_ms = NULL")) {
        ps.setString(1, hostId);
        ps.setLong(2, r.rssBytes());
        setLong(ps, 3, r.anonBytes());
        setLong(ps, 4, r.fileBytes());
        ps.setDouble(5, r.cpuPercent());
        ps.setDouble(6, r.cpuPercentWindow());
        ps.setInt(7, r.threads());
        ps.setString(8, r.budgetState());
        ps.setInt(9, r.memoryOverMinutes());
        ps.setInt(10, r.memoryRestarts());
        setTime(ps, 11, r.restartedForMemory());
        ps.setLong(12, r.memoryBudgetBytes());
        ps.setDouble(13, r.cpuBudgetPercent());
        setTime(ps, 14, r.measured());
        ps.setLong(15, r.received().toEpochMilli());
        ps.executeUpdate();
      }
    });
  }

  /** Records why the host's newest figures were refused; figures accepted before are kept. */
  public CompletableFuture<Void> refuse(String hostId, String reason, Instant at) {
    requireNonNull(hostId, "hostId");
    requireNonNull(reason, "reason");
    requireNonNull(at, "at");
    return store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO agent_resources (host_id, refused, refused_ms) "
          + "VALUES (?,?,?) ON CONFLICT (host_id) DO UPDATE SET refused = excluded.refused, "
          + "refused_ms = excluded.refused_ms")) {
        ps.setString(1, hostId);
        ps.setString(2, reason.length() > 200 ? reason.substring(0, 200) : reason);
        ps.setLong(3, at.toEpochMilli());
        ps.executeUpdate();
      }
    });
  }

  /** A host's newest accepted figures and newest refusal. */
  public record Entry(Optional<HostResources> figures, String refused, Optional<Instant> refusedAt) {}

  public Optional<Entry> of(String hostId) {
    requireNonNull(hostId, "hostId");
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT " + COLUMNS + " FROM agent_resources WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(entry(rs)) : Optional.<Entry>empty();
        }
      }
    });
  }

  /** Every host's newest accepted figures, by host id (hosts with none left out). */
  public Map<String, HostResources> all() {
    return store.read(db -> {
      Map<String, HostResources> out = new HashMap<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT " + COLUMNS
          + " FROM agent_resources WHERE received_ms IS NOT NULL");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entry(rs).figures().ifPresent(f -> {
            try {
              out.put(rs.getString("host_id"), f);
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          });
        }
      }
      return out;
    });
  }

  private static Entry entry(ResultSet rs) throws SQLException {
    Optional<Instant> refusedAt = time(rs, "refused_ms");
    Optional<Instant> received = time(rs, "received_ms");
    Optional<HostResources> figures = Optional.empty();
    if (received.isPresent()) {
      figures = Optional.of(new HostResources(rs.getLong("rss_bytes"), optLong(rs, "rss_anon_bytes"),
          optLong(rs, "rss_file_bytes"), rs.getDouble("cpu_percent"), rs.getDouble("cpu_percent_window"),
          rs.getInt("threads"), rs.getString("budget_state"), rs.getInt("memory_over_minutes"),
          rs.getInt("memory_restarts"), time(rs, "restarted_for_memory_ms"), rs.getLong("memory_budget_bytes"),
          rs.getDouble("cpu_budget_percent"), time(rs, "measured_ms"), received.get()));
    }
    return new Entry(figures, rs.getString("refused"), refusedAt);
  }

  private static OptionalLong optLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
  }

  private static Optional<Instant> time(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  private static void setLong(PreparedStatement ps, int i, OptionalLong v) throws SQLException {
    if (v.isPresent()) {
      ps.setLong(i, v.getAsLong());
    } else {
      ps.setNull(i, Types.BIGINT);
    }
  }

  private static void setTime(PreparedStatement ps, int i, Optional<Instant> t) throws SQLException {
    if (t.isPresent()) {
      ps.setLong(i, t.get().toEpochMilli());
    } else {
      ps.setNull(i, Types.BIGINT);
    }
  }
}
