package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The campus SMTP relay scheduled reports go through ({@code serve --report-smtp*}).
 *
 * @param startTls whether to upgrade with STARTTLS (then required: a relay that does not offer
 *     it is refused rather than sent the report, or the password, in clear)
 * @param user and {@code password}: SMTP AUTH credentials, both or neither
 * @param ca PEM certificates the relay's certificate must chain to (default: the system's CAs)
 */
public record SmtpRelay(String host, int port, boolean startTls, Optional<String> user, Optional<String> password,
    String from, Optional<Path> ca) {
  public SmtpRelay {
    requireNonNull(host, "host");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    requireNonNull(from, "from");
    requireNonNull(ca, "ca");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is not between 1 and 65535");
    }
    if (user.isPresent() != password.isPresent()) {
      throw new IllegalArgumentException("user and password go together");
    }
  }

  /** {@code host:port} as given. */
  public String describe() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + (startTls ? " (STARTTLS)" : "")
        + user.map(u -> ", user " + u).orElse("");
  }
}
