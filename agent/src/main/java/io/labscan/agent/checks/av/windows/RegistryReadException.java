package io.labscan.agent.checks.av.windows;

import org.jspecify.annotations.Nullable;

/** The registry could not be read (access denied, unsupported value type, ...). */
public final class RegistryReadException extends Exception {
  private static final long serialVersionUID = 1L;

  public RegistryReadException(@Nullable String message, Throwable cause) {
    super(message, cause);
  }
}
