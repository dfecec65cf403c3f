package io.labscan.controller.triage;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Collections;

/**
 * One {@code Received:} line, as the {@link ReceivedParser} read it.
 *
 * <p>Which fields can be believed depends on who wrote the line, which only the trust walk
 * ({@link OriginResolver}) can say: {@code fromHelo} is always the client's own claim,
 * {@code fromRdns} and {@code fromIp} are what the receiving MTA saw on the connection. Every
 * field but {@code fromHelo} (and {@code raw}) is read only from what the MTA wrote: its
 * connection comment and the clauses after it, never from the HELO text.
 *
 * @param raw the header value, unfolded to one line (whitespace runs collapsed)
 * @param fromHelo HELO/EHLO name the client announced (never trusted)
 * @param fromRdns reverse DNS name of the client as the receiving MTA resolved it
 * @param fromIp client IP in canonical text form (RFC 5952 for IPv6)
 * @param byHost name of the MTA that wrote the line, as it calls itself
 * @param byIp IP of the MTA that wrote the line, when it recorded one
 * @param with protocol ({@code ESMTPS}, {@code SMTP}, {@code Microsoft SMTP Server} …)
 * @param id queue id
 * @param forRecipient envelope recipient from the {@code for} clause, without angle brackets
 * @param date time stamp after the last {@code ;}
 * @param software MTA software hints ({@code Postfix}, {@code Exim 4.96} …)
 * @param flags what else the parser noticed
 */
public record ReceivedHop(
    String raw,
    Optional<String> fromHelo,
    Optional<String> fromRdns,
    Optional<String> fromIp,
    Optional<String> byHost,
    Optional<String> byIp,
    Optional<String> with,
    Optional<String> id,
    Optional<String> forRecipient,
    Optional<Instant> date,
    List<String> software,
    Set<HopFlag> flags) {

  public ReceivedHop {
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(fromHelo, "fromHelo");
    Objects.requireNonNull(fromRdns, "fromRdns");
    Objects.requireNonNull(fromIp, "fromIp");
    Objects.requireNonNull(byHost, "byHost");
    Objects.requireNonNull(byIp, "byIp");
    Objects.requireNonNull(with, "with");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(forRecipient, "forRecipient");
    Objects.requireNonNull(date, "date");
    software = List.copyOf(software);
    flags = Collections.unmodifiableSet(enumSet(flags));
  }

  /** A line nothing could be read from. */
  static ReceivedHop unparsed(String raw, Collection<HopFlag> extra) {
    EnumSet<HopFlag> flags = EnumSet.of(HopFlag.UNPARSED, HopFlag.NO_DATE);
    flags.addAll(extra);
    Optional<String> none = Optional.empty();
    return new ReceivedHop(
        raw, none, none, none, none, none, none, none, none, Optional.empty(), List.of(), flags);
  }

  /** True unless the line could not be read at all. */
  public boolean parsed() {
    return !flags.contains(HopFlag.UNPARSED);
  }

  /**
   * True for a line that records an SMTP client (a {@code from} part), i.e. a real hop to a
   * new client. Content-filter hand-offs on loopback, retrieval lines and local deliveries
   * ({@link #passOver()}) record a client, but not a new one: they are not hops.
   */
  public boolean recordsClient() {
    return parsed() && !flags.contains(HopFlag.NOT_A_HOP) && !flags.contains(HopFlag.NO_FROM_PART)
        && !passOver();
  }

  /**
   * True for a line the trust walk passes over although it has a {@code from} part: a client on
   * loopback, a retrieval or a local delivery. Such a line neither moves the boundary nor
   * becomes the origin.
   */
  public boolean passOver() {
    return flags.contains(HopFlag.LOOPBACK_CLIENT) || flags.contains(HopFlag.RETRIEVAL)
        || flags.contains(HopFlag.LOCAL_DELIVERY);
  }

  /**
   * Reverse DNS name worth comparing with trusted names: absent when the MTA doubted it ({@link
   * HopFlag#MAY_BE_FORGED}) or recorded it without a forward confirmation ({@link
   * HopFlag#RDNS_UNCONFIRMED}, qmail).
   */
  public Optional<String> verifiedRdns() {
    return flags.contains(HopFlag.MAY_BE_FORGED) || flags.contains(HopFlag.RDNS_UNCONFIRMED)
        ? Optional.empty() : fromRdns;
  }

  private static EnumSet<HopFlag> enumSet(Set<HopFlag> flags) {
    EnumSet<HopFlag> copy = EnumSet.noneOf(HopFlag.class);
    copy.addAll(Objects.requireNonNull(flags, "flags"));
    return copy;
  }
}
