package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code windows/install.ps1} cannot run here, so its security steps are asserted on its text:
 * the data folder {@code C:\ProgramData\LabScan} is taken over and locked to SYSTEM and
 * Administrators, and an existing one that another user owns is refused before anything is
 * written. Comments are stripped first, so a step that is only described does not count.
 */
class WindowsInstallScriptTest {
  private static final String SYSTEM_SID = "S-1-5-18";
  private static final String ADMINISTRATORS_SID = "S-1-5-32-544";
  private static String script;

  @BeforeAll
  static void read() throws IOException {
    // The script is checked out with CRLF line ends (.gitattributes); the checks read lines.
    String text = Files.readString(InstallerFiles.file("windows/install.ps1"), StandardCharsets.UTF_8)
        .replace("\r\n", "\n");
    script = text.replaceAll("(?s)<#.*?#>", "").replaceAll("(?m)(^|\\s)#(?!Requires).*$", "$1");
  }

  /** Where {@code needle} first occurs; fails when it does not. */
  private static int at(String needle) {
    int i = script.indexOf(needle);
    assertThat(i).as("install.ps1 contains %s", needle).isNotNegative();
    return i;
  }

  private static String function(String name) {
    Matcher m = Pattern.compile("(?s)function " + Pattern.quote(name) + "\\b.*?\\n}\\n").matcher(script);
    assertThat(m.find()).as("function %s", name).isTrue();
    return m.group();
  }

  @Test
  void theScriptRunsElevatedAndStopsAtTheFirstError() {
    assertThat(script).contains("#Requires -RunAsAdministrator", "$ErrorActionPreference = 'Stop'");
  }

  @Test
  void anExistingDataFolderIsCheckedBeforeTheServiceIsStoppedOrAnythingWritten() {
    int check = at("if (Test-Path -LiteralPath $DataDir) { Assert-TrustedTree $DataDir }");
    assertThat(check).isLessThan(at("Stop-Service"))
        .isLessThan(at("New-Item -ItemType Directory -Force -Path $DataDir"))
        .isLessThan(at("Copy-Item"))
        .isLessThan(at("WriteAllText"));
  }

  @Test
  void aFolderOrFileAnotherUserOwnsIsRefused() {
    String check = function("Assert-TrustedTree");
    assertThat(check)
        .contains("(Get-Acl -LiteralPath $Path).GetOwner([System.Security.Principal.SecurityIdentifier])")
        .contains("if ($TrustedOwners -notcontains $owner) {")
        .contains("throw \"Refusing to install: '$Path' belongs to $owner");
    // Only the system, the administrators and the one running the script count as trusted.
    Matcher owners = Pattern.compile("(?s)\\$TrustedOwners = @\\((.*?)\\)\\n").matcher(script);
    assertThat(owners.find()).isTrue();
    assertThat(owners.group(1).strip().split("\\s*\\n\\s*")).containsExactly(
        "'" + SYSTEM_SID + "',",
        "'" + ADMINISTRATORS_SID + "',",
        "'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',",
        "[System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value");
  }

  @Test
  void everythingInsideTheFolderIsCheckedWithoutFollowingJunctions() {
    String check = function("Assert-TrustedTree");
    assertThat(check)
        .contains("-band [System.IO.FileAttributes]::ReparsePoint")
        .contains("throw \"Refusing to install: '$Path' is a link (reparse point)")
        .contains("foreach ($child in Get-ChildItem -LiteralPath $Path -Force) { Assert-TrustedTree $child.FullName }")
        .doesNotContain("-Recurse");
    assertThat(check.indexOf("ReparsePoint")).isLessThan(check.indexOf("Get-ChildItem"));
  }

  @Test
  void theFolderAndEverythingInItIsTakenOverByTheAdministrators() {
    int takeown = at("& takeown.exe /F $DataDir /A /R | Out-Null");
    assertThat(script.substring(takeown)).startsWith("& takeown.exe /F $DataDir /A /R | Out-Null\n"
        + "if ($LASTEXITCODE -ne 0) { throw");
    assertThat(takeown).isGreaterThan(at("New-Item -ItemType Directory -Force -Path $DataDir"))
        .isLessThan(at("Set-PrivateAcl $DataDir"));
  }

  @Test
  void theFoldersAclIsSystemAndAdministratorsOnlyWithInheritanceCutOffAndAdministratorsAsOwner() {
    String acl = function("Set-PrivateAcl");
    assertThat(acl)
        .contains("New-Object System.Security.AccessControl.DirectorySecurity")
        .contains("$acl.SetAccessRuleProtection($true, $false)")
        .contains("foreach ($sid in '" + SYSTEM_SID + "', '" + ADMINISTRATORS_SID + "')")
        .contains("$id, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')")
        .contains("$acl.SetOwner((New-Object System.Security.Principal.SecurityIdentifier('"
            + ADMINISTRATORS_SID + "')))")
        .contains("Set-Acl -LiteralPath $Path -AclObject $acl");
    assertThat(acl).doesNotContainIgnoringCase("S-1-5-32-545").doesNotContainIgnoringCase("Everyone")
        .doesNotContainIgnoringCase("S-1-1-0").doesNotContainIgnoringCase("Users");
  }

  @Test
  void everySubfolderAndFileIsResetToInheritOnlyTheFoldersAcl() {
    int reset = at("& icacls.exe (Join-Path $DataDir '*') /reset /T /C /Q | Out-Null");
    assertThat(script.substring(reset)).startsWith("& icacls.exe (Join-Path $DataDir '*') /reset /T /C /Q | Out-Null\n"
        + "  if ($LASTEXITCODE -ne 0) { throw");
    assertThat(reset).isGreaterThan(at("Set-PrivateAcl $DataDir"))
        .isLessThan(at("WriteAllText"))
        .isLessThan(at("Start-Service"));
  }

  @Test
  void noStepGrantsOrdinaryUsersAnything() {
    assertThat(script).doesNotContainIgnoringCase("/grant").doesNotContain("S-1-5-32-545")
        .doesNotContain("S-1-1-0").doesNotContain("S-1-5-11");
  }

  @Test
  void theServiceIsRestartedAfterEveryFailureIncludingAStopWithAnErrorExitCode() {
    // The agent over its memory budget stops itself with service exit code 75 (not a crash): without
    // failureflag 1 Windows would apply no recovery action, and the agent would stay stopped.
    Matcher failure = Pattern.compile("sc\\.exe failure \\$ServiceName reset= (\\d+) actions= (\\S+)").matcher(script);
    assertThat(failure.find()).as("sc.exe failure").isTrue();
    assertThat(Integer.parseInt(failure.group(1))).as("failure count reset (s)").isPositive();
    String[] actions = failure.group(2).split("/");
    assertThat(actions.length).as("action/delay pairs: %s", failure.group(2)).isPositive().isEven();
    for (int i = 0; i < actions.length; i += 2) {
      assertThat(actions[i]).as("every action restarts").isEqualTo("restart");
      assertThat(Integer.parseInt(actions[i + 1])).as("restart delay (ms)").isBetween(1000, 600_000);
    }
    assertThat(script).contains("sc.exe failureflag $ServiceName 1");
    assertThat(at("sc.exe failureflag $ServiceName 1")).as("configured before the service starts")
        .isLessThan(at("Start-Service -Name $ServiceName"));
  }
}
