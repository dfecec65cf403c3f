package io.labscan.agent.platform.windows;

import static java.util.Objects.requireNonNull;

import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.Winsvc;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the Windows service protocol, free of any native call:
 *
 * <pre>
 *   run():        START_PENDING -> (body starts) -> RUNNING -> (stop asked) -> STOP_PENDING
 *                 -> (body closed) -> STOPPED
 *                 START_PENDING -> (body fails to start) -> STOPPED with its exit code
 *                 RUNNING -> (body stops itself, {@link ServiceExit}) -> STOP_PENDING
 *                 -> (body closed) -> STOPPED with the body's exit code
 *   onControl():  STOP, SHUTDOWN  -> ask run() to stop (once); NO_ERROR
 *                 INTERROGATE     -> report the current status again; NO_ERROR
 *                 anything else   -> ERROR_CALL_NOT_IMPLEMENTED
 * </pre>
 *
 * {@link #run()} is the ServiceMain thread's work; {@link #onControl(int)} runs on the
 * dispatcher's thread and must return at once, so it only signals. STOPPED is always the last
 * report: after it, Windows may end the process at any moment.
 *
 * <p><b>Restart for memory: a failure exit, not a relaunch.</b> When the agent stays over its
 * memory budget it stops itself through {@link ServiceExit} and reports STOPPED with
 * ERROR_SERVICE_SPECIFIC_ERROR and exit code 75 (the same code {@code run} exits with under
 * systemd and launchd). The SCM's recovery actions restart it: install.ps1 sets them
 * ({@code restart/60000} three times, reset after a day) and sets {@code failureflag 1}, without
 * which Windows only recovers from a process that died without reporting STOPPED. Relaunching
 * explicitly was rejected: a service cannot start itself while it is still STOP_PENDING, a
 * helper process that waits and calls StartService would need rights and a life of its own,
 * and it would hide the restart from the SCM, whose event log (7031/7034) and failure count are
 * what a Windows administrator looks at. The stop sequence is the operator's stop: the body is
 * closed (spool flushed and closed, open egress window spooled) before STOPPED is reported.
 * A stop asked by the SCM during it changes nothing (the first stop asked wins), and a body
 * that fails to close reports exit code 1, which the recovery actions restart as well.
 */
public final class ServiceLifecycle {
  private static final Logger log = LoggerFactory.getLogger(ServiceLifecycle.class);

  /** How long starting may take before the SCM gives up (the JVM is already up by then). */
  static final Duration START_WAIT_HINT = Duration.ofSeconds(30);
  /** How long stopping may take: closing the spool, scheduler and gRPC channel. */
  static final Duration STOP_WAIT_HINT = Duration.ofSeconds(20);

  private final ServiceStatusSink sink;
  private final ServiceBody body;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  /** The exit code of the stop asked first: 0 for the SCM's, the body's own otherwise. */
  private int requestedExitCode;
  private ServiceStatus current = ServiceStatus.stopped(0);
  private int checkPoint;

  public ServiceLifecycle(ServiceStatusSink sink, ServiceBody body) {
    this.sink = requireNonNull(sink, "sink");
    this.body = requireNonNull(body, "body");
  }

  /**
   * Runs the service to its end; returns the service exit code it reported with STOPPED
   * (0 after the SCM's stop, the body's own after it stopped itself, 1 when closing failed, else
   * the start failure's code).
   */
  public int run() throws InterruptedException {
    report(ServiceState.START_PENDING);
    AutoCloseable running;
    try {
      running = body.start(this::stopItself);
    } catch (ServiceBody.ServiceStartException e) {
      log.error("The LabScan agent service could not start: {}", e.getMessage(), e);
      report(ServiceStatus.stopped(e.exitCode()));
      return e.exitCode();
    } catch (RuntimeException e) {
      log.error("The LabScan agent service could not start.", e);
      report(ServiceStatus.stopped(1));
      return 1;
    }
    report(ServiceStatus.running());
    log.info("The LabScan agent service is running.");

    stopRequested.await();

    report(ServiceState.STOP_PENDING);
    int exitCode = requestedExitCode();
    try {
      running.close();
    } catch (Exception e) {
      log.error("The LabScan agent did not stop cleanly.", e);
      exitCode = 1;
    }
    report(ServiceStatus.stopped(exitCode));
    return exitCode;
  }

  /** A control code from the SCM (HandlerEx); returns the Win32 error code the handler returns. */
  public int onControl(int control) {
    switch (control) {
      case Winsvc.SERVICE_CONTROL_STOP, Winsvc.SERVICE_CONTROL_SHUTDOWN -> {
        if (requestStop(0)) {
          log.info("Stop requested by the service control manager (control {}).", control);
        }
        return WinError.NO_ERROR;
      }
      case Winsvc.SERVICE_CONTROL_INTERROGATE -> {
        reportAgain();
        return WinError.NO_ERROR;
      }
      default -> {
        return WinError.ERROR_CALL_NOT_IMPLEMENTED;
      }
    }
  }

  /** The body stops the service itself ({@link ServiceExit}); a failure exit code the SCM recovers from. */
  private void stopItself(int serviceExitCode) {
    if (requestStop(serviceExitCode)) {
      log.warn("The LabScan agent stops itself with exit code {}: the service's recovery actions restart it.",
          serviceExitCode);
    }
  }

  /** Records the first stop asked and its exit code; false when a stop was already asked. */
  private synchronized boolean requestStop(int exitCode) {
    if (stopRequested.getCount() == 0) {
      return false;
    }
    requestedExitCode = exitCode;
    stopRequested.countDown();
    return true;
  }

  private synchronized int requestedExitCode() {
    return requestedExitCode;
  }

  /** The last status reported. */
  public synchronized ServiceStatus current() {
    return current;
  }

  private synchronized void report(ServiceState pendingState) {
    checkPoint = pendingState == current.state() ? checkPoint + 1 : 1;
    Duration hint = pendingState == ServiceState.START_PENDING ? START_WAIT_HINT : STOP_WAIT_HINT;
    report(ServiceStatus.pending(pendingState, checkPoint, hint));
  }

  private synchronized void report(ServiceStatus status) {
    if (!status.state().pending()) {
      checkPoint = 0;
    }
    current = status;
    sink.report(status);
  }

  /** INTERROGATE: the same status again; a pending one with its checkpoint counted up. */
  private synchronized void reportAgain() {
    if (current.state().pending()) {
      report(current.state());
    } else {
      report(current);
    }
  }
}
