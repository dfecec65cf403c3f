package io.labscan.agent.checks;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.ScanKind;

/** What a scan is asked to do: its kind and what triggered it. */
public record ScanPlan(ScanKind kind, String trigger) {
  public ScanPlan {
    requireNonNull(kind, "kind");
    requireNonNull(trigger, "trigger");
  }

  public static ScanPlan full(String trigger) {
    return new ScanPlan(ScanKind.SCAN_KIND_FULL, trigger);
  }

  public boolean isFull() {
    return kind == ScanKind.SCAN_KIND_FULL;
  }
}
