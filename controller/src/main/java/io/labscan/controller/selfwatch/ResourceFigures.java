package io.labscan.controller.selfwatch;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.AgentResources;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Checks the resource figures of a heartbeat (proto {@code AgentResources}) before they are
 * stored: they come from the endpoint, and a compromised or broken agent may send anything.
 *
 * <p><b>Refused</b> (with the reason, returned to the agent in {@code resources_refused}, kept on
 * the host): a negative size, CPU share or count, a CPU share that is not a finite number. These
 * are no measurement at all; storing them would only let one host poison a lab's median.
 * <b>Clamped</b>: numbers that are finite and not negative but beyond anything real (a resident
 * size over 1 TiB, more than {@value #MAX_CPU_PERCENT} % of one core, more than
 * {@value #MAX_THREADS} threads...) are brought to the bound, so one absurd host shows as the
 * fleet's maximum, bounded, and the heartbeat still counts. Dates outside the protobuf range are
 * dropped. The work is constant per heartbeat: a fixed number of fields.
 */
public final class ResourceFigures {
  public static final long MAX_BYTES = 1L << 40;
  /** 1024 cores at 100 %. */
  public static final double MAX_CPU_PERCENT = 102_400;
  public static final int MAX_THREADS = 1_000_000;
  /** Ten days of minutes. */
  public static final int MAX_MINUTES = 14_400;
  public static final int MAX_RESTARTS = 1_000;

  private ResourceFigures() {}

  /** Accepted (clamped) figures, or the reason they were refused. */
  public record Checked(Optional<HostResources> accepted, String refused) {}

  /** Checks {@code r}, received at {@code received}. */
  public static Checked check(AgentResources r, Instant received) {
    requireNonNull(r, "r");
    requireNonNull(received, "received");
    String why = refusal(r);
    if (!why.isEmpty()) {
      return new Checked(Optional.empty(), why);
    }
    return new Checked(Optional.of(new HostResources(
        Math.min(r.getRssBytes(), MAX_BYTES),
        r.hasRssAnonBytes() ? OptionalLong.of(Math.min(r.getRssAnonBytes(), MAX_BYTES)) : OptionalLong.empty(),
        r.hasRssFileBytes() ? OptionalLong.of(Math.min(r.getRssFileBytes(), MAX_BYTES)) : OptionalLong.empty(),
        Math.min(r.getCpuPercent(), MAX_CPU_PERCENT),
        Math.min(r.getCpuPercentWindow(), MAX_CPU_PERCENT),
        Math.min(r.getThreads(), MAX_THREADS),
        state(r),
        Math.min(r.getMemoryOverMinutes(), MAX_MINUTES),
        Math.min(r.getMemoryRestarts(), MAX_RESTARTS),
        r.hasRestartedForMemory() ? time(r.getRestartedForMemory()) : Optional.empty(),
        Math.min(r.getMemoryBudgetBytes(), MAX_BYTES),
        Math.min(r.getCpuBudgetPercent(), MAX_CPU_PERCENT),
        r.hasMeasured() ? time(r.getMeasured()) : Optional.empty(),
        received)), "");
  }

  private static String refusal(AgentResources r) {
    if (r.getRssBytes() < 0) {
      return "resources.rss_bytes is negative (" + r.getRssBytes() + ")";
    }
    if (r.hasRssAnonBytes() && r.getRssAnonBytes() < 0) {
      return "resources.rss_anon_bytes is negative (" + r.getRssAnonBytes() + ")";
    }
    if (r.hasRssFileBytes() && r.getRssFileBytes() < 0) {
      return "resources.rss_file_bytes is negative (" + r.getRssFileBytes() + ")";
    }
    String cpu = share("resources.cpu_percent", r.getCpuPercent());
    if (!cpu.isEmpty()) {
      return cpu;
    }
    String window = share("resources.cpu_percent_window", r.getCpuPercentWindow());
    if (!window.isEmpty()) {
      return window;
    }
    String budget = share("resources.cpu_budget_percent", r.getCpuBudgetPercent());
    if (!budget.isEmpty()) {
      return budget;
    }
    if (r.getThreads() < 0) {
      return "resources.threads is negative (" + r.getThreads() + ")";
    }
    if (r.getMemoryOverMinutes() < 0 || r.getMemoryRestarts() < 0 || r.getMemoryBudgetBytes() < 0) {
      return "resources: a negative count (memory_over_minutes, memory_restarts or memory_budget_bytes)";
    }
    return "";
  }

  private static String share(String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return field + " is not a finite number (" + v + ")";
    }
    return v < 0 ? field + " is negative (" + v + ")" : "";
  }

  /** The enum's name without its prefix; an unknown number (a newer agent) as UNSPECIFIED. */
  private static String state(AgentResources r) {
    return switch (r.getBudgetState()) {
      case AGENT_BUDGET_STATE_WITHIN -> "WITHIN";
      case AGENT_BUDGET_STATE_OVER_MEMORY -> "OVER_MEMORY";
      case AGENT_BUDGET_STATE_CPU_SLOWED -> "CPU_SLOWED";
      case AGENT_BUDGET_STATE_OVER_MEMORY_CPU_SLOWED -> "OVER_MEMORY_CPU_SLOWED";
      default -> "UNSPECIFIED";
    };
  }

  private static Optional<Instant> time(Timestamp t) {
    return Timestamps.isValid(t) ? Optional.of(Instant.ofEpochSecond(t.getSeconds(), t.getNanos())) : Optional.empty();
  }
}
