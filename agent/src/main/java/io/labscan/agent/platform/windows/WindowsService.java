package io.labscan.agent.platform.windows;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.Winsvc;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The Windows service control manager through JNA (advapi32): StartServiceCtrlDispatcher on
 * the calling thread, which Windows turns into the service's dispatcher; ServiceMain on a thread
 * Windows creates, which registers the control handler and runs the {@link ServiceLifecycle}.
 */
public final class WindowsService implements ServiceHost {
  private static final Logger log = LoggerFactory.getLogger(WindowsService.class);

  // Native code calls these back for the life of the process: keep them strongly reachable,
  // or the garbage collector frees the callback stubs under Windows' feet.
  private Winsvc.@Nullable SERVICE_MAIN_FUNCTION serviceMain;
  private Winsvc.@Nullable HandlerEx controlHandler;

  @Override
  public void run(String serviceName, ServiceBody body) throws NotStartedAsServiceException {
    requireNonNull(serviceName, "serviceName");
    requireNonNull(body, "body");
    AtomicInteger exitCode = new AtomicInteger();
    serviceMain = (argc, argv) -> exitCode.set(runService(serviceName, body));

    // A NULL-terminated array, contiguous in memory as the API expects.
    Winsvc.SERVICE_TABLE_ENTRY[] table =
        (Winsvc.SERVICE_TABLE_ENTRY[]) new Winsvc.SERVICE_TABLE_ENTRY().toArray(2);
    table[0].lpServiceName = serviceName;
    table[0].lpServiceProc = serviceMain;
    table[0].write();

    if (!Advapi32.INSTANCE.StartServiceCtrlDispatcher(table)) {
      int error = Kernel32.INSTANCE.GetLastError();
      if (error == WinError.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
        throw new NotStartedAsServiceException("this process was not started by the service control manager");
      }
      throw new IllegalStateException("StartServiceCtrlDispatcher failed with Win32 error " + error);
    }
    log.info("The service control manager released the agent (exit code {}).", exitCode.get());
  }

  /** ServiceMain: must register the handler at once, then report within the SCM's timeout. */
  private int runService(String serviceName, ServiceBody body) {
    AtomicReference<Winsvc.SERVICE_STATUS_HANDLE> handle = new AtomicReference<>();
    // The lifecycle reports only once it runs, after the handle is registered below.
    ServiceLifecycle lifecycle = new ServiceLifecycle(
        status -> setStatus(requireNonNull(handle.get(), "service status handle"), status), body);
    controlHandler = (control, eventType, eventData, context) -> lifecycle.onControl(control);
    Winsvc.SERVICE_STATUS_HANDLE registered =
        Advapi32.INSTANCE.RegisterServiceCtrlHandlerEx(serviceName, controlHandler, Pointer.NULL);
    if (registered == null) {
      log.error("RegisterServiceCtrlHandlerEx failed with Win32 error {}.", Kernel32.INSTANCE.GetLastError());
      return 1;
    }
    handle.set(registered);
    try {
      return lifecycle.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      setStatus(registered, ServiceStatus.stopped(1));
      return 1;
    } catch (RuntimeException e) {
      log.error("The LabScan agent service failed.", e);
      setStatus(registered, ServiceStatus.stopped(1));
      return 1;
    }
  }

  private static void setStatus(Winsvc.SERVICE_STATUS_HANDLE handle, ServiceStatus status) {
    if (!Advapi32.INSTANCE.SetServiceStatus(handle, toNative(status))) {
      log.warn("SetServiceStatus({}) failed with Win32 error {}.", status.state(), Kernel32.INSTANCE.GetLastError());
    }
  }

  /** The SERVICE_STATUS structure for one report. */
  static Winsvc.SERVICE_STATUS toNative(ServiceStatus status) {
    Winsvc.SERVICE_STATUS s = new Winsvc.SERVICE_STATUS();
    s.dwServiceType = WinNT.SERVICE_WIN32_OWN_PROCESS;
    s.dwCurrentState = status.state().win32();
    s.dwControlsAccepted = status.controlsAccepted();
    s.dwWin32ExitCode = status.win32ExitCode();
    s.dwServiceSpecificExitCode = status.serviceExitCode();
    s.dwCheckPoint = status.checkPoint();
    s.dwWaitHint = (int) Math.min(Integer.MAX_VALUE, status.waitHint().toMillis());
    return s;
  }
}
