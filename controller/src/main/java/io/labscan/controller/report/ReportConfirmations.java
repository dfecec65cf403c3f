package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirmation of report addresses: reports go only to an address whose owner agreed to them.
 *
 * <p><b>Why.</b> A lab manager types any address into the subscription form. Without this, LabScan
 * would mail host names, infections and their reasons to any address, outside the university
 * too (a data leak), or mail anybody weekly forever (LabScan used for mail bombing). So a new address first gets one mail with a link; only
 * when its owner follows it and presses Confirm does the report job send reports there.
 *
 * <p><b>The link.</b> A 256-bit random token (base64url), valid {@link #LINK_VALID}, single use;
 * only its SHA-256 is stored, so a copy of the database confirms nothing. The link opens a page
 * whose button confirms (a POST): mail scanners that fetch every link in a message do not
 * confirm by fetching it. A user's own verified account address ({@link VerifiedEmails}) is
 * confirmed at once. A confirmation belongs to one user and address, and lives as long as that
 * user has a subscription to the address: a later user of the same name inherits nothing.
 *
 * <p><b>Bounded.</b> At most {@link #MAX_MAILS_PER_ADDRESS} confirmation mails to one address and
 * {@link #MAX_MAILS_PER_USER} for one user's subscriptions in any 24 hours; a subscription that
 * would need one more is refused with the limit named. Together with
 * {@link ReportSubscriptions#MAX_PER_USER} this bounds the mail a manager can make LabScan send to
 * addresses that never agreed.
 */
public final class ReportConfirmations {
  private static final Logger log = LoggerFactory.getLogger(ReportConfirmations.class);
  /** How long a confirmation link works. */
  public static final Duration LINK_VALID = Duration.ofHours(48);
  /** Confirmation mails to one address in any 24 hours at most. */
  public static final int MAX_MAILS_PER_ADDRESS = 3;
  /** Confirmation mails for one user's subscriptions in any 24 hours at most. */
  public static final int MAX_MAILS_PER_USER = 10;
  /** Confirmation mails one round of the report job sends at most. */
  static final int MAX_PER_ROUND = 100;
  private static final Duration DAY = Duration.ofHours(24);
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The outcome of following a confirmation link. */
  public enum Outcome { CONFIRMED, EXPIRED, UNKNOWN }

  /** How following a link went, and the recipient it named (empty when unknown). */
  public record Result(Outcome outcome, Optional<Recipient> recipient) {
    public Result {
      requireNonNull(outcome, "outcome");
      requireNonNull(recipient, "recipient");
    }
  }

  /** What a subscription needs for its address. */
  enum Plan { NOTHING, CONFIRM_DIRECTLY, MAIL }

  private final RecipientRepository recipients;
  private final SubscriptionRepository subscriptions;
  private final VerifiedEmails verified;
  private final Clock clock;

  ReportConfirmations(RecipientRepository recipients, SubscriptionRepository subscriptions, VerifiedEmails verified,
      Clock clock) {
    this.recipients = requireNonNull(recipients, "recipients");
    this.subscriptions = requireNonNull(subscriptions, "subscriptions");
    this.verified = requireNonNull(verified, "verified");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * What a new subscription of {@code username} to {@code email} needs; refused (naming the
   * limit) when it needs a mail and the limits are reached.
   */
  Plan plan(String username, String email) {
    if (verified.of(username).filter(v -> v.equalsIgnoreCase(email)).isPresent()) {
      return Plan.CONFIRM_DIRECTLY;
    }
    boolean inUse = subscriptions.of(username).stream().anyMatch(s -> s.email().equalsIgnoreCase(email));
    Optional<Recipient> r = inUse ? recipients.find(username, email) : Optional.empty();
    if (r.isPresent() && r.get().state(clock.instant()) != Recipient.State.EXPIRED) {
      return Plan.NOTHING; // confirmed, or a link is out or about to go: one mail per address
    }
    checkLimits(username, email);
    return Plan.MAIL;
  }

  void apply(Plan plan, String username, String email) {
    switch (plan) {
      case NOTHING -> { }
      case CONFIRM_DIRECTLY -> recipients.start(username, email, clock.instant(), true);
      case MAIL -> recipients.start(username, email, clock.instant(), false);
    }
  }

  private void checkLimits(String username, String email) {
    Instant since = clock.instant().minus(DAY);
    if (recipients.mailsTo(email, since) >= MAX_MAILS_PER_ADDRESS) {
      throw new ReportSubscriptions.Refused("email: " + email + " was sent " + MAX_MAILS_PER_ADDRESS
          + " confirmation mails in the last 24 hours, the most LabScan sends to one address; try again tomorrow",
          false);
    }
    if (recipients.mailsFor(username, since) >= MAX_MAILS_PER_USER) {
      throw new ReportSubscriptions.Refused("email: your subscriptions had " + MAX_MAILS_PER_USER
          + " confirmation mails sent in the last 24 hours, the most LabScan sends for one user; try again tomorrow",
          false);
    }
  }

  /** The confirmation state of {@code s}'s address (a subscription from before V023 has none yet: mail due). */
  public Recipient recipient(Subscription s) {
    return recipients.find(s.username(), s.email()).orElseGet(() -> new Recipient(s.username(), s.email(), false,
        Instant.EPOCH, Optional.empty(), s.created()));
  }

  /** Whether reports of {@code s} may be sent. */
  public boolean confirmed(Subscription s) {
    return recipients.find(s.username(), s.email()).flatMap(Recipient::confirmed).isPresent();
  }

  /**
   * Asks for a new confirmation mail for {@code s}'s address (the old link stops working);
   * refused when the address is confirmed already or the limits are reached.
   */
  void resend(Subscription s) {
    Recipient r = recipient(s);
    if (r.confirmed().isPresent()) {
      throw new ReportSubscriptions.Refused("email: " + s.email() + " is confirmed already", false);
    }
    checkLimits(s.username(), s.email());
    if (!recipients.resend(s.username(), s.email())) {
      recipients.start(s.username(), s.email(), clock.instant(), false);
    }
  }

  /**
   * Sends the confirmation mails that are due (at most {@link #MAX_PER_ROUND}); subscriptions
   * made before confirmations existed get theirs too. A mail the relay refuses stays due.
   *
   * @param dashboard the dashboard's address for the link ({@code serve --report-dashboard-url});
   *     without it the mail carries the code to enter on the dashboard's confirmation page
   * @return how many were sent
   */
  public int sendDue(ReportMailer mailer, Optional<URI> dashboard) {
    Instant now = clock.instant();
    for (Subscription s : subscriptions.all()) {
      if (recipients.find(s.username(), s.email()).isEmpty()) {
        recipients.start(s.username(), s.email(), now, false);
      }
    }
    recipients.pruneMails(now.minus(DAY.multipliedBy(2)));
    int sent = 0;
    for (Recipient r : recipients.mailDue()) {
      if (sent >= MAX_PER_ROUND) {
        break;
      }
      List<Subscription> theirs = subscriptions.of(r.username()).stream()
          .filter(s -> s.email().equals(r.email())).toList();
      if (theirs.isEmpty()) {
        recipients.deleteIfUnused(r.username(), r.email());
        continue;
      }
      Instant since = now.minus(DAY);
      if (recipients.mailsTo(r.email(), since) >= MAX_MAILS_PER_ADDRESS
          || recipients.mailsFor(r.username(), since) >= MAX_MAILS_PER_USER) {
        continue; // waits for the window to move on
      }
      String token = newToken();
      Instant expires = now.plus(LINK_VALID);
      try {
        mailer.send(new ReportMailer.Mail(r.email(), "Confirm LabScan compliance reports to " + r.email(),
            text(r, theirs, token, expires, dashboard), "", new byte[0]));
      } catch (RuntimeException e) {
        log.warn("The confirmation mail to {} was not sent (tried again next round): {}", r.email(), e.getMessage());
        continue;
      }
      recipients.mailed(r, sha256(token), expires, now);
      sent++;
    }
    return sent;
  }

  static String text(Recipient r, List<Subscription> subscriptions, String token, Instant expires,
      Optional<URI> dashboard) {
    String what = subscriptions.stream().map(s -> s.cadence().id() + " report of "
        + io.labscan.controller.text.Text.terminalSafe(s.lab().orElse("every lab"), 80)).collect(Collectors.joining(", "));
    String link = dashboard.map(d -> "Open this link and press Confirm:\n\n  "
        + d.toString().replaceAll("/+$", "") + "/reports/confirm?token=" + token + "\n")
        .orElse("Open the page /reports/confirm of your campus's LabScan dashboard and enter this code:\n\n  "
            + token + "\n");
    return "The LabScan user " + io.labscan.controller.text.Text.terminalSafe(r.username(), 80)
        + " asked LabScan to e-mail compliance reports of lab computers (" + what + ") to " + r.email() + ".\n\n"
        + "Nothing is sent to this address until you confirm that you want these reports. " + link + "\n"
        + "The link works once, until " + expires + " (UTC). If you did not expect this mail, ignore it: no "
        + "report will be sent, and LabScan sends at most " + MAX_MAILS_PER_ADDRESS
        + " such mails to one address a day.\n";
  }

  /**
   * Follows a confirmation link's token: confirms its address once, unless it expired.
   *
   * @throws IllegalArgumentException when the text is not a token at all
   */
  public Result confirm(String token) {
    String t = requireNonNull(token, "token").strip();
    if (!TOKEN.matcher(t).matches()) {
      throw new IllegalArgumentException("token: must be the 43-character code from the confirmation mail");
    }
    return recipients.confirm(sha256(t), clock.instant());
  }

  static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.US_ASCII))).toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
