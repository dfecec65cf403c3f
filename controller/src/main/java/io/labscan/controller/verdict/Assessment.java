package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A verdict and every reason behind it (the deciding reasons first). */
public record Assessment(Verdict verdict, List<Reason> reasons) {
  public Assessment {
    requireNonNull(verdict, "verdict");
    reasons = List.copyOf(reasons);
  }
}
