package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.triage.TriageEvidence;
import io.labscan.controller.trust.TrustRepository;
import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The controller's storage: one {@link Database} (SQLite by default, {@link #open(Path)}; any
 * other implementation through {@link #Storage(Database)}) and the repositories written on it
 * ({@link SqlReports}, {@link SqlVerdicts}, {@link SqlTrust}, {@link SqlSettings}). It holds no
 * SQL of its own.
 *
 * <p>It is also still a facade implementing those repositories' interfaces by delegation, and
 * offers the Database's {@link #read}/{@link #write} to the feature packages whose SQL has not
 * moved into a repository yet (accounts, audit, campaigns, complaints, lab rules, quarantine,
 * compliance history): that is the part of the split still to do (issue 20). New code takes the
 * repository interface it needs ({@link Store}, {@link HostRepository}, {@link SettingsRepository},
 * {@code VerdictRepository}, {@code TrustRepository}), not this class.
 */
public final class Storage implements Store, VerdictRepository, TrustRepository, HostRepository,
    SettingsRepository {
  /** The role of simulated hosts ({@code labscan-controller demo}): {@link HostSummary#demo()}. */
  public static final String DEMO_ROLE = HostRepository.DEMO_ROLE;

  private final Database database;
  private final SqlReports reports;
  private final SqlVerdicts verdicts;
  private final SqlTrust trust;
  private final SqlSettings settings;

  /** Storage on {@code database}, which it owns from now on ({@link #close()} closes it). */
  public Storage(Database database) {
    this.database = requireNonNull(database, "database");
    this.reports = new SqlReports(database);
    this.verdicts = new SqlVerdicts(database);
    this.trust = new SqlTrust(database);
    this.settings = new SqlSettings(database);
  }

  /** Opens (creating and migrating as needed) the database file. */
  public static Storage open(Path file) {
    return new Storage(SqliteDatabase.open(file));
  }

  /**
   * Opens what {@code --db} names: a SQLite file ({@link #open(Path)}), or a PostgreSQL database
   * with {@code credentials} ({@link io.labscan.controller.store.postgres.PostgresDatabase},
   * migrated to this build's schema at open).
   */
  public static Storage open(DatabaseUrl url, DatabaseCredentials credentials, java.time.Clock clock) {
    requireNonNull(url, "url");
    requireNonNull(credentials, "credentials");
    requireNonNull(clock, "clock");
    if (url instanceof DatabaseUrl.Postgres pg) {
      return new Storage(io.labscan.controller.store.postgres.PostgresDatabase.open(pg, credentials, clock));
    }
    return open(((DatabaseUrl.EmbeddedFile) url).file());
  }

  /** The SQL forms of the database's engine, for the SQL still kept in feature packages. */
  public Dialect dialect() {
    return database.dialect();
  }

  /** The database under this facade. */
  public Database database() {
    return database;
  }

  /**
   * The locks of the work that runs on one controller at a time (issue 20): PostgreSQL advisory
   * locks, since several controllers may share that database; held alone on SQLite, whose file
   * one controller owns.
   */
  public io.labscan.controller.jobs.SingletonLocks singletonLocks(String instanceId) {
    return database instanceof io.labscan.controller.store.postgres.PostgresDatabase pg ? pg.singletonLocks(instanceId)
        : io.labscan.controller.jobs.SingletonLocks.always(instanceId);
  }

  /** The database file (SQLite), or the database's location as a path (other engines). */
  public Path file() {
    return database instanceof SqliteDatabase sqlite ? sqlite.file() : Path.of(database.location());
  }

  /** Triage's view of this storage (addresses, egress, harvest digests, owners, mail servers). */
  public TriageEvidence triageEvidence(String keyId) {
    return new SqliteTriageEvidence(database, keyId);
  }

  /**
   * Triage's view with the given holding grace (how long after its last report a silent host
   * still holds its addresses; TriageOptions#holdingGrace).
   */
  public TriageEvidence triageEvidence(String keyId, java.time.Duration holdingGrace) {
    return new SqliteTriageEvidence(database, keyId, holdingGrace);
  }

  /**
   * Triage's view with the given holding grace, measuring "lately" (names a host gave up within
   * NameHistory#SHARED_FOR) from {@code clock}, the caller's injected clock.
   */
  public TriageEvidence triageEvidence(String keyId, java.time.Duration holdingGrace, java.time.Clock clock) {
    return new SqliteTriageEvidence(database, keyId, holdingGrace, clock);
  }

  /** See {@link Database#requireWritable()}. */
  public void requireWritable() {
    database.requireWritable();
  }

  @Override
  public int schemaVersion() {
    return database.schemaVersion();
  }

  /** See {@link Database#dataVersion()}. */
  public long dataVersion() {
    return database.dataVersion();
  }

  /** The database's size in bytes (pages in use and free), for /metrics. */
  public long databaseBytes() {
    return database.sizeBytes();
  }

  /** Runs {@code work} on the writer, inside the batched transaction ({@link Database#write}). */
  public <T> CompletableFuture<T> write(SqlWork<T> work) {
    return database.write(work);
  }

  /** Runs {@code work} on the writer, like {@link #write}, when it has no value to return. */
  public CompletableFuture<Void> update(SqlUpdate work) {
    return database.update(work);
  }

  /** Runs {@code work} on the read-only connection ({@link Database#read}). */
  public <T> T read(SqlWork<T> work) {
    return database.read(work);
  }

  <T> T read(String what, SqlWork<T> work) {
    return database.read(what, work);
  }

  @Override
  public void close() {
    database.close();
  }

  // ---- reports and hosts (SqlReports) ----

  @Override
  public CompletableFuture<IngestOutcome> ingest(Report report, Instant receivedAt, String via) {
    return reports.ingest(report, receivedAt, via);
  }

  @Override
  public CompletableFuture<IngestOutcome> ingestImported(Report report, ReportImport provenance) {
    return reports.ingestImported(report, provenance);
  }

  @Override
  public CompletableFuture<Void> enroll(String hostId, String hostname, Instant at) {
    return reports.enroll(hostId, hostname, at);
  }

  @Override
  public CompletableFuture<Boolean> touch(String hostId, Instant at) {
    return reports.touch(hostId, at);
  }

  @Override
  public CompletableFuture<Boolean> touch(String hostId, Instant at, Instant claimed) {
    return reports.touch(hostId, at, claimed);
  }

  @Override
  public List<HostSummary> hosts() {
    return reports.hosts();
  }

  @Override
  public Optional<HostSummary> host(String hostId) {
    return reports.host(hostId);
  }

  @Override
  public long reportCount() {
    return reports.reportCount();
  }

  @Override
  public List<ReportImport> imports(String hostId, int limit) {
    return reports.imports(hostId, limit);
  }

  @Override
  public List<AddressInterval> addressHistory(String hostId) {
    return reports.addressHistory(hostId);
  }

  @Override
  public List<ReportEntry> reports(String hostId, int limit) {
    return reports.reports(hostId, limit);
  }

  @Override
  public Optional<ClockClaim> clockClaim(String hostId) {
    return reports.clockClaim(hostId);
  }

  @Override
  public long reportBytesSince(String hostId, Instant since) {
    return reports.reportBytesSince(hostId, since);
  }

  @Override
  public List<String> loggedInUsers(String hostId) {
    return reports.loggedInUsers(hostId);
  }

  @Override
  public List<String> hostsWithLoggedInUser(String user) {
    return reports.hostsWithLoggedInUser(user);
  }

  @Override
  public CompletableFuture<Void> setAddressOwner(String email, String hostId, String source, Instant at) {
    return reports.setAddressOwner(email, hostId, source, at);
  }

  @Override
  public CompletableFuture<Void> setRole(String hostId, String role, boolean present) {
    return reports.setRole(hostId, role, present);
  }

  @Override
  public Set<String> hostsWithRole(String role) {
    return reports.hostsWithRole(role);
  }

  @Override
  public CompletableFuture<Void> setEffectiveLabs(Map<String, HostSummary.EffectiveLab> labs) {
    return reports.setEffectiveLabs(labs);
  }

  @Override
  public CompletableFuture<Void> recordComplaintTrace(String complaintId, String hostId, double confidence,
      Instant tracedAt, String originIp, Optional<Instant> originTime, String summary) {
    return reports.recordComplaintTrace(complaintId, hostId, confidence, tracedAt, originIp, originTime, summary);
  }

  // ---- settings (SqlSettings) ----

  @Override
  public byte[] secret(String name) {
    return settings.secret(name);
  }

  @Override
  public Optional<byte[]> setting(String name) {
    return settings.setting(name);
  }

  @Override
  public Map<String, byte[]> settings(Collection<String> names) {
    return settings.settings(names);
  }

  @Override
  public CompletableFuture<Void> putSettings(Map<String, byte[]> values) {
    return settings.putSettings(values);
  }

  @Override
  public CompletableFuture<Long> putSettingsAndIncrement(Map<String, byte[]> values, String counter) {
    return settings.putSettingsAndIncrement(values, counter);
  }

  // ---- verdicts (SqlVerdicts) ----

  @Override
  public List<String> hostIds() {
    return verdicts.hostIds();
  }

  @Override
  public Optional<HostEvidence> evidence(String hostId, Instant now, VerdictPolicy policy) {
    return verdicts.evidence(hostId, now, policy);
  }

  @Override
  public Sweep sweep(Instant now, VerdictPolicy policy) {
    return verdicts.sweep(now, policy);
  }

  /** Addresses this host reports that another host reports at the same time, for the host views. */
  public List<HostEvidence.Conflict> addressConflicts(String hostId, Instant now) {
    return verdicts.addressConflicts(hostId, now);
  }

  @Override
  public boolean saveAssessment(String hostId, Assessment assessment, Instant at) {
    return verdicts.saveAssessment(hostId, assessment, at);
  }

  @Override
  public CompletableFuture<Boolean> saveAssessmentLater(String hostId, Assessment assessment, Instant at) {
    return verdicts.saveAssessmentLater(hostId, assessment, at);
  }

  @Override
  public List<CompletableFuture<Boolean>> saveAssessmentsLater(List<Assessed> saves, Instant at) {
    return verdicts.saveAssessmentsLater(saves, at);
  }

  @Override
  public Optional<VerdictRecord> verdict(String hostId) {
    return verdicts.verdict(hostId);
  }

  @Override
  public List<VerdictRecord> verdicts() {
    return verdicts.verdicts();
  }

  @Override
  public List<VerdictRecord> history(String hostId) {
    return verdicts.history(hostId);
  }

  // ---- trust (SqlTrust) ----

  @Override
  public CompletableFuture<Void> saveToken(TokenRecord token) {
    return trust.saveToken(token);
  }

  @Override
  public TokenCheck checkToken(String tokenId, byte[] secretSha256, Instant at) {
    return trust.checkToken(tokenId, secretSha256, at);
  }

  @Override
  public boolean hostKnown(String hostId) {
    return trust.hostKnown(hostId);
  }

  @Override
  public boolean enrolled(String hostId) {
    return trust.enrolled(hostId);
  }

  @Override
  public CompletableFuture<Redemption> redeem(String tokenId, byte[] secretSha256, EnrolledHost host, Instant at) {
    return trust.redeem(tokenId, secretSha256, host, at);
  }

  @Override
  public Optional<CertificateSerials> certificateSerials(String hostId) {
    return trust.certificateSerials(hostId);
  }

  @Override
  public Optional<CertificateRecord> certificate(String hostId) {
    return trust.certificate(hostId);
  }

  @Override
  public CompletableFuture<RenewalOutcome> renew(Renewal renewal, Instant at) {
    return trust.renew(renewal, at);
  }

  @Override
  public CompletableFuture<Boolean> revoke(String hostId, String reason, Instant at) {
    return trust.revoke(hostId, reason, at);
  }

  @Override
  public Set<String> revokedHosts() {
    return trust.revokedHosts();
  }
}
