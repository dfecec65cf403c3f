package io.labscan.controller.triage;

import java.util.Objects;
import java.util.Set;

/**
 * Why an origin an MTA of ours recorded is still not evidence, in a form the answer's headline
 * and the ranking use (issue 15, red-team round 6): the origin stays shown, never recorded.
 *
 * @param headline one sentence for the answer's headline, in place of "the sender is …"
 * @param claimants lab hosts whose holding contradicts the walk's trust in a line (an exact
 *     {@code --trust} entry's address held by a lab host on an ordinary NIC, N0d): each is either
 *     the liar or the sender, so it is a candidate, never the "trusted hop" the walk stepped through
 * @param capAll whether every candidate of the complaint is capped below recording ({@link
 *     Triage#UNRESOLVED_CARRIER_CAP}): true when configuration and the fleet disagree about the
 *     trusted line itself; false when only the origin's holders are in doubt (N0c: the ranking caps
 *     those, {@link VirtualHolding})
 */
public record TrustDoubt(String headline, Set<String> claimants, boolean capAll) {
  public TrustDoubt {
    Objects.requireNonNull(headline, "headline");
    claimants = Set.copyOf(claimants);
  }
}
