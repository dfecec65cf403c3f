package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What to change so that the filters of our provider are exactly the wanted ones: delete every
 * installed filter whose key is not wanted (a released destination, an application no longer
 * allowed, a leftover of an older agent), add every wanted filter not installed. Filter keys are
 * derived from the content ({@link WfpFilter#keyOf}), so equal keys mean equal filters and an
 * unchanged filter is never touched.
 *
 * @param delete keys of installed filters to delete
 * @param add filters to add
 */
public record WfpReconciliation(List<UUID> delete, List<WfpFilter> add) {
  public WfpReconciliation {
    delete = List.copyOf(requireNonNull(delete, "delete"));
    add = List.copyOf(requireNonNull(add, "add"));
  }

  /** Changes that turn {@code installed} (keys of our provider's filters) into {@code wanted}. */
  public static WfpReconciliation of(Collection<UUID> installed, List<WfpFilter> wanted) {
    requireNonNull(installed, "installed");
    requireNonNull(wanted, "wanted");
    Set<UUID> wantedKeys = new LinkedHashSet<>();
    wanted.forEach(f -> wantedKeys.add(f.key()));
    Set<UUID> have = new LinkedHashSet<>(installed);
    return new WfpReconciliation(
        have.stream().filter(k -> !wantedKeys.contains(k)).toList(),
        wanted.stream().filter(f -> !have.contains(f.key())).toList());
  }

  public boolean isEmpty() {
    return delete.isEmpty() && add.isEmpty();
  }
}
