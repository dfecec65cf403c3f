package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.store.Storage;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Subscriptions to scheduled reports, and which periods are due.
 *
 * <p><b>Who.</b> Lab managers subscribe to their own labs' reports; admins to any lab's or to
 * every lab's (lab empty). Viewers and API tokens do not subscribe (a token has no mailbox and
 * no person behind it to unsubscribe). Each user may hold {@link #MAX_PER_USER} subscriptions.
 * Reports go to an address only once its owner confirmed it ({@link ReportConfirmations}).
 * The report is made with the subscriber's scope <em>when it is sent</em>, so a lab manager who
 * loses a lab stops receiving it at once.
 *
 * <p><b>When.</b> {@link #due} is every completed period (ISO week or calendar month, UTC) that
 * ended after the subscription was made and was not sent yet, among the last
 * {@link #CATCH_UP} periods: a controller that was down over a period end sends it when it comes
 * back (nothing is skipped), one that was down for months does not flood the mailbox with old
 * reports, and a period recorded as sent is never sent again (nothing is sent twice).
 */
public final class ReportSubscriptions {
  /** Subscriptions one user may hold. */
  public static final int MAX_PER_USER = 20;
  /** Completed periods looked back on when deciding what is due. */
  public static final int CATCH_UP = 3;
  private static final int MAX_EMAIL = 254;

  /** A subscription request refused; the message names the field. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean forbidden;

    Refused(String message, boolean forbidden) {
      super(message, null, false, false);
      this.forbidden = forbidden;
    }

    /** True when the caller may not do this at all (403), false for a bad value (400). */
    public boolean forbidden() {
      return forbidden;
    }
  }

  private final SubscriptionRepository repository;
  private final RecipientRepository recipients;
  private final ReportConfirmations confirmations;
  private final Clock clock;

  public ReportSubscriptions(Storage store, Clock clock) {
    this(store, clock, VerifiedEmails.NONE);
  }

  /** With {@code verified}: a user's own verified account address needs no confirmation mail. */
  public ReportSubscriptions(Storage store, Clock clock, VerifiedEmails verified) {
    this.repository = new SubscriptionRepository(requireNonNull(store, "store"));
    this.recipients = new RecipientRepository(store);
    this.clock = requireNonNull(clock, "clock");
    this.confirmations = new ReportConfirmations(recipients, repository, requireNonNull(verified, "verified"), clock);
  }

  /** The confirmation of report addresses (see {@link ReportConfirmations}). */
  public ReportConfirmations confirmations() {
    return confirmations;
  }

  /** The clock's time (the API shows confirmation states as of now). */
  public Instant now() {
    return clock.instant();
  }

  /**
   * Subscribes {@code email} to {@code cadence} reports of {@code lab} (empty: every lab).
   *
   * @throws Refused naming the field, or forbidden for viewers, tokens, another lab or all labs
   */
  public Subscription subscribe(Principal who, Optional<String> lab, Cadence cadence, String email) {
    requireNonNull(who, "who");
    requireNonNull(lab, "lab");
    requireNonNull(cadence, "cadence");
    requireNonNull(email, "email");
    if (who.isToken()) {
      throw new Refused("API tokens cannot subscribe to reports; log in as the person who reads them", true);
    }
    if (!who.role().covers(Role.LAB_MANAGER)) {
      throw new Refused("subscribing to reports needs the lab-manager or admin role", true);
    }
    if (lab.isEmpty() && who.role() != Role.ADMIN) {
      throw new Refused("lab: only admins subscribe to the report of every lab; name one of your labs", true);
    }
    if (lab.isPresent() && (lab.get().isBlank() || lab.get().length() > 200)) {
      throw new Refused("lab: must be a lab name (1-200 characters)", false);
    }
    if (lab.isPresent() && !who.sees(lab.get())) {
      throw new Refused("lab: '" + ComplianceReports.shown(lab.get()) + "' is not one of your labs", true);
    }
    String address = address(email);
    if (repository.of(who.name()).size() >= MAX_PER_USER) {
      throw new Refused("you hold " + MAX_PER_USER + " subscriptions already; remove one first", false);
    }
    ReportConfirmations.Plan plan = confirmations.plan(who.name(), address);
    Subscription s = new Subscription(UUID.randomUUID().toString(), who.name(), address, lab, cadence,
        clock.instant(), "", Optional.empty());
    if (!repository.insert(s)) {
      throw new Refused("email: " + address + " is subscribed to this report already", false);
    }
    confirmations.apply(plan, who.name(), address);
    return s;
  }

  /** A single plain address ({@code name@example.org}), checked strictly; the message names the field. */
  static String address(String email) {
    String e = email.strip();
    if (e.isEmpty() || e.length() > MAX_EMAIL || !e.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new Refused("email: must be one address like name@example.org (printable ASCII, at most "
          + MAX_EMAIL + " characters)", false);
    }
    try {
      InternetAddress a = new InternetAddress(e, true);
      a.validate();
      if (a.getPersonal() != null || !a.getAddress().equals(e) || a.isGroup() || e.indexOf('@') < 1
          || e.indexOf('@') != e.lastIndexOf('@') || e.indexOf('.', e.indexOf('@')) < 0) {
        throw new AddressException("not a plain address with a domain", e);
      }
      String address = a.getAddress();
      int at = address.lastIndexOf('@');
      // The domain is case-insensitive (the local part may not be): stored in lower case (issue 18).
      return address.substring(0, at + 1) + address.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
    } catch (AddressException ex) {
      throw new Refused("email: '" + ComplianceReports.shown(e) + "' is not an address like name@example.org", false);
    }
  }

  /** The subscriptions {@code who} may see: all for admins, their own for everyone else. */
  public List<Subscription> list(Principal who) {
    return who.role() == Role.ADMIN && !who.isToken() ? repository.all() : repository.of(who.name());
  }

  /** Every subscription (the delivery job). */
  public List<Subscription> all() {
    return repository.all();
  }

  public Optional<Subscription> find(String subscriptionId) {
    return repository.find(subscriptionId);
  }

  /**
   * Removes a subscription of {@code who} (an admin may remove anybody's).
   *
   * @return the removed subscription; empty when there is none {@code who} may see (404)
   */
  public Optional<Subscription> unsubscribe(Principal who, String subscriptionId) {
    Optional<Subscription> s = repository.find(subscriptionId)
        .filter(x -> x.username().equals(who.name()) || (who.role() == Role.ADMIN && !who.isToken()));
    s.ifPresent(x -> {
      repository.delete(x.subscriptionId());
      recipients.deleteIfUnused(x.username(), x.email());
    });
    return s;
  }

  /**
   * Asks for the confirmation mail of {@code subscriptionId}'s address again (its earlier link
   * stops working); only its owner may.
   *
   * @return the subscription; empty when there is none of {@code who} (404)
   * @throws Refused when the address is confirmed already or the daily limits are reached
   */
  public Optional<Subscription> resendConfirmation(Principal who, String subscriptionId) {
    Optional<Subscription> s = repository.find(subscriptionId).filter(x -> x.username().equals(who.name()));
    s.ifPresent(confirmations::resend);
    return s;
  }

  /** The periods of {@code s} due at {@code now}, oldest first (see the class comment). */
  public List<DateRange> due(Subscription s, Instant now) {
    return due(s, now, repository.delivered(s.subscriptionId()));
  }

  static List<DateRange> due(Subscription s, Instant now, Set<LocalDate> delivered) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    List<DateRange> out = new ArrayList<>();
    DateRange period = s.cadence().lastCompleted(today);
    for (int i = 0; i < CATCH_UP; i++) {
      Instant end = period.to().atStartOfDay(ZoneOffset.UTC).toInstant();
      if (!end.isAfter(s.created())) {
        break;
      }
      if (!delivered.contains(period.from())) {
        out.add(0, period);
      }
      period = s.cadence().previous(period);
    }
    return out;
  }

  /** Records that {@code period} of {@code s} was sent. */
  public boolean recordDelivery(Subscription s, DateRange period, String messageId) {
    return repository.recordDelivery(s.subscriptionId(), period, clock.instant(), messageId);
  }

  public void recordFailure(Subscription s, String error) {
    repository.recordFailure(s.subscriptionId(), clock.instant(), error);
  }
}
