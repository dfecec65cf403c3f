package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/** A WMI query failed. */
public final class WmiReadException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why, as far as the providers care. */
  public enum Kind {
    /** The namespace or class does not exist (e.g. Security Center on Windows Server). */
    NOT_PRESENT,
    /** Anything else: access denied, timeout, broken repository. */
    FAILED
  }

  private final Kind kind;

  public WmiReadException(Kind kind, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.kind = requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
