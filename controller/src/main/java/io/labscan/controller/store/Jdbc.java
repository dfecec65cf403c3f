package io.labscan.controller.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.labscan.controller.verdict.EgressAllowance;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Small JDBC helpers the repositories share; engine-neutral. */
final class Jdbc {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The fleet's process allow-list setting (EgressAllowance#SETTING). */
  static final String ALLOWLIST_SETTING = "SELECT value FROM settings WHERE name = ?";

  private Jdbc() {}

  static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  static void setMillis(PreparedStatement ps, int index, @Nullable Timestamp ts) throws SQLException {
    setLong(ps, index, ts == null ? null : Timestamps.toMillis(ts));
  }

  static void setLong(PreparedStatement ps, int index, @Nullable Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  /** The allow-list as it stands, read with {@code ps} (prepared from {@link #ALLOWLIST_SETTING}). */
  static EgressAllowance allowanceOf(PreparedStatement ps) throws SQLException {
    ps.setString(1, EgressAllowance.SETTING);
    try (ResultSet rs = ps.executeQuery()) {
      return EgressAllowance.fromSetting(rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty());
    }
  }

  /** The lab an enrolment token assigned the host, if any. */
  static Optional<String> assignedLab(Statements sql, String hostId) throws SQLException {
    PreparedStatement ps = sql.prepare("SELECT lab FROM host_enrolments WHERE host_id = ? AND lab <> ''");
    ps.setString(1, hostId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  /** {@code values} as a JSON array of strings, the parameter of {@link Dialect#jsonArrayValues}. */
  static String jsonArray(Collection<String> values) {
    try {
      return JSON.writeValueAsString(List.copyOf(values));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
