package io.labscan.agent.checks.egress.windows;

import static java.util.Objects.requireNonNull;

import com.sun.jna.platform.win32.Kernel32Util;
import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.EgressEventSource;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.ProcessInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Windows event mode: the Filtering Platform connection audit (Security event 5156) names
 * the process (pid and executable) of every permitted connection, however short. Auditing
 * must be on: {@code auditpol /set /subcategory:"Filtering Platform Connection" /success:enable}.
 * Read from the record after the newest one present at start, every half second.
 */
public final class WfpAuditEventSource implements EgressEventSource {
  private static final Logger log = LoggerFactory.getLogger(WfpAuditEventSource.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final int MAX_PER_READ = 2_000;

  private final SecurityAuditLog auditLog;
  private final Set<Integer> ports;
  private final Supplier<Map<String, String>> volumes;
  private final CountDownLatch stop = new CountDownLatch(1);
  private @Nullable Thread reader;

  /**
   * @param volumes drive ("C:") → NT device ("\Device\HarddiskVolume2"), read at start
   */
  public WfpAuditEventSource(SecurityAuditLog auditLog, Set<Integer> ports, Supplier<Map<String, String>> volumes) {
    this.auditLog = requireNonNull(auditLog, "auditLog");
    this.ports = Set.copyOf(requireNonNull(ports, "ports"));
    this.volumes = requireNonNull(volumes, "volumes");
  }

  public static WfpAuditEventSource system(Set<Integer> ports) {
    return new WfpAuditEventSource(new WevtapiSecurityAuditLog(), ports, WfpAuditEventSource::volumeTable);
  }

  @Override
  public String name() {
    return "wfp-audit-5156";
  }

  @Override
  public synchronized void start(Consumer<EgressEvent> sink) throws IOException {
    requireNonNull(sink, "sink");
    if (reader != null) {
      throw new IllegalStateException("already started");
    }
    long after = auditLog.latestRecordId();
    Map<String, String> volumeTable = volumes.get();
    reader = new Thread(() -> readLoop(after, volumeTable, sink), "labscan-egress-wfp");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(long startAfter, Map<String, String> volumeTable, Consumer<EgressEvent> sink) {
    long after = startAfter;
    String lastError = "";
    try {
      do {
        try {
          after = deliver(auditLog.eventsAfter(after, ports, MAX_PER_READ), after, volumeTable, sink);
          lastError = "";
        } catch (IOException | RuntimeException e) {
          if (!e.toString().equals(lastError)) {
            log.warn("Reading Security event 5156 failed: {}", e.toString());
            lastError = e.toString();
          }
        }
      } while (!stop.await(POLL.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Parses and hands out a batch; returns the last record id consumed. Package-private for tests. */
  long deliver(List<String> events, long after, Map<String, String> volumeTable, Consumer<EgressEvent> sink) {
    long last = after;
    for (String xml : events) {
      var parsed = WfpAuditEventParser.parse(xml, ports);
      if (parsed.isEmpty()) {
        continue;
      }
      last = Math.max(last, parsed.get().recordId());
      parsed.get().event().map(e -> withDrivePath(e, volumeTable)).ifPresent(sink);
    }
    return last;
  }

  private static EgressEvent withDrivePath(EgressEvent e, Map<String, String> volumeTable) {
    ProcessInfo o = e.owner();
    String path = DevicePaths.toDrivePath(o.path(), volumeTable);
    return new EgressEvent(e.time(), e.local(), e.remote(),
        new ProcessInfo(o.pid(), EgressPolicy.fileName(path), path, o.user()));
  }

  static Map<String, String> volumeTable() {
    Map<String, String> out = new HashMap<>();
    try {
      for (String root : Kernel32Util.getLogicalDriveStrings()) {
        String drive = root.endsWith("\\") ? root.substring(0, root.length() - 1) : root;
        List<String> devices = Kernel32Util.queryDosDevice(drive, 1024);
        if (!devices.isEmpty()) {
          out.put(drive, devices.get(0));
        }
      }
    } catch (RuntimeException | LinkageError e) {
      log.debug("Volume table unavailable: {}", e.toString());
    }
    return out;
  }

  @Override
  public synchronized void close() {
    stop.countDown();
    if (reader != null) {
      try {
        reader.join(POLL.toMillis() * 4);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
