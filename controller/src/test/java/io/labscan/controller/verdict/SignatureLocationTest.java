package io.labscan.controller.verdict;

import static io.labscan.controller.verdict.SignatureLocation.Kind.ELSEWHERE;
import static io.labscan.controller.verdict.SignatureLocation.Kind.EXPOSURE;
import static io.labscan.controller.verdict.SignatureLocation.Kind.RAN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 15, red-team finding S4: a hash or body signature match is weighed by where the matched
 * file lies. Where the worm installs itself or is started from, it ran (INFECTED); where received
 * mail and saved attachments land, it is exposure (AT_RISK); anywhere else a copy whose running
 * nothing shows (SUSPECTED). The path is the endpoint's claim: hostile shapes never reach RAN.
 */
class SignatureLocationTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  private static SignatureLocation.Kind kind(String path) {
    return SignatureLocation.classify(path, List.of()).kind();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "WINDOWS/SYSTEM32/WINKABCD.EXE",
    "Windows/System32/wqk.exe",
    "C:\\WINDOWS\\SYSTEM\\WINKQ.EXE",
    "WINNT/system32/setup.exe",
    "Windows/SysWOW64/winkxy.exe",
    "WINDOWS/SYSTEM32/drivers/etc/evil.exe",
    "c:/windows/explorer.exe",
    "%WINDIR%\\System32\\winkab.exe",
    "%SystemRoot%/system32/winkab.exe",
    "\\\\?\\C:\\Windows\\System32\\winkab.exe",
    "Users/janet/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/readme.exe",
    "Documents and Settings/All Users/Start Menu/Programs/Startup/x.pif",
    "ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp/x.exe",
    "WINDOWS/Start Menu/Programs/StartUp/x.exe",
    "home/janet/.wine/drive_c/windows/system32/winkab.exe",
    "Users/janet/Downloads/../../../Windows/System32/winkab.exe",
    "Windows//System32///./winkab.exe",
  })
  void aCopyWhereTheWormInstallsItselfOrIsStartedFromIsEvidenceThatItRan(String path) {
    assertThat(kind(path)).as(path).isEqualTo(RAN);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "Users/janet/Downloads/readme.exe",
    "C:\\Users\\janet\\Downloads\\meeting notice.doc.pif",
    "home/janet/Downloads/readme.exe",
    "Users/janet/Desktop/readme.exe",
    "Documents and Settings/janet/My Documents/readme.exe",
    "Documents and Settings/janet/Desktop/photo.jpg.exe",
    "Users/Public/Documents/readme.exe",
    "Users/janet/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/X1Y2Z3/readme.exe",
    "Users/janet/AppData/Local/Microsoft/Windows/Temporary Internet Files/Content.Outlook/AB12CD/readme.exe",
    "Documents and Settings/janet/Local Settings/Temporary Internet Files/OLK3A/readme.exe",
    "Documents and Settings/janet/Local Settings/Temp/readme.exe",
    "Users/janet/AppData/Local/Temp/Temp1_readme.zip/readme.exe",
    "WINDOWS/TEMP/readme.exe",
    "Users/janet/Documents/Outlook Files/janet.pst",
    "Documents and Settings/janet/Local Settings/Application Data/Identities/{1234}/Microsoft/Outlook Express/Inbox.dbx",
    "Users/janet/AppData/Roaming/Thunderbird/Profiles/ab12.default/Mail/pop.example.net/Inbox",
    "home/janet/.thunderbird/ab12.default/ImapMail/imap.example.net/INBOX",
    "home/janet/mail/inbox",
    "home/janet/Maildir/cur/1700000000.M1P2.lab-pc-07:2,S",
    "var/mail/janet",
    "var/spool/mail/janet",
    "Users/janet/Library/Mail/V10/ABCD/INBOX.mbox/Messages/123.emlx",
    "Users/janet/Library/Containers/com.apple.mail/Data/Library/Mail Downloads/1A2B/readme.exe",
    "Users/janet/AppData/Local/Google/Chrome/User Data/Default/Cache/Cache_Data/f_000123",
    "home/janet/.cache/mozilla/firefox/ab12.default/cache2/entries/0A1B2C",
    "Users/janet/Library/Caches/Firefox/Profiles/ab12/cache2/entries/0A1B",
    "private/var/folders/xy/abc123/T/readme.exe",
    "tmp/readme.exe",
    "ProgramData/Microsoft/Windows Defender/Quarantine/ResourceData/AB/ABCDEF",
    "ProgramData/AVAST Software/Avast/chest/1",
    "\\\\fileserver\\lab\\projects\\readme.exe",
    "//fileserver/lab/readme.exe",
    "srv/share/lab/readme.exe",
    "mnt/labshare/readme.exe",
    "Volumes/LabShare/readme.exe",
    "run/user/1000/gvfs/smb-share:server=fs,share=lab/readme.exe",
    "Users/janet/Saved/message.eml",
    "%TEMP%\\readme.exe",
    "%USERPROFILE%\\Downloads\\readme.exe",
    "~/Downloads/readme.exe",
    "Windows/System32/config/systemprofile/AppData/Local/Temp/readme.exe",
  })
  void aCopyWhereReceivedMailAndSavedAttachmentsLandIsExposure(String path) {
    assertThat(kind(path)).as(path).isEqualTo(EXPOSURE);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "Program Files/Lab Tools/tool.exe",
    "opt/tools/readme.exe",
    "home/janet/readme.exe",
    "D:/backup/readme.exe",
    "Users/janet/AppData/Roaming/somevendor/readme.exe",
    "Windows/Fonts/readme.exe",
  })
  void aCopyAnywhereElseIsACopyWhoseRunningNothingShows(String path) {
    assertThat(kind(path)).as(path).isEqualTo(ELSEWHERE);
  }

  @Test
  void aDownloadsPathThatClimbsOutOfTheSystemFolderIsTheDownloadsFolder() {
    assertThat(kind("Windows\\System32\\..\\..\\Users\\janet\\Downloads\\readme.exe")).isEqualTo(EXPOSURE);
    assertThat(kind("WINDOWS/SYSTEM32/../../Users/janet/Downloads/readme.exe")).isEqualTo(EXPOSURE);
  }

  @Test
  void mixedSeparatorsAndCaseAreOnePath() {
    assertThat(kind("c:\\users/JANET\\downloads/README.EXE")).isEqualTo(EXPOSURE);
    assertThat(kind("C:/WINDOWS\\system32/WinkAbc.exe")).isEqualTo(RAN);
  }

  @Test
  void aPathThatClimbsAboveItsRootIsRefusedNeverTheSystemFolder() {
    assertThat(kind("../Windows/System32/winkab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("Users/../../Windows/System32/winkab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("\\\\fileserver\\..\\..\\Windows\\System32\\winkab.exe")).isEqualTo(ELSEWHERE);
  }

  @Test
  void lookAlikeFolderNamesAreOtherFoldersNeverTheSystemFolder() {
    // Cyrillic у in System32, fullwidth letters, a zero-width space: other folders on every file system.
    assertThat(kind("Windows/S\u0443stem32/winkab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("\uFF37\uFF49\uFF4E\uFF44\uFF4F\uFF57\uFF53/System32/winkab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("Windows/System\u200B32/winkab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("Users/janet/D\u043Ewnloads/readme.exe")).as("a look-alike Downloads is not exposure either")
        .isEqualTo(ELSEWHERE);
  }

  @Test
  void aVeryLongOrControlCharacterPathIsRefused() {
    assertThat(kind("Windows/System32/" + "a/".repeat(5_000) + "winkab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("Windows/System32/" + "a".repeat(SignatureLocation.MAX_PATH) + ".exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("Windows/System32/wink\u0000ab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("Windows/System32/wink\nab.exe")).isEqualTo(ELSEWHERE);
    assertThat(kind("")).isEqualTo(ELSEWHERE);
    assertThat(kind("/")).isEqualTo(ELSEWHERE);
  }

  @Test
  void aSavedAttachmentNamedLikeTheWormsOwnFileIsStillExposure() {
    // The sender chooses an attachment's name: a name is never evidence that the worm ran.
    assertThat(kind("Users/janet/Downloads/WINKABCD.EXE")).isEqualTo(EXPOSURE);
    assertThat(kind("Users/janet/AppData/Local/Temp/WQK.EXE")).isEqualTo(EXPOSURE);
  }

  @Test
  void theProgramAReportedRunValueStartsIsARunPlace() {
    List<String> targets = List.of("\"C:\\Users\\janet\\AppData\\Roaming\\updater.exe\" /silent");
    assertThat(SignatureLocation.classify("Users/janet/AppData/Roaming/updater.exe", targets).kind()).isEqualTo(RAN);
    assertThat(SignatureLocation.classify("Users/janet/AppData/Roaming/other.exe", targets).kind())
        .isEqualTo(ELSEWHERE);
  }

  // ---- through the verdict rules ---------------------------------------------------------------

  private static HostEvidence.Finding hashMatch(String path) {
    return new HostEvidence.Finding("r1", "Win.Worm.Klez-1", "RULE_KIND_HASH", path,
        "SHA-256 … and size 57344 match signature Win.Worm.Klez-1 from daily.hdb", false);
  }

  private static Assessment verdictOf(List<HostEvidence.Finding> findings, List<HostEvidence.Egress> egress,
      List<HostEvidence.Complaint> complaints) {
    HostEvidence e = new HostEvidence("h1", "lab-pc-07", NOW.minusSeconds(60), Optional.of(NOW.minusSeconds(600)),
        findings, List.of(), egress, complaints, false);
    return new VerdictRules(VerdictPolicy.defaults()).evaluate(e, NOW);
  }

  @Test
  void aHashMatchOnASavedAttachmentInDownloadsIsExposureNotInfection() {
    Assessment a = verdictOf(List.of(hashMatch("Users/janet/Downloads/readme.exe")), List.of(), List.of());

    assertThat(a.verdict()).isEqualTo(Verdict.AT_RISK);
    assertThat(a.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo(VerdictRules.EXPOSURE_COPY);
      assertThat(r.text()).contains("Users/janet/Downloads/readme.exe", "a Downloads folder", "exposure",
          "Delete the file");
    });
  }

  @Test
  void aBodyMatchInTheSystemFolderIsStillInfection() {
    Assessment a = verdictOf(List.of(new HostEvidence.Finding("r1", "Klez.Body", "RULE_KIND_BODY_PATTERN",
        "WINDOWS/SYSTEM32/WINKABCD.EXE", "Contents match body signature Klez.Body", false)), List.of(), List.of());

    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).extracting(Reason::code).contains("artifact");
  }

  @Test
  void aHashMatchElsewhereIsSuspectedNotInfected() {
    Assessment a = verdictOf(List.of(hashMatch("Program Files/Lab Tools/tool.exe")), List.of(), List.of());

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(a.reasons()).extracting(Reason::code).contains(VerdictRules.COPY_NOT_RUN);
  }

  @Test
  void aSavedCopyWithWormLikeEgressIsInfectedNamingBoth() {
    HostEvidence.Egress burst = new HostEvidence.Egress("r2", NOW.minusSeconds(3600), NOW.minusSeconds(3540), 4242,
        "readme.exe", "", 30, 12, "198.51.100.7:25 203.0.113.9:25");
    Assessment a = verdictOf(List.of(hashMatch("Users/janet/Downloads/readme.exe")), List.of(burst), List.of());

    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo(VerdictRules.COPY_AND_RAN);
      assertThat(r.text()).contains("Users/janet/Downloads/readme.exe", "worm's mailing", "readme.exe");
    });
  }

  @Test
  void aSavedCopyWithAMailClientsOwnEgressIsNotInfected() {
    HostEvidence.Egress client = new HostEvidence.Egress("r2", NOW.minusSeconds(3600), NOW.minusSeconds(3540), 4242,
        "thunderbird", "", 1, 1, "198.51.100.7:25");
    Assessment a = verdictOf(List.of(hashMatch("Users/janet/Downloads/readme.exe")), List.of(client), List.of());

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void aSavedCopyWithATracedComplaintIsInfectedNamingTheComplaint() {
    Assessment a = verdictOf(List.of(hashMatch("Users/janet/Downloads/readme.exe")), List.of(),
        List.of(new HostEvidence.Complaint("c1", 0.9, NOW.minusSeconds(600), "")));

    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo(VerdictRules.COPY_AND_RAN);
      assertThat(r.text()).contains("complaint c1");
    });
  }

  @Test
  void aSavedCopyWithTheWormsRegistryEntryIsInfectedNamingIt() {
    HostEvidence.Finding run = new HostEvidence.Finding("r1", "klez.registry.run-wink", "RULE_KIND_REGISTRY",
        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\WinkAbcd",
        "Klez starts its Wink copy at logon: value WinkAbcd = C:\\WINDOWS\\SYSTEM32\\WINKABCD.EXE", false);
    Assessment a = verdictOf(List.of(hashMatch("Users/janet/Downloads/readme.exe"), run), List.of(), List.of());

    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo(VerdictRules.COPY_AND_RAN);
      assertThat(r.text()).contains("klez.registry.run-wink");
    });
  }

  @Test
  void aHashMatchOnTheProgramARunValueStartsIsInfection() {
    HostEvidence.Finding run = new HostEvidence.Finding("r1", "local.run-any", "RULE_KIND_REGISTRY",
        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater",
        "Run value: value Updater = \"C:\\Users\\janet\\AppData\\Roaming\\updater.exe\" /silent", true);
    Assessment a = verdictOf(List.of(hashMatch("Users/janet/AppData/Roaming/updater.exe"), run), List.of(), List.of());

    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).anySatisfy(r -> assertThat(r.text()).contains("Run value"));
  }
}
