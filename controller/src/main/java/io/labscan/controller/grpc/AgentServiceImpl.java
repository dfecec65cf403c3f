package io.labscan.controller.grpc;

import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.text.LogText;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.labscan.controller.ingest.InvalidReportException;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.ingest.ReportValidator;
import io.labscan.controller.store.Store;
import io.labscan.controller.store.StoreException;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.CommandStreamRequest;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.EnrollResponse;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.ReportRequest;
import io.labscan.proto.v1.RenewCertificateRequest;
import io.labscan.proto.v1.RenewCertificateResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of {@code labscan.v1.AgentService}. Reports are validated, then
 * handed to the store; the acknowledgement is sent only once the store has committed.
 */
public final class AgentServiceImpl extends AgentServiceGrpc.AgentServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(AgentServiceImpl.class);

  private final Store store;
  private final ReportIngestor ingestor;
  private final PolicyProvider policies;
  private final CommandHub commands;
  private final Clock clock;
  private final RateLimiter reportLimiter;
  private final Optional<CertificateRenewer> renewer;
  private final DailyQuota quota;
  private final Optional<io.labscan.controller.selfwatch.AgentResourceRepository> resources;

  public AgentServiceImpl(Store store, ReportIngestor ingestor, PolicyProvider policies, CommandHub commands,
      Clock clock) {
    this(store, ingestor, policies, commands, clock, new RateLimiter(RateLimiter.Rate.reportDefault()));
  }

  /** @param reportLimiter per-agent limit on Report calls (keyed by the authenticated host id) */
  public AgentServiceImpl(Store store, ReportIngestor ingestor, PolicyProvider policies, CommandHub commands,
      Clock clock, RateLimiter reportLimiter) {
    this(store, ingestor, policies, commands, clock, reportLimiter, Optional.empty());
  }

  /** @param renewer issues renewed agent certificates; empty on a plaintext controller */
  public AgentServiceImpl(Store store, ReportIngestor ingestor, PolicyProvider policies, CommandHub commands,
      Clock clock, RateLimiter reportLimiter, Optional<CertificateRenewer> renewer) {
    this(store, ingestor, policies, commands, clock, reportLimiter, renewer, DailyQuota.unlimited(clock));
  }

  /** @param quota report bytes one host may store per day (beyond it: RESOURCE_EXHAUSTED, retry later) */
  public AgentServiceImpl(Store store, ReportIngestor ingestor, PolicyProvider policies, CommandHub commands,
      Clock clock, RateLimiter reportLimiter, Optional<CertificateRenewer> renewer, DailyQuota quota) {
    this.quota = requireNonNull(quota, "quota");
    this.renewer = requireNonNull(renewer, "renewer");
    this.store = requireNonNull(store, "store");
    this.ingestor = requireNonNull(ingestor, "ingestor");
    this.policies = requireNonNull(policies, "policies");
    this.commands = requireNonNull(commands, "commands");
    this.clock = requireNonNull(clock, "clock");
    this.reportLimiter = requireNonNull(reportLimiter, "reportLimiter");
    // The agents' own resource figures (heartbeat field 80) go to the SQLite store's table; a
    // store without it (a test double) keeps none.
    this.resources = store instanceof io.labscan.controller.store.Storage s
        ? Optional.of(new io.labscan.controller.selfwatch.AgentResourceRepository(s)) : Optional.empty();
  }

  /**
   * On the mTLS port every call is bound to the host its certificate names: speaking for
   * another host is refused (and logged with both ids). Empty when the call may go on.
   */
  private static Optional<RuntimeException> speaksForAnother(String rpc, String claimedHostId) {
    Optional<String> authenticated = AgentIdentity.current();
    if (authenticated.isEmpty() || authenticated.get().equals(claimedHostId)) {
      return java.util.Optional.empty();
    }
    log.warn("PERMISSION_DENIED: host {} (by its certificate) sent {} for host {}.", authenticated.get(), rpc,
        printable(claimedHostId));
    return java.util.Optional.of(Status.PERMISSION_DENIED
        .withDescription("this certificate belongs to host " + authenticated.get() + ", not to host "
            + printable(claimedHostId))
        .asRuntimeException());
  }

  @Override
  public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
    String hostId = request.getHostId();
    if (!isUuid(hostId)) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("host_id: not a lower-case UUID").asRuntimeException());
      return;
    }
    var denied = speaksForAnother("Enroll", hostId);
    if (denied.isPresent()) {
      response.onError(denied.get());
      return;
    }
    if (request.getHostname().isBlank() || request.getHostname().length() > ReportValidator.MAX_STRING) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("hostname: missing or longer than " + ReportValidator.MAX_STRING + " characters")
          .asRuntimeException());
      return;
    }
    var badName = ReportValidator.hostnameProblem(request.getHostname());
    if (badName.isPresent()) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("hostname: " + badName.get()).asRuntimeException());
      return;
    }
    store.enroll(hostId, request.getHostname(), clock.instant()).whenComplete((ok, failure) -> {
      if (failure != null) {
        response.onError(storeFailure(failure));
        return;
      }
      response.onNext(EnrollResponse.newBuilder()
          .setHostId(hostId)
          .setPolicy(policies.policyFor(hostId))
          .build());
      response.onCompleted();
    });
  }

  @Override
  public void renewCertificate(RenewCertificateRequest request, StreamObserver<RenewCertificateResponse> response) {
    String hostId = request.getHostId();
    if (!isUuid(hostId)) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("host_id: not a lower-case UUID").asRuntimeException());
      return;
    }
    var denied = speaksForAnother("RenewCertificate", hostId);
    if (denied.isPresent()) {
      response.onError(denied.get());
      return;
    }
    var presented = AgentIdentity.certificate();
    if (presented.isEmpty() || renewer.isEmpty()) {
      response.onError(Status.FAILED_PRECONDITION
          .withDescription("this controller runs without TLS: there is no agent certificate to renew")
          .asRuntimeException());
      return;
    }
    renewer.get().renew(hostId, presented.get(), request.getCsrDer().toByteArray(), response);
  }

  @Override
  public void report(ReportRequest request, StreamObserver<ReportAck> response) {
    Report report = request.getReport();
    String claimed = report.getInventory().getHostId();
    var denied = speaksForAnother("Report " + printable(report.getReportId()), claimed);
    if (denied.isPresent()) {
      response.onError(denied.get());
      return;
    }
    String agent = AgentIdentity.current().orElse(claimed);
    if (!reportLimiter.tryAcquire(agent)) {
      log.warn("Report {} from host {} refused: over the rate limit of {}.", printable(report.getReportId()),
          printable(agent), reportLimiter.rate());
      response.onError(Status.RESOURCE_EXHAUSTED
          .withDescription("report rate limit (" + reportLimiter.rate() + ") exceeded; retry later")
          .asRuntimeException());
      return;
    }
    long bytes = report.getSerializedSize();
    boolean charged;
    try {
      // The first report of a host today reads what it already stored (on this controller's
      // first contact with the host: after an agent failed over here, too), so the store's
      // trouble reaches this call: UNAVAILABLE (keep the report, retry), not UNKNOWN.
      charged = quota.tryCharge(agent, bytes);
    } catch (StoreException e) {
      response.onError(storeFailure(e));
      return;
    }
    if (!charged) {
      log.warn("Report {} from host {} refused: over the daily storage quota of {}.",
          printable(report.getReportId()), printable(agent), quota);
      response.onError(Status.RESOURCE_EXHAUSTED
          .withDescription("daily storage quota of " + quota.bytesPerDay() + " bytes for this host used up; "
              + "keep the report and retry later (the quota renews at midnight UTC)")
          .asRuntimeException());
      return;
    }
    java.util.concurrent.CompletableFuture<Store.IngestOutcome> stored;
    try {
      stored = ingestor.ingest(report, "grpc");
    } catch (InvalidReportException e) {
      quota.refund(agent, bytes);
      log.warn("Refused report {} from host {}: {}", printable(report.getReportId()),
          printable(report.getInventory().getHostId()), LogText.of(e.getMessage()));
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (StoreException e) {
      quota.refund(agent, bytes);
      response.onError(storeFailure(e));
      return;
    }
    stored.whenComplete((outcome, failure) -> {
      if (failure != null || outcome == Store.IngestOutcome.DUPLICATE) {
        quota.refund(agent, bytes);
      }
      if (failure != null) {
        response.onError(storeFailure(failure));
        return;
      }
      response.onNext(ReportAck.newBuilder()
          .setReportId(report.getReportId())
          .setDuplicate(outcome == Store.IngestOutcome.DUPLICATE)
          .build());
      response.onCompleted();
    });
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
    String hostId = request.getHostId();
    if (!isUuid(hostId)) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("host_id: not a lower-case UUID").asRuntimeException());
      return;
    }
    var denied = speaksForAnother("Heartbeat", hostId);
    if (denied.isPresent()) {
      response.onError(denied.get());
      return;
    }
    // The agent's clock is a claim (kept to flag skew), never the time the host was seen.
    var seen = request.hasSent() && Timestamps.isValid(request.getSent())
        ? store.touch(hostId, clock.instant(), Instant.ofEpochSecond(request.getSent().getSeconds(), request.getSent().getNanos()))
        : store.touch(hostId, clock.instant());
    seen.whenComplete((known, failure) -> {
      if (failure != null) {
        response.onError(storeFailure(failure));
      } else if (!known) {
        response.onError(Status.NOT_FOUND
            .withDescription("host " + hostId + " is not enrolled; call Enroll first").asRuntimeException());
      } else {
        Policy policy = policies.policyFor(hostId);
        HeartbeatResponse.Builder reply = HeartbeatResponse.newBuilder()
            .setServerTime(Timestamps.fromMillis(clock.millis()))
            .setPolicyVersion(policy.getVersion());
        if (request.getPolicyVersion() < policy.getVersion()) {
          reply.setPolicy(policy);
        }
        if (request.hasResources()) {
          reply.setResourcesRefused(recordResources(hostId, request));
        }
        response.onNext(reply.build());
        response.onCompleted();
      }
    });
  }

  /**
   * Checks and stores the agent's own resource figures (not waited for: the heartbeat's answer
   * does not depend on them); returns the reason they were refused, or "".
   */
  private String recordResources(String hostId, HeartbeatRequest request) {
    Instant now = clock.instant();
    var checked = io.labscan.controller.selfwatch.ResourceFigures.check(request.getResources(), now);
    resources.ifPresent(repo -> {
      var saved = checked.accepted().isPresent() ? repo.save(hostId, checked.accepted().get())
          : repo.refuse(hostId, checked.refused(), now);
      saved.whenComplete((ok, failure) -> {
        if (failure != null) {
          log.warn("Resource figures of host {} not stored: {}", hostId, failure.toString());
        }
      });
    });
    if (!checked.refused().isEmpty()) {
      log.warn("Resource figures of host {} refused: {}", hostId, LogText.of(checked.refused()));
    }
    return checked.refused();
  }

  @Override
  public void commands(CommandStreamRequest request, StreamObserver<Command> response) {
    String hostId = request.getHostId();
    if (!isUuid(hostId)) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("host_id: not a lower-case UUID").asRuntimeException());
      return;
    }
    var denied = speaksForAnother("Commands", hostId);
    if (denied.isPresent()) {
      response.onError(denied.get());
      return;
    }
    commands.register(hostId, (ServerCallStreamObserver<Command>) response);
  }

  /**
   * Store trouble is transient from the agent's point of view: it keeps the report and retries.
   * When the database itself cannot be reached ({@link StoreException#databaseUnreachable()}: the
   * write queue's circuit is open, the connection was lost) the answer carries the trailer
   * {@code labscan-unavailable: database} ({@link DatabaseUnavailability}): every controller shares that
   * database, so the agent keeps this controller and retries instead of failing over. Any other
   * store failure (a full queue, a refused write) is a plain UNAVAILABLE, as before.
   */
  static RuntimeException storeFailure(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    String message = cause instanceof StoreException ? cause.getMessage() : "internal store error";
    String description = "controller cannot store right now: " + message;
    if (cause instanceof StoreException se && se.databaseUnreachable()) {
      // Logged once per outage by the write queue; one line per refused call would flood the log.
      log.debug("Refused (database unreachable): {}", cause.getMessage());
      return DatabaseUnavailability.databaseUnavailable(description);
    }
    log.error("Store failure: {}", cause.getMessage());
    return Status.UNAVAILABLE.withDescription(description).asRuntimeException();
  }

  private static boolean isUuid(String s) {
    try {
      return s.length() == 36 && UUID.fromString(s).toString().equals(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String printable(String s) {
    return LogText.of(s, 64);
  }
}
