package io.labscan.contract.doctor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** The small network and certificate probes both doctors share. */
public final class Probes {
  /** A certificate ending within this is a problem now, while there is time to act. */
  public static final Duration CERTIFICATE_WARNING = Duration.ofDays(30);
  static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private Probes() {}

  /** Empty when a TCP connection to host:port opens within {@code timeout}; else why not. */
  public static Optional<String> connectRefusal(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  /**
   * What is wrong with a certificate's dates at {@code now}, if anything: ended, ends within
   * {@link #CERTIFICATE_WARNING}, or not valid yet (a clock behind the issuer's).
   */
  public static Optional<String> datesProblem(String name, X509Certificate certificate, Instant now) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isBefore(notBefore)) {
      return Optional.of(name + " is not valid until " + DAY.format(notBefore) + ": this machine's clock ("
          + DAY.format(now) + ") is behind the clock of the machine that issued it");
    }
    if (!now.isBefore(notAfter)) {
      return Optional.of(name + " ended on " + DAY.format(notAfter));
    }
    if (now.plus(CERTIFICATE_WARNING).isAfter(notAfter)) {
      return Optional.of(name + " ends on " + DAY.format(notAfter) + ", in "
          + Duration.between(now, notAfter).toDays() + " days");
    }
    return Optional.empty();
  }

  /** "valid until 2027-12-06 10:00 UTC". */
  public static String validUntil(X509Certificate certificate) {
    return "valid until " + DAY.format(certificate.getNotAfter().toInstant());
  }
}
