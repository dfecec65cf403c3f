package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import io.labscan.proto.v1.SmtpEgressWindow;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.EgressAllowance;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository;
import io.labscan.controller.trust.TrustRepository;
import io.labscan.controller.triage.TriageOptions;
import java.security.MessageDigest;
import java.util.HashSet;
import io.labscan.contract.net.Addresses;
import java.util.Set;


/** The {@code settings} table on a {@link Database}. */
public final class SqlSettings implements SettingsRepository {
  private final Database database;

  public SqlSettings(Database database) {
    this.database = requireNonNull(database, "database");
  }

  @Override
  public byte[] secret(String name) {
    requireNonNull(name, "name");
    return database.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getBytes(1);
          }
        }
      }
      byte[] value = new byte[32];
      new SecureRandom().nextBytes(value);
      // Several controllers on one PostgreSQL database start together: each may find no secret
      // and make one. The first insert wins and every controller uses its value (a plain INSERT
      // failed the later controller's start on the primary key).
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO settings(name, value) VALUES (?,?) ON CONFLICT (name) DO NOTHING")) {
        ps.setString(1, name);
        ps.setBytes(2, value);
        if (ps.executeUpdate() == 1) {
          return value;
        }
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getBytes(1);
          }
        }
      }
      throw new IllegalStateException("setting " + name + " neither inserted nor found");
    }).join();
  }


  /** A setting's value, if set. */
  @Override
  public Optional<byte[]> setting(String name) {
    return database.read("setting " + name, db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
        }
      }
    });
  }

  /** Sets (or, for an empty value, removes) several settings in one transaction. */
  @Override
  public CompletableFuture<Void> putSettings(Map<String, byte[]> values) {
    Map<String, byte[]> copy = new LinkedHashMap<>(values);
    return database.update(db -> {
      for (Map.Entry<String, byte[]> e : copy.entrySet()) {
        try (PreparedStatement ps = db.prepareStatement(e.getValue().length == 0
            ? "DELETE FROM settings WHERE name = ?"
            : "INSERT INTO settings(name, value) VALUES (?,?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")) {
          ps.setString(1, e.getKey());
          if (e.getValue().length > 0) {
            ps.setBytes(2, e.getValue());
          }
          ps.executeUpdate();
        }
      }
    });
  }

  /**
   * Several settings read by one statement, so from one snapshot of the database (a policy's
   * version and its content must not come from two different commits). Absent names are absent.
   */
  @Override
  public Map<String, byte[]> settings(Collection<String> names) {
    List<String> list = List.copyOf(names);
    if (list.isEmpty()) {
      return Map.of();
    }
    return database.read("settings", db -> {
      Map<String, byte[]> out = new LinkedHashMap<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT name, value FROM settings WHERE name IN ("
          + String.join(",", java.util.Collections.nCopies(list.size(), "?")) + ")")) {
        for (int i = 0; i < list.size(); i++) {
          ps.setString(i + 1, list.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getBytes(2));
          }
        }
      }
      return out;
    });
  }

  /**
   * Sets (or, for an empty value, removes) {@code values} and increments the decimal counter
   * setting {@code counter} in the same transaction; returns the counter's new value.
   *
   * <p>The increment is one SQL statement on the writer connection, so it reads and writes the
   * counter under SQLite's write lock: two writers, in this process or in two processes on one
   * database file, never get the same value (a read on one connection and a write on another
   * could, and agents would then miss the second change).
   */
  @Override
  public CompletableFuture<Long> putSettingsAndIncrement(Map<String, byte[]> values, String counter) {
    requireNonNull(counter, "counter");
    Map<String, byte[]> copy = new LinkedHashMap<>(values);
    copy.remove(counter);
    return database.write(db -> {
      for (Map.Entry<String, byte[]> e : copy.entrySet()) {
        try (PreparedStatement ps = db.prepareStatement(e.getValue().length == 0
            ? "DELETE FROM settings WHERE name = ?"
            : "INSERT INTO settings(name, value) VALUES (?,?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")) {
          ps.setString(1, e.getKey());
          if (e.getValue().length > 0) {
            ps.setBytes(2, e.getValue());
          }
          ps.executeUpdate();
        }
      }
      Dialect dialect = database.dialect();
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO settings(name, value) VALUES (?, "
          + dialect.bytes("'1'") + ") ON CONFLICT(name) DO UPDATE SET value = "
          + dialect.bytes("CAST(CAST(" + dialect.text("settings.value") + " AS BIGINT) + 1 AS TEXT)"))) {
        ps.setString(1, counter);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT CAST(" + dialect.text("value") + " AS BIGINT) FROM settings "
          + "WHERE name = ?")) {
        ps.setString(1, counter);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

}
