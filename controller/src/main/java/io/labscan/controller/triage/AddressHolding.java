package io.labscan.controller.triage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A host's reported ownership of an IP address over a time span.
 *
 * <p>Addresses are the endpoint's own claims. Another host's claim never ends this one: two
 * hosts reporting one address at once are a <em>conflict</em> (both remain candidates, see
 * {@link AddressConflict}). A holding ends when the host reports without the address, or, when
 * the host falls silent, a grace period after its last report that still showed it ({@code
 * silentAfter} is then that report's time).
 *
 * @param hostId the host's LabScan id
 * @param hostname the host's name as last reported (untrusted text, for people)
 * @param ip the address, canonical text
 * @param since first report that showed the address on one of the host's interfaces
 * @param until first later report that no longer showed it, or its last report plus the grace
 *     period when none did (see {@code silentAfter}); empty while it holds it without limit
 * @param mac MAC address of the interface that carried it, as reported; empty when unknown
 * @param interfaceName name of that interface, as reported; empty when unknown
 * @param silentAfter present when {@code until} is inferred from silence: the last report that
 *     showed the address (the host never said it gave the address up)
 * @param leaseEnd the DHCP lease end the host's last report gave for the address, when it gave
 *     one; then {@code until} is that end, bounded to [last report, last report + {@link
 *     TriageOptions#MAX_LEASE_HOLD}]. For a holding ended by a report, present only with {@code
 *     silentSoonAfter}: it then bounds {@link #goneSilentUntil} instead
 * @param firstReported the first report that showed the address in this tenure. {@code since}
 *     may lie before it: the store back-fills a holding's start (an agent reports within minutes
 *     of start, so a host that sent mail just before its first report still counts), and that
 *     stretch is an assumption, not a report ({@link #assumedAt}). Equal to {@code since} when
 *     nothing was back-filled.
 * @param silentSoonAfter present when the holding ended by a report ({@code until}, the first
 *     report without the address) and the host fell silent soon after: its last report within the
 *     holding grace after that end, followed by no report for longer than the grace, and the
 *     instant the store was asked about lies in that silence (see {@link #reportedGoneThenSilentAt}).
 *     Empty otherwise, and always for a holding that lapsed by silence ({@code silentAfter}).
 */
public record AddressHolding(
    String hostId, String hostname, String ip, Instant since, Optional<Instant> until,
    String mac, String interfaceName, Optional<Instant> silentAfter, Optional<Instant> leaseEnd,
    Instant firstReported, Optional<Instant> silentSoonAfter) {

  public AddressHolding {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(interfaceName, "interfaceName");
    Objects.requireNonNull(silentAfter, "silentAfter");
    Objects.requireNonNull(leaseEnd, "leaseEnd");
    Objects.requireNonNull(firstReported, "firstReported");
    Objects.requireNonNull(silentSoonAfter, "silentSoonAfter");
  }

  /** A holding that was not reported gone just before its host fell silent. */
  public AddressHolding(String hostId, String hostname, String ip, Instant since, Optional<Instant> until,
      String mac, String interfaceName, Optional<Instant> silentAfter, Optional<Instant> leaseEnd,
      Instant firstReported) {
    this(hostId, hostname, ip, since, until, mac, interfaceName, silentAfter, leaseEnd, firstReported,
        Optional.empty());
  }

  /** A holding whose start is its first report (nothing back-filled). */
  public AddressHolding(String hostId, String hostname, String ip, Instant since, Optional<Instant> until,
      String mac, String interfaceName, Optional<Instant> silentAfter, Optional<Instant> leaseEnd) {
    this(hostId, hostname, ip, since, until, mac, interfaceName, silentAfter, leaseEnd, since);
  }

  /** A holding without a reported lease end. */
  public AddressHolding(String hostId, String hostname, String ip, Instant since, Optional<Instant> until,
      String mac, String interfaceName, Optional<Instant> silentAfter) {
    this(hostId, hostname, ip, since, until, mac, interfaceName, silentAfter, Optional.empty());
  }

  /**
   * When a host that fell silent stops holding an address it never reported gone: its DHCP
   * lease end when it reported one — a reported lease end wins over the grace period — but never
   * before its last report (it still had the address then) and never more than {@code maxHold}
   * after it (a lease end is the agent's claim); else its last report plus {@code grace}.
   */
  public static Instant silentUntil(Instant lastReport, Optional<Instant> leaseEnd, java.time.Duration grace,
      java.time.Duration maxHold) {
    Objects.requireNonNull(lastReport, "lastReport");
    if (leaseEnd.isEmpty()) {
      return lastReport.plus(grace);
    }
    Instant earliest = lastReport.plusMillis(1);
    Instant latest = lastReport.plus(maxHold);
    Instant end = leaseEnd.get();
    return end.isBefore(earliest) ? earliest : end.isAfter(latest) ? latest : end;
  }

  /** A holding ended by a report (or still open), interface unknown. */
  public AddressHolding(String hostId, String hostname, String ip, Instant since, Optional<Instant> until) {
    this(hostId, hostname, ip, since, until, "", "", Optional.empty());
  }

  /** True when the host held the address at that instant ({@code since <= at < until}). */
  public boolean covers(Instant at) {
    return !since.isAfter(at) && until.map(at::isBefore).orElse(true);
  }

  /**
   * True when the holding covers {@code at} only through its back-filled start: {@code at} lies
   * before the first report that showed the address. No report says the host had the address
   * then (DHCP may have given it to a device without an agent that morning), so such a holding
   * may rank a candidate, more weakly, but never alone supports a recorded answer (issue 15,
   * red-team round 4, F5).
   *
   * <p>A mail up to {@link #FIRST_REPORT_SKEW} before the first report counts as reported: the
   * MTA's clock and the agent's differ by seconds to a minute, {@code Received:} dates carry whole
   * seconds, and an agent's first report of a freshly booted host follows its DHCP lease by a
   * minute or so — while a DHCP server hands a released address to another device only after
   * much longer (the round-4 case was five hours).
   */
  public boolean assumedAt(Instant at) {
    return covers(at) && at.isBefore(firstReported.minus(FIRST_REPORT_SKEW));
  }

  /** How far before a host's first report of an address a mail still counts as reported ({@link #assumedAt}). */
  public static final java.time.Duration FIRST_REPORT_SKEW = java.time.Duration.ofMinutes(2);

  /**
   * True when the host held the address before {@code at}, then fell silent without ever
   * reporting it gone, and its grace period ran out by {@code at}: still a candidate, a weaker one.
   */
  public boolean silentAt(Instant at) {
    return silentAfter.isPresent() && !since.isAfter(at) && until.map(u -> !at.isBefore(u)).orElse(false);
  }

  /**
   * True when the host reported the address gone (the holding ended by a report at {@code
   * until}), fell silent soon after ({@link #silentSoonAfter}) and {@code at} lies in that
   * silence, at or after its last report: the change report may have been false, or the address
   * came back, and nothing the host said since tells (issue 15, red-team round 6, R10). Triage
   * makes such a host a weak candidate, never recorded on its own, when no other host held the
   * address from the end to {@code at}, and only before {@link #goneSilentUntil}.
   */
  public boolean reportedGoneThenSilentAt(Instant at) {
    return silentAfter.isEmpty() && until.isPresent() && !at.isBefore(until.get())
        && silentSoonAfter.map(s -> !at.isBefore(s)).orElse(false);
  }

  /**
   * Until when a host that reported the address gone, then fell silent ({@link
   * #reportedGoneThenSilentAt}), may still have used it: its last report plus {@code grace}, or
   * the DHCP lease end it reported for the address (bounded as in {@link #silentUntil}). Its own
   * report said the address was gone, so after that the address is free and DHCP hands it to the
   * next device, very often one without an agent (a phone, a printer, a visitor's PC): mail from
   * the address then is no evidence against the host (issue 15, red-team round 8, T7; it used to
   * stay a candidate for 7 days). Empty when the holding did not end that way.
   */
  public Optional<Instant> goneSilentUntil(java.time.Duration grace) {
    return silentAfter.isPresent() ? Optional.empty()
        : silentSoonAfter.map(last -> silentUntil(last, leaseEnd, grace, TriageOptions.MAX_LEASE_HOLD));
  }
}
