package io.labscan.controller.store;

import io.labscan.proto.v1.Report;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The controller's evidence store. SQLite is the embedded default; the SQL behind this
 * interface stays portable so a shared PostgreSQL-compatible backend is an addition.
 *
 * <p>Writes are asynchronous: the returned future completes only after the change is
 * committed, which is what lets the gRPC service acknowledge a report safely.
 */
public interface Store extends AutoCloseable {

  /** Stores a validated report once; a report id already held completes as DUPLICATE. */
  CompletableFuture<IngestOutcome> ingest(Report report, Instant receivedAt, String via);

  /**
   * Stores a report read from a file by {@code import}, with its provenance, in one write: a
   * report stored through this path always has its provenance row. A report already stored
   * (a duplicate) keeps the provenance it had, if any.
   */
  CompletableFuture<IngestOutcome> ingestImported(Report report, ReportImport provenance);

  /** Registers (or re-registers) a host at enrolment. */
  CompletableFuture<Void> enroll(String hostId, String hostname, Instant at);

  /** Records that a host was seen alive. Unknown hosts are ignored (they must enroll). */
  CompletableFuture<Boolean> touch(String hostId, Instant at);

  /**
   * A heartbeat: marks the host seen at {@code at} (the controller's time) and keeps the agent's
   * own clock reading {@code claimed} as a claim, to show a skewed clock on the host. False when
   * the host is unknown.
   */
  default CompletableFuture<Boolean> touch(String hostId, Instant at, Instant claimed) {
    return touch(hostId, at);
  }

  /** Every known host, ordered by hostname. */
  List<HostSummary> hosts();

  Optional<HostSummary> host(String hostId);

  /** Number of reports stored (for tests and metrics). */
  long reportCount();

  /** The schema version the database is at. */
  int schemaVersion();

  /** A 32-byte secret generated at first start and kept in the database, by name. */
  byte[] secret(String name);

  @Override
  void close();

  /** What became of an ingested report. */
  enum IngestOutcome {
    STORED,
    DUPLICATE
  }
}
