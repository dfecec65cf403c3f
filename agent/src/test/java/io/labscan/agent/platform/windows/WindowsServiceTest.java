package io.labscan.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.Winsvc;
import io.labscan.agent.platform.Platform;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How a status report becomes the SERVICE_STATUS structure SetServiceStatus receives. */
class WindowsServiceTest {

  @Test
  void runningIsAnOwnProcessServiceAcceptingStopAndShutdown() {
    Winsvc.SERVICE_STATUS s = WindowsService.toNative(ServiceStatus.running());

    assertThat(s.dwServiceType).isEqualTo(WinNT.SERVICE_WIN32_OWN_PROCESS);
    assertThat(s.dwCurrentState).isEqualTo(Winsvc.SERVICE_RUNNING);
    assertThat(s.dwControlsAccepted).isEqualTo(Winsvc.SERVICE_ACCEPT_STOP | Winsvc.SERVICE_ACCEPT_SHUTDOWN);
    assertThat(s.dwWin32ExitCode).isEqualTo(WinError.NO_ERROR);
  }

  @Test
  void pendingCarriesCheckpointAndWaitHintInMilliseconds() {
    Winsvc.SERVICE_STATUS s = WindowsService.toNative(
        ServiceStatus.pending(ServiceState.STOP_PENDING, 3, Duration.ofSeconds(20)));

    assertThat(s.dwCurrentState).isEqualTo(Winsvc.SERVICE_STOP_PENDING);
    assertThat(s.dwCheckPoint).isEqualTo(3);
    assertThat(s.dwWaitHint).isEqualTo(20_000);
    assertThat(s.dwControlsAccepted).isZero();
  }

  @Test
  void aFailedStopCarriesTheServiceSpecificExitCode() {
    Winsvc.SERVICE_STATUS s = WindowsService.toNative(ServiceStatus.stopped(2));

    assertThat(s.dwCurrentState).isEqualTo(Winsvc.SERVICE_STOPPED);
    assertThat(s.dwWin32ExitCode).isEqualTo(WinError.ERROR_SERVICE_SPECIFIC_ERROR);
    assertThat(s.dwServiceSpecificExitCode).isEqualTo(2);
  }

  @Test
  void onlyWindowsGetsAServiceHost() {
    assertThat(ServiceHosts.forPlatform(Platform.fromOsName("Windows Server 2022"))).containsInstanceOf(WindowsService.class);
    assertThat(ServiceHosts.forPlatform(Platform.fromOsName("Linux"))).isEmpty();
    assertThat(ServiceHosts.forPlatform(Platform.fromOsName("Mac OS X"))).isEmpty();
  }
}
