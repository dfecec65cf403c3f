package io.labscan.contract.policy;

import java.time.Duration;
import java.util.List;

/**
 * The checks a policy may give a time budget ({@code check_budget_seconds}, keyed by check
 * name) and the ceiling on any budget. Both sides need them: the controller's
 * {@code policy set --check-budget} refuses an unknown name or a budget out of range, and the
 * agent's scanner caps whatever a policy says.
 */
public final class CheckBudgets {
  /** The names of the checks a standard scan runs, in order. */
  public static final List<String> CHECK_NAMES = List.of("inventory", "av", "artifacts", "mail", "harvest");
  /** No budget from a policy is taken above this (a typo must not switch the deadline off). */
  public static final Duration MAX_BUDGET = Duration.ofDays(1);

  private CheckBudgets() {}
}
