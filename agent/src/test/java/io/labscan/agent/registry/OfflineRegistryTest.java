package io.labscan.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.artifacts.ArtifactCheck;
import io.labscan.contract.rules.RegistryKey;
import io.labscan.contract.rules.RuleSet;
import io.labscan.agent.checks.artifacts.ScanProgress;
import io.labscan.agent.registry.HiveBuilder.Key;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry of a Windows disk that is not running, read from its hive files. */
class OfflineRegistryTest {
  private static final String RUN = "Microsoft\\Windows\\CurrentVersion\\Run";
  private static final String LINDA = "S-1-5-21-3623811015-3361044348-30300820-1013";

  @TempDir Path dir;
  private Path disk;

  /** A Windows 10 disk: SYSTEM with two control sets, SOFTWARE, one user profile. */
  @BeforeEach
  void windowsDisk() throws Exception {
    disk = dir.resolve("mnt-c");
    Key system = new Key("ROOT");
    system.key("Select").dword("Current", 2).dword("Default", 2).dword("LastKnownGood", 1);
    system.key("ControlSet001\\Services\\WinkOld").expand("ImagePath", "C:\\WINDOWS\\SYSTEM32\\WINKold.exe");
    system.key("ControlSet002\\Services\\Wink32").expand("ImagePath", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe");
    system.key("ControlSet002\\Services\\Tcpip").expand("ImagePath", "System32\\drivers\\tcpip.sys");
    new HiveBuilder().write(system, disk.resolve("Windows/System32/config/SYSTEM"));
    Key software = new Key("ROOT");
    software.key(RUN).string("WinkAbcd", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe")
        .string("SecurityHealth", "%windir%\\system32\\SecurityHealthSystray.exe");
    software.key("Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\" + LINDA)
        .expand("ProfileImagePath", "C:\\Users\\linda");
    software.key("Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1-2-3-1099")
        .expand("ProfileImagePath", "C:\\Users\\..\\..\\etc");
    software.key("Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1-2-3-1100")
        .expand("ProfileImagePath", "C:\\" + dir.resolve("elsewhere").toString());
    new HiveBuilder().write(software, disk.resolve("Windows/System32/config/SOFTWARE"));
    Key ntuser = new Key("ROOT");
    ntuser.key("Software\\" + RUN).string("Wink", "C:\\Users\\linda\\AppData\\Local\\Temp\\WINKxyz.exe");
    new HiveBuilder().write(ntuser, disk.resolve("Users/linda/NTUSER.DAT"));
  }

  private OfflineRegistry registry() {
    return OfflineRegistry.under(disk).orElseThrow();
  }

  @Test
  void machineRunValuesAreReadFromTheSoftwareHive() throws Exception {
    assertThat(registry().values(RegistryKey.parse("HKLM\\SOFTWARE\\" + RUN)))
        .containsEntry("WinkAbcd", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe");
  }

  @Test
  void typedValuesKeepNumbersAsNumbersAndStringsAsText() throws Exception {
    // The Defender and Symantec providers read the offline hive through the same reader.
    var values = registry().typedValues(RegistryKey.parse("HKLM\\SYSTEM\\Select"));

    assertThat(values).containsEntry("Current", RegistryValue.DWord.of(2));
    assertThat(registry().typedValues(RegistryKey.parse("HKLM\\SOFTWARE\\" + RUN)))
        .containsEntry("WinkAbcd", new RegistryValue.Text("C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe"));
    assertThat(registry().typedValues(RegistryKey.parse("HKLM\\SOFTWARE\\LabScan\\NoSuchKey"))).isEmpty();
  }

  @Test
  void currentControlSetIsTheControlSetThatSelectNames() throws Exception {
    assertThat(registry().subkeys(RegistryKey.parse("HKLM\\SYSTEM\\CurrentControlSet\\Services")))
        .containsExactlyInAnyOrder("Wink32", "Tcpip");
  }

  @Test
  void aUsersKeysAreReadFromTheNtuserHiveOfTheirProfile() throws Exception {
    assertThat(registry().values(RegistryKey.parse("HKU\\" + LINDA + "\\Software\\" + RUN)))
        .containsEntry("Wink", "C:\\Users\\linda\\AppData\\Local\\Temp\\WINKxyz.exe");
  }

  @Test
  void aProfilePathLeadingOutOfTheDiskIsNotFollowed() throws Exception {
    assertThat(registry().values(RegistryKey.parse("HKU\\S-1-5-21-1-2-3-1099\\Software"))).isEmpty();
  }

  @Test
  void aProfilePathNamingAnAbsoluteFolderOfTheScanningMachineIsNotFollowed() throws Exception {
    Key planted = new Key("ROOT");
    planted.key("Software\\" + RUN).string("WinkElsewhere", "x");
    new HiveBuilder().write(planted, dir.resolve("elsewhere/NTUSER.DAT"));

    assertThat(registry().values(RegistryKey.parse("HKU\\S-1-5-21-1-2-3-1100\\Software\\" + RUN))).isEmpty();
  }

  @Test
  void aMissingKeyOrVolatileHiveReadsAsEmpty() throws Exception {
    OfflineRegistry registry = registry();

    assertThat(registry.values(RegistryKey.parse("HKLM\\SOFTWARE\\Microsoft\\Nothing"))).isEmpty();
    assertThat(registry.subkeys(RegistryKey.parse("HKLM\\HARDWARE\\DESCRIPTION"))).isEmpty();
    assertThat(registry.values(RegistryKey.parse("HKU\\S-1-5-21-9-9-9-500\\Software"))).isEmpty();
  }

  @Test
  void folderAndHiveNamesAreMatchedIgnoringCase() throws Exception {
    Path old = dir.resolve("xp");
    Key software = new Key("ROOT");
    software.key(RUN).string("WinkAbcd", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe");
    new HiveBuilder().write(software, old.resolve("WINDOWS/system32/config/software"));

    assertThat(OfflineRegistry.under(old).orElseThrow().values(RegistryKey.parse("HKLM\\SOFTWARE\\" + RUN)))
        .containsKey("WinkAbcd");
  }

  @Test
  void aHiveFileThatIsASymbolicLinkIsNotRead() throws Exception {
    Key elsewhere = new Key("ROOT");
    elsewhere.key(RUN).string("WinkPlanted", "x");
    Path outside = new HiveBuilder().write(elsewhere, dir.resolve("outside/SOFTWARE"));
    Path hive = disk.resolve("Windows/System32/config/SOFTWARE");
    Files.delete(hive);
    Files.createSymbolicLink(hive, outside);

    assertThat(registry().values(RegistryKey.parse("HKLM\\SOFTWARE\\" + RUN))).isEmpty();
  }

  @Test
  void aDiskWithoutWindowsHasNoOfflineRegistry() throws Exception {
    Files.createDirectories(dir.resolve("linux/etc"));

    assertThat(OfflineRegistry.under(dir.resolve("linux"))).isEmpty();
  }

  @Test
  void aDamagedHiveIsUnreadableNotFatal() throws Exception {
    Files.write(disk.resolve("Windows/System32/config/SOFTWARE"), new byte[] {'r', 'e', 'g', 'f', 0, 0});

    assertThatThrownBy(() -> registry().values(RegistryKey.parse("HKLM\\SOFTWARE\\" + RUN)))
        .isInstanceOf(RegistryReadException.class).hasMessageContaining("SOFTWARE");
  }

  @Test
  void aHiveThatWasNotClosedCleanlyIsNoted() throws Exception {
    Key software = new Key("ROOT");
    software.key(RUN);
    new HiveBuilder().dirty().write(software, disk.resolve("Windows/System32/config/SOFTWARE"));
    OfflineRegistry registry = registry();

    registry.values(RegistryKey.parse("HKLM\\SOFTWARE\\" + RUN));

    assertThat(registry.notes()).containsExactly("dirty:SOFTWARE");
  }

  @Test
  void anOfflineScanOfAWindowsDiskAppliesTheRegistryRulesToItsHives() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    ArtifactCheck check = new ArtifactCheck(RuleSet::builtIn, RegistryReader.unavailable(), ScanProgress.none());
    ScanContext offline = new ScanContext(disk, false, PolicyDefaults.defaults(), state, Clock.systemUTC(),
        ScanPlan.full("test"));

    Report report = new Scanner(List.of(check), () -> 1).scan(offline);

    assertThat(report.getFindingsList())
        .filteredOn(f -> f.getRegistryKey().startsWith("HK"))
        .extracting(ArtifactFinding::getRuleId, ArtifactFinding::getRegistryKey)
        .containsExactlyInAnyOrder(
            tuple("klez.registry.run-wink", "HKLM\\SOFTWARE\\" + RUN + "\\WinkAbcd"),
            tuple("klez.registry.service-image", "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Wink32\\ImagePath"));
    assertThat(report.getScan().getSkippedMap()).doesNotContainKey("registry-rules-offline");
  }
}
