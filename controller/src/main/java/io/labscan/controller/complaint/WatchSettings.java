package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How every mailbox is watched (the same for all of them).
 *
 * @param triagedFolder where messages with an origin go
 * @param noOriginFolder where mail messages without an origin go
 * @param notAComplaintFolder where non-mail and oversized messages go
 * @param maxMessageBytes larger messages are not downloaded (the IMAP size is asked first)
 * @param perMinute messages one mailbox triages per minute at most; more wait in the mailbox
 * @param firstBackoff the pause after the first failed connection; doubles up to {@code maxBackoff}
 * @param idleRefresh how often IDLE is ended and the folder looked at again, as RFC 2177 asks
 *     (at most 29 minutes); also the poll interval for a server without IDLE
 * @param timeout connect and read timeout of the IMAP socket (longer than {@code idleRefresh})
 */
public record WatchSettings(String triagedFolder, String noOriginFolder, String notAComplaintFolder,
    long maxMessageBytes, int perMinute, Duration firstBackoff, Duration maxBackoff, Duration idleRefresh,
    Duration timeout) {
  /** Default size limit: 10 MiB, far above a complaint with its attachment, far below a DoS. */
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
  /** The largest limit allowed: the triage parser refuses inputs above 32 MiB anyway. */
  public static final long MAX_MAX_BYTES = 32L * 1024 * 1024;

  public WatchSettings {
    requireNonNull(triagedFolder, "triagedFolder");
    requireNonNull(noOriginFolder, "noOriginFolder");
    requireNonNull(notAComplaintFolder, "notAComplaintFolder");
    requireNonNull(firstBackoff, "firstBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    requireNonNull(idleRefresh, "idleRefresh");
    requireNonNull(timeout, "timeout");
    for (String f : new String[] {triagedFolder, noOriginFolder, notAComplaintFolder}) {
      if (f.isBlank() || f.length() > 200 || f.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("folder name '" + f + "' must be 1 to 200 printable characters");
      }
    }
    if (maxMessageBytes < 1024 || maxMessageBytes > MAX_MAX_BYTES) {
      throw new IllegalArgumentException("the message size limit must be between 1 KiB and 32 MiB, not "
          + maxMessageBytes + " bytes");
    }
    if (perMinute < 1 || perMinute > 100_000) {
      throw new IllegalArgumentException("the rate must be between 1 and 100000 messages per minute, not " + perMinute);
    }
    if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException("backoff must be positive, the first pause at most the longest");
    }
    if (idleRefresh.isNegative() || idleRefresh.isZero() || idleRefresh.compareTo(Duration.ofMinutes(29)) > 0) {
      throw new IllegalArgumentException("IDLE is refreshed within 29 minutes (RFC 2177)");
    }
    if (timeout.compareTo(idleRefresh) <= 0) {
      throw new IllegalArgumentException("the socket timeout must be longer than the IDLE refresh");
    }
  }

  /** Folders "Triaged", "No origin", "Not a complaint"; 10 MiB; 60 a minute; 1 s to 5 min backoff; IDLE for 10 min. */
  public static WatchSettings defaults() {
    return new WatchSettings("Triaged", "No origin", "Not a complaint", DEFAULT_MAX_BYTES, 60, Duration.ofSeconds(1),
        Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(12));
  }

  /** The folder a message with this outcome moves to; empty for one that stays (failed). */
  public java.util.Optional<String> folderFor(Outcome outcome) {
    return switch (outcome) {
      case TRIAGED -> java.util.Optional.of(triagedFolder);
      case NO_ORIGIN -> java.util.Optional.of(noOriginFolder);
      case NOT_A_COMPLAINT -> java.util.Optional.of(notAComplaintFolder);
      case FAILED -> java.util.Optional.empty();
    };
  }

  public WatchSettings withBackoff(Duration first, Duration max) {
    return new WatchSettings(triagedFolder, noOriginFolder, notAComplaintFolder, maxMessageBytes, perMinute, first, max,
        idleRefresh, timeout);
  }

  public WatchSettings withLimits(long maxBytes, int rate) {
    return new WatchSettings(triagedFolder, noOriginFolder, notAComplaintFolder, maxBytes, rate, firstBackoff,
        maxBackoff, idleRefresh, timeout);
  }

  public WatchSettings withFolders(String triaged, String noOrigin, String notAComplaint) {
    return new WatchSettings(triaged, noOrigin, notAComplaint, maxMessageBytes, perMinute, firstBackoff, maxBackoff,
        idleRefresh, timeout);
  }

  public WatchSettings withIdleRefresh(Duration refresh, Duration socketTimeout) {
    return new WatchSettings(triagedFolder, noOriginFolder, notAComplaintFolder, maxMessageBytes, perMinute,
        firstBackoff, maxBackoff, refresh, socketTimeout);
  }
}
