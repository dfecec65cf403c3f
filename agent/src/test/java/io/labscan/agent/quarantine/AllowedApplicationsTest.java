package io.labscan.agent.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.ProcessInfo;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Which executables a Windows quarantine lets through. */
class AllowedApplicationsTest {
  private static final String OUTLOOK = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";
  private static final String FAKE_OUTLOOK = "C:\\Users\\ann\\AppData\\Local\\Temp\\OUTLOOK.EXE";

  private static EgressPolicy allowlist(String... entries) {
    return new EgressPolicy(Set.of(25, 465, 587), List.of(entries), false, false, Duration.ofSeconds(1),
        Duration.ofMinutes(5), false);
  }

  private static AllowedApplications running(ProcessInfo... processes) {
    return new AllowedApplications(() -> Stream.of(processes),
        List.of("C:\\Program Files", "C:\\Program Files (x86)", "C:\\Windows"));
  }

  private static ProcessInfo process(long pid, String path) {
    return new ProcessInfo(pid, EgressPolicy.fileName(path), path, "");
  }

  @Test
  void aNameAllowsTheRunningProgramInstalledInAProtectedFolderButNeverAnImpostorOfTheSameName() {
    AllowedApplications apps = running(process(100, OUTLOOK), process(200, FAKE_OUTLOOK));

    assertThat(apps.paths(allowlist("outlook"))).containsExactly(OUTLOOK);
  }

  @Test
  void anAbsolutePathInTheAllowlistIsTakenAsItStandsEvenWhenNotRunning() {
    String relay = "D:\\Mail\\relay.exe";

    assertThat(running().paths(allowlist(relay, "/usr/sbin/postfix"))).containsExactly(relay);
  }

  @Test
  void pathsThatClimbOutOfAProtectedFolderAreRefused() {
    String sneaky = "C:\\Program Files\\..\\Users\\ann\\OUTLOOK.EXE";

    assertThat(running(process(300, sneaky)).paths(allowlist("OUTLOOK.EXE", sneaky))).isEmpty();
  }

  @Test
  void aMailServersAllowEverythingAllowsNoApplication() {
    EgressPolicy server = new EgressPolicy(Set.of(25), List.of(), true, false, Duration.ofSeconds(1),
        Duration.ofMinutes(5), false);

    assertThat(running(process(100, OUTLOOK)).paths(server)).isEmpty();
  }

  @Test
  void onWindowsNoUserIsAllowedByUserNotEvenOneAnOrderNamesByNumber() {
    assertThat(AllowedUsers.none().uids(List.of("1000", "postfix"), allowlist("outlook"))).isEmpty();
  }
}
