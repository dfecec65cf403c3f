package io.labscan.agent.checks.egress;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Pushes every outgoing connection attempt to a watched port, as it happens. Linux:
 * {@link NftablesEventSource} (nftables log rule + {@code /dev/kmsg}); Windows:
 * {@link WfpAuditEventSource} (Security event 5156). The platform seam ({@code PlatformServices.egressEventSource}) picks one.
 */
public interface EgressEventSource extends AutoCloseable {
  String name();

  /**
   * Starts delivering events to {@code sink} on a thread of the source's own. Whatever the
   * source changed on the system to do so (firewall rules) is undone by {@link #close()}.
   *
   * @throws IOException when the source cannot start (no rights, tool missing)
   */
  void start(Consumer<EgressEvent> sink) throws IOException;

  /** Stops delivery and removes what {@link #start} installed. Never throws. */
  @Override
  void close();
}
