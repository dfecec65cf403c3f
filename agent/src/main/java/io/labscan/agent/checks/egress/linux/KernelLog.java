package io.labscan.agent.checks.egress.linux;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** The kernel's log as a stream of records (Linux {@code /dev/kmsg}), from the moment it was opened. */
public interface KernelLog extends AutoCloseable {
  /** The next record, or empty when none arrived within {@code timeout}. */
  Optional<String> next(Duration timeout) throws IOException;

  @Override
  void close();

  /** Opens a kernel log positioned at its end. */
  @FunctionalInterface
  interface Opener {
    KernelLog openAtEnd() throws IOException;
  }
}
