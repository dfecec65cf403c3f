package io.labscan.agent.checks.av;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.AvStatus;
import java.util.List;

/**
 * What one provider found.
 *
 * @param statuses one status per product the provider recognised; empty when it found none
 * @param problems sources the provider could not consult although they might have shown a
 *     product (e.g. "WMI root\SecurityCenter2 failed: access denied"); they end up in the
 *     reason of the MISSING status so that "no antivirus" is never claimed silently
 */
public record AvDetection(List<AvStatus> statuses, List<String> problems) {
  public AvDetection {
    statuses = List.copyOf(requireNonNull(statuses, "statuses"));
    problems = List.copyOf(requireNonNull(problems, "problems"));
  }

  public static AvDetection none() {
    return new AvDetection(List.of(), List.of());
  }

  public static AvDetection of(AvStatus status) {
    return new AvDetection(List.of(status), List.of());
  }

  public static AvDetection of(List<AvStatus> statuses) {
    return new AvDetection(statuses, List.of());
  }

  public static AvDetection problem(String problem) {
    return new AvDetection(List.of(), List.of(problem));
  }
}
