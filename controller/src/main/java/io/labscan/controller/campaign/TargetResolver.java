package io.labscan.controller.campaign;

import java.util.List;
import java.util.Optional;

/** Which hosts a campaign covers: every host in a lab, or every host. */
@FunctionalInterface
public interface TargetResolver {
  List<String> hostIds(Optional<String> lab);
}
