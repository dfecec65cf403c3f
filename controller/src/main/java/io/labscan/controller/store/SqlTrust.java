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
import static io.labscan.controller.store.Jdbc.assignedLab;

/**
 * The enrolment ledger and the agents' certificates: enrolment tokens, enrolments,
 * renewals and revocations, on a {@link Database}.
 */
public final class SqlTrust implements TrustRepository {
  private final Database database;
  private final Dialect dialect;

  public SqlTrust(Database database) {
    this.database = requireNonNull(database, "database");
    this.dialect = database.dialect();
  }

  /**
   * Whether the host id is enrolled: a certificate of the controller CA names it (valid or
   * ended) or it was revoked. A report file cannot speak for such a host without an admin's word.
   */
  @Override
  public boolean enrolled(String hostId) {
    requireNonNull(hostId, "hostId");
    return database.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT EXISTS (SELECT 1 FROM host_enrolments WHERE host_id = ?) "
          + "OR EXISTS (SELECT 1 FROM revoked_hosts WHERE host_id = ?)")) {
        ps.setString(1, hostId);
        ps.setString(2, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() && rs.getBoolean(1);
        }
      }
    });
  }


  // ---- trust ----------------------------------------------------------------------------

  @Override
  public CompletableFuture<Void> saveToken(TokenRecord token) {
    requireNonNull(token, "token");
    return database.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO enrolment_tokens(token_id, secret_sha256, lab, created_ms, expires_ms, uses_total, uses_left, "
              + "host_id) VALUES (?,?,?,?,?,?,?,?)")) {
        ps.setString(1, token.tokenId());
        ps.setString(2, HexFormat.of().formatHex(token.secretSha256()));
        ps.setString(3, token.lab());
        ps.setLong(4, token.created().toEpochMilli());
        ps.setLong(5, token.expires().toEpochMilli());
        ps.setInt(6, token.uses());
        ps.setInt(7, token.uses());
        ps.setString(8, token.hostId());
        ps.executeUpdate();
      }
    });
  }

  @Override
  public TokenCheck checkToken(String tokenId, byte[] secretSha256, Instant at) {
    requireNonNull(tokenId, "tokenId");
    requireNonNull(secretSha256, "secretSha256");
    long now = at.toEpochMilli();
    byte[] presented = secretSha256.clone();
    return database.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT secret_sha256, expires_ms, uses_left, host_id FROM enrolment_tokens WHERE token_id = ?")) {
        ps.setString(1, tokenId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || !MessageDigest.isEqual(HexFormat.of().parseHex(rs.getString(1)), presented)) {
            return new TokenCheck(Outcome.UNKNOWN_TOKEN, "");
          }
          if (rs.getLong(2) <= now) {
            return new TokenCheck(Outcome.EXPIRED, "");
          }
          if (rs.getInt(3) <= 0) {
            return new TokenCheck(Outcome.USED_UP, "");
          }
          return new TokenCheck(Outcome.ACCEPTED, rs.getString(4));
        }
      }
    });
  }

  /** The tables that name host ids: a host id in any of them is known to the controller. */
  private static final List<String> HOST_TABLES = List.of("hosts", "host_enrolments", "revoked_hosts", "verdicts",
      "reports", "host_roles", "address_owners", "report_imports");

  private static boolean hostKnown(java.sql.Connection db, String hostId) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < HOST_TABLES.size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("EXISTS (SELECT 1 FROM ").append(HOST_TABLES.get(i))
          .append(" WHERE host_id = ?)");
    }
    try (PreparedStatement ps = db.prepareStatement(sql.toString())) {
      for (int i = 1; i <= HOST_TABLES.size(); i++) {
        ps.setString(i, hostId);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  @Override
  public boolean hostKnown(String hostId) {
    requireNonNull(hostId, "hostId");
    return database.read(db -> hostKnown(db, hostId));
  }

  @Override
  public CompletableFuture<Redemption> redeem(String tokenId, byte[] secretSha256, EnrolledHost host, Instant at) {
    requireNonNull(tokenId, "tokenId");
    requireNonNull(secretSha256, "secretSha256");
    requireNonNull(host, "host");
    long now = at.toEpochMilli();
    byte[] presented = secretSha256.clone();
    return database.write(db -> {
      String tokenLab;
      String boundHost;
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT secret_sha256, lab, expires_ms, uses_left, host_id FROM enrolment_tokens WHERE token_id = ?")) {
        ps.setString(1, tokenId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || !MessageDigest.isEqual(HexFormat.of().parseHex(rs.getString(1)), presented)) {
            return Redemption.refused(Outcome.UNKNOWN_TOKEN);
          }
          if (rs.getLong(3) <= now) {
            return Redemption.refused(Outcome.EXPIRED);
          }
          if (rs.getInt(4) <= 0) {
            return Redemption.refused(Outcome.USED_UP);
          }
          tokenLab = rs.getString(2);
          boundHost = rs.getString(5);
        }
      }
      if (!boundHost.isEmpty() && !boundHost.equals(host.hostId())) {
        return Redemption.refused(Outcome.WRONG_HOST);
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM revoked_hosts WHERE host_id = ?")) {
        ps.setString(1, host.hostId());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return Redemption.refused(Outcome.HOST_REVOKED);
          }
        }
      }
      // A token enrols new hosts only; it never speaks for a host the controller knows (one with a
      // certificate, valid or ended, one with imported or plaintext reports), or a stolen token
      // would let anyone report for that host. Re-enrolling a known host takes a token an admin
      // bound to exactly that host.
      if (boundHost.isEmpty()) {
        try (PreparedStatement ps = db.prepareStatement(
            "SELECT 1 FROM host_enrolments WHERE host_id = ? AND certificate_not_after_ms > ?")) {
          ps.setString(1, host.hostId());
          ps.setLong(2, now);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              return Redemption.refused(Outcome.ALREADY_ENROLLED);
            }
          }
        }
        if (hostKnown(db, host.hostId())) {
          return Redemption.refused(Outcome.HOST_EXISTS);
        }
      }
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE enrolment_tokens SET uses_left = uses_left - 1 WHERE token_id = ? AND uses_left > 0")) {
        ps.setString(1, tokenId);
        if (ps.executeUpdate() != 1) {
          return Redemption.refused(Outcome.USED_UP);
        }
      }
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO host_enrolments(host_id, lab, token_id, certificate_serial, certificate_not_after_ms, "
              + "enrolled_ms) VALUES (?,?,?,?,?,?) ON CONFLICT(host_id) DO UPDATE SET "
              + "lab = CASE WHEN excluded.lab <> '' THEN excluded.lab ELSE host_enrolments.lab END, "
              + "token_id = excluded.token_id, certificate_serial = excluded.certificate_serial, "
              + "certificate_not_after_ms = excluded.certificate_not_after_ms, enrolled_ms = excluded.enrolled_ms, "
              // A token enrolment starts a new certificate line: nothing left to retry.
              + "previous_certificate_serial = '', certificate_key_sha256 = '', renewed_ms = 0")) {
        ps.setString(1, host.hostId());
        ps.setString(2, tokenLab);
        ps.setString(3, tokenId);
        ps.setString(4, host.certificateSerial());
        ps.setLong(5, host.certificateNotAfter().toEpochMilli());
        ps.setLong(6, now);
        ps.executeUpdate();
      }
      String lab = assignedLab(database.statements(db), host.hostId()).orElse("");
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO hosts(host_id, hostname, lab, enrolled_ms, first_seen_ms, last_seen_ms) VALUES (?,?,?,?,?,?) "
              + "ON CONFLICT(host_id) DO UPDATE SET enrolled_ms = excluded.enrolled_ms, "
              + "lab = CASE WHEN excluded.lab <> '' THEN excluded.lab ELSE hosts.lab END, "
              + "last_seen_ms = " + dialect.greatest("hosts.last_seen_ms", "excluded.last_seen_ms"))) {
        ps.setString(1, host.hostId());
        ps.setString(2, host.hostname());
        ps.setString(3, lab);
        ps.setLong(4, now);
        ps.setLong(5, now);
        ps.setLong(6, now);
        ps.executeUpdate();
      }
      // The name given at enrolment is the first of the host's name history (the controller's name).
      try (PreparedStatement ps = db.prepareStatement(HostNames.FIRST)) {
        HostNames.bindFirst(ps, host.hostId(), host.hostname(), now);
        ps.executeUpdate();
      }
      return new Redemption(Outcome.ACCEPTED, lab);
    });
  }

  /** The host's agent certificate as enrolment or the last renewal recorded it; empty on plaintext setups. */
  @Override
  public Optional<TrustRepository.CertificateSerials> certificateSerials(String hostId) {
    return certificate(hostId).map(c -> new TrustRepository.CertificateSerials(c.serial(), c.previousSerial()));
  }

  @Override
  public Optional<CertificateRecord> certificate(String hostId) {
    requireNonNull(hostId, "hostId");
    return database.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT certificate_serial, certificate_not_after_ms, "
          + "renewed_ms, previous_certificate_serial FROM host_enrolments WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<CertificateRecord>empty();
          }
          long renewed = rs.getLong(3);
          return Optional.of(new CertificateRecord(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
              renewed > 0 ? Optional.of(Instant.ofEpochMilli(renewed)) : Optional.<Instant>empty(), rs.getString(4)));
        }
      }
    });
  }

  @Override
  public CompletableFuture<RenewalOutcome> renew(Renewal renewal, Instant at) {
    requireNonNull(renewal, "renewal");
    requireNonNull(at, "at");
    return database.write(db -> {
      String current;
      String previous;
      String renewedKey;
      try (PreparedStatement ps = db.prepareStatement("SELECT certificate_serial, previous_certificate_serial, "
          + "certificate_key_sha256 FROM host_enrolments WHERE host_id = ?")) {
        ps.setString(1, renewal.hostId());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return RenewalOutcome.NOT_ENROLLED;
          }
          current = rs.getString(1);
          previous = rs.getString(2);
          renewedKey = rs.getString(3);
        }
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM revoked_hosts WHERE host_id = ?")) {
        ps.setString(1, renewal.hostId());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return RenewalOutcome.REVOKED;
          }
        }
      }
      RenewalOutcome outcome;
      String keepPrevious;
      if (renewal.presentedSerial().equalsIgnoreCase(current)) {
        outcome = RenewalOutcome.RENEWED;
        keepPrevious = current;
      } else if (!previous.isEmpty() && renewal.presentedSerial().equalsIgnoreCase(previous)
          && renewal.newKeyFingerprint().equals(renewedKey)) {
        outcome = RenewalOutcome.REISSUED;
        keepPrevious = previous;
      } else {
        return RenewalOutcome.REPLACED;
      }
      try (PreparedStatement ps = db.prepareStatement("UPDATE host_enrolments SET certificate_serial = ?, "
          + "certificate_not_after_ms = ?, previous_certificate_serial = ?, certificate_key_sha256 = ?, "
          + "renewed_ms = ? WHERE host_id = ?")) {
        ps.setString(1, renewal.newSerial());
        ps.setLong(2, renewal.newNotAfter().toEpochMilli());
        ps.setString(3, keepPrevious);
        ps.setString(4, renewal.newKeyFingerprint());
        ps.setLong(5, at.toEpochMilli());
        ps.setString(6, renewal.hostId());
        ps.executeUpdate();
      }
      return outcome;
    });
  }

  @Override
  public CompletableFuture<Boolean> revoke(String hostId, String reason, Instant at) {
    requireNonNull(hostId, "hostId");
    requireNonNull(reason, "reason");
    return database.write(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO revoked_hosts(host_id, revoked_ms, reason) VALUES (?,?,?) ON CONFLICT(host_id) DO NOTHING")) {
        ps.setString(1, hostId);
        ps.setLong(2, at.toEpochMilli());
        ps.setString(3, reason);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public Set<String> revokedHosts() {
    return database.read("revoked hosts", db -> {
      Set<String> out = new HashSet<>();
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT host_id FROM revoked_hosts")) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return Set.copyOf(out);
    });
  }

}
