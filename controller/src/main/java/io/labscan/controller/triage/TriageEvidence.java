package io.labscan.controller.triage;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What triage asks of the controller's evidence store. Implementations answer from stored
 * agent reports; they must not throw for unknown ids or addresses (answer empty instead).
 */
public interface TriageEvidence {

  /**
   * Hosts whose reports place {@code ip} (canonical text) on one of their interfaces around
   * {@code at}. Returning holdings that do not cover {@code at} is harmless: triage only
   * counts a holding that covers the instant, so an earlier holder is never blamed.
   */
  List<AddressHolding> holdersOf(String ip, Instant at);

  /**
   * Every address the host's reports placed on one of its interfaces around {@code at} (its
   * holdings of them, with the interface each was on), so that a holding on a virtual adapter can
   * be told from the host's LAN address ({@link VirtualHolding}). Default: nothing known (then a
   * virtual adapter's holding is taken as virtual, the safe direction).
   */
  default List<AddressHolding> addressesOf(String hostId, Instant at) {
    return List.of();
  }

  /**
   * The hosts whose egress windows overlapping [from, to] reached {@code ip} (canonical text) on
   * one of {@code ports}, allowed or not, at most {@code limit} of them; the store filters by
   * destination before any row limit, so other hosts' windows cannot push a match out. Default:
   * none known (then nothing speaks for the address being an MTA's, the safe direction).
   */
  default Set<String> hostsConnectedTo(String ip, Set<Integer> ports, Instant from, Instant to, int limit) {
    return Set.of();
  }

  /**
   * Whether a recorded complaint trace names {@code ip} (canonical text) among the addresses of
   * the MTA that recorded its origin ({@code recording_mta}, V031) with an origin time before
   * {@code before}: a trusted line written earlier showed an MTA of ours at that address. Default:
   * not known.
   */
  default boolean recordedAsMtaBefore(String ip, Instant before) {
    return false;
  }

  /** Egress windows of these hosts overlapping [from, to]. */
  List<EgressHit> egressNear(Collection<String> hostIds, Instant from, Instant to);

  /**
   * Egress windows that policy did not allow, of every host, overlapping [from, to] (for NAT
   * and outside-MX origins: allowed senders are not suspects there).
   */
  List<EgressHit> unallowedEgressBetween(Instant from, Instant to);

  /**
   * For each host whose latest harvest holds at least one of the digests: how many of them
   * (each digest counted once). Hosts with no match are left out.
   */
  Map<String, Integer> harvestMatches(Collection<byte[]> digests);

  /** The host of the person who owns this e-mail address (normalized, lower case), if known. */
  Optional<HostState> hostOwningAddress(String emailAddress);

  /**
   * Every host of the person who owns this address (a desktop and a laptop), newest mapping
   * first, at most {@link Triage#MAX_OWNERS}; the default is {@link #hostOwningAddress}'s one.
   */
  default List<HostState> hostsOwningAddress(String emailAddress) {
    return hostOwningAddress(emailAddress).stream().toList();
  }

  /** {@link #ownerSource}: an administrator mapped the address to the host ({@code owner} command). */
  String OWNER_ADMIN = "admin";
  /** {@link #ownerSource}: the one host whose newest inventory reports the address's local part logged in. */
  String OWNER_LOGINS = "logins";

  /**
   * How {@link #hostOwningAddress} found the address's machine: {@link #OWNER_ADMIN} or {@link
   * #OWNER_LOGINS}; empty when it found none. Only an administrator's mapping makes the machine
   * "its owner's machine" in the answer; a login is an agent's claim, and a shared PC reports many
   * (issue 15, red-team round 7, S13). Default: an administrator's, for an evidence source that
   * knows no logins.
   */
  default Optional<String> ownerSource(String emailAddress) {
    return hostOwningAddress(emailAddress).map(h -> OWNER_ADMIN);
  }

  /**
   * The hosts whose mailbox may hold this address because its person uses them, for the
   * receipt-side discounts of the address book only (a recipient's machine received the message;
   * a mailbox holds its owner's address): the administrator's mappings, else every host whose
   * newest inventory reports the address's local part logged in, however many there are (issue
   * 15, red-team round 7, S10b: a second host reporting the recipient's login, a shared PC or a
   * worm's agent, must not switch the discount off for the recipient's own machine). A host's
   * claim changes only its own standing here, and never its network evidence. Default: the
   * {@link #hostsOwningAddress} hosts.
   */
  default List<String> receivingHostIds(String emailAddress) {
    return hostsOwningAddress(emailAddress).stream().map(HostState::hostId).toList();
  }

  /** A host by id, for names and state of candidates found through the address book. */
  Optional<HostState> host(String hostId);

  /**
   * Ids of the hosts an operator gave a role that relays or sends mail (the {@code mail-server}
   * role): a trusted hop, never a candidate.
   */
  default Set<String> mailServerIds() {
    Set<String> ids = new java.util.HashSet<>();
    mailServers().forEach(m -> ids.add(m.hostId()));
    return Set.copyOf(ids);
  }

  /**
   * The hosts with the mail-server role, for the trust walk's learned trust (docs/triage.md,
   * "Learned trust"). Default: none (an evidence source that knows no roles).
   */
  default List<MailServerHost> mailServers() {
    return List.of();
  }

  /**
   * The {@link io.labscan.controller.text.HostnameKey} keys that more than one host's name has
   * (duplicates and look-alikes, a fleet-level fact loaded once per answer): such a name is shown
   * with its host id (issue 15, D). Default: none.
   */
  default Set<String> sharedHostnameKeys() {
    return Set.of();
  }

  /**
   * The names the host reported, oldest first ({@link io.labscan.controller.text.NameHistory}):
   * the answer names a candidate by its name at the mail's time (issue 15, D, red-team R9).
   * Default: no history (the candidate is named as last reported).
   */
  default io.labscan.controller.text.NameHistory nameHistory(String hostId) {
    return new io.labscan.controller.text.NameHistory(List.of());
  }

  /**
   * The MTAs administrators named on the Settings page (entries as for {@code --trust}).
   * Default: none.
   */
  default List<String> configuredTrust() {
    return List.of();
  }
}
