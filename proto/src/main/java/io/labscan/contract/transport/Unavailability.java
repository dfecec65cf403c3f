package io.labscan.contract.transport;

/**
 * Why a controller answered {@code UNAVAILABLE}, told to the agent in a gRPC trailer: one
 * definition for both sides of {@code labscan.v1.AgentService}.
 *
 * <h2>The trailer</h2>
 * {@code labscan-unavailable: database} on an {@code UNAVAILABLE} answer means "this controller
 * is alive and answering, but its database cannot be reached right now" (the connection was
 * lost, the server is restarting, the writer's circuit is open). Several controllers share one
 * database, so another controller would refuse the same way: the agent keeps its controller, keeps
 * the report in its spool and retries with backoff and jitter, and does <em>not</em> fail over.
 *
 * <p>An {@code UNAVAILABLE} without this trailer keeps its old meaning: the controller itself is
 * unreachable or going away (connection refused or reset, {@code TRANSIENT_FAILURE}, a
 * controller shutting down, an old controller that does not know the trailer), and the agent
 * fails over as before. So the trailer only ever removes pointless moves; an agent that ignores it
 * (an older agent) still delivers everything, it only hops more.
 *
 * <p>The value is one lower-case word so that later reasons can be added without a new key; a
 * receiver treats a value it does not know as no trailer at all.
 *
 * <p>Only the names live here: the contract module depends on no gRPC runtime
 * ({@code ContractBoundaryTest}); each side reads and writes the trailer in its own transport
 * adapter (the agent's {@code transport.DatabaseUnavailability}, the controller's
 * {@code grpc.DatabaseUnavailability}).
 */
public final class Unavailability {
  /** The trailer's name (ASCII metadata, lower case as gRPC requires). */
  public static final String TRAILER = "labscan-unavailable";
  /** The trailer's value when the controller's database is unreachable. */
  public static final String DATABASE = "database";
  private Unavailability() {}
}
