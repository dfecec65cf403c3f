package io.labscan.agent.checks.egress;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Lists the machine's TCP sockets whose remote port is one of the watched ports, with the
 * owning process where the OS gives it. One implementation per platform; see
 * {@code PlatformServices.connectionSource()}. Implementations keep caches and are used
 * from one thread at a time.
 */
public interface ConnectionSource extends AutoCloseable {
  /** Short name for logs, e.g. "proc-net-tcp". */
  String name();

  /**
   * One sample of the sockets to {@code remotePorts}, listeners excluded.
   *
   * @throws IOException when the socket table cannot be read at all
   */
  List<ConnectionObservation> sample(Set<Integer> remotePorts) throws IOException;

  /** Releases what the source keeps open between samples; nothing by default. */
  @Override
  default void close() {}
}
