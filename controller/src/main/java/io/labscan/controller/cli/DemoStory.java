package io.labscan.controller.cli;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.contract.egress.EgressReports;
import io.labscan.contract.harvest.AddressDigest;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.controller.fleet.Fleet;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.CheckResult;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.FindingSeverity;
import io.labscan.proto.v1.HarvestDigests;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.MailFinding;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.proto.v1.SocketStateCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The simulated lab {@code labscan-controller demo} loads: the Klez story of the README, as the
 * agents of a dozen lab PCs and the campus mail exchanger would have reported it, plus the
 * complaint Janet received "from" Harold.
 *
 * <p>Everything is built in code, relative to the injected clock (the story happened over the
 * last day), so the verdicts are those of a live lab: the reports are ordinary {@link Report}
 * messages, written as agent report files ({@code labscan-agent scan --out}) by
 * {@link #writeReportFiles} and stored by {@link #load} through the same path as {@code import}
 * (file validation, the ingestor, verdicts); the mail-server role and the owner of Harold's
 * address are set as {@code policy --mail-server} and {@code owner} set them.
 *
 * <p>The lab: {@code demo-bio-lab} holds lab-pc-01 to lab-pc-07; Linda's lab-pc-07 is infected
 * (Klez files, its registry Run value, an infected message, and SMTP egress by the worm's own
 * engine straight to the campus MX). {@code demo-chem-lab} holds lab-pc-08 to lab-pc-12, two of
 * them with stale antivirus definitions and one switched off since yesterday; Harold's
 * lab-pc-12 is clean. After the worm's mail, DHCP moved lab-pc-07 to a new address and gave its
 * old one to Harold's PC, so the address alone would blame Harold. {@code mx} in
 * {@code demo-servers} is the campus mail exchanger (role mail-server: its SMTP egress is
 * allowed).
 *
 * <p>Host ids are name-based UUIDs ({@code labscan-demo/HOSTNAME}), the same in every database,
 * so a second load is recognisable; random parts (report ids, MACs) come from a seeded random.
 */
public final class DemoStory {
  /** The host role marking simulated hosts (table host_roles): shown as demo data everywhere. */
  public static final String DEMO_ROLE = Storage.DEMO_ROLE;
  /** The campus mail exchanger's address: the MTA the demo's triage trusts. */
  public static final String MX_IP = "10.20.0.25";
  public static final String DOMAIN = "example.edu";
  public static final String INFECTED_HOST = "lab-pc-07";
  public static final String HAROLDS_HOST = "lab-pc-12";
  public static final String MX_HOST = "mx";
  public static final String CLAIMED_SENDER = "harold@" + DOMAIN;
  static final String LINDAS_OLD_IP = "10.20.3.17";
  static final String LINDAS_NEW_IP = "10.20.3.99";
  static final String COMPLAINT_FILE = "complaint-janet-from-harold.eml";

  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final String XP_PATH_PREFIX = "WINDOWS/SYSTEM32/";
  private static final String WORM_FILE = "WINKJQX.EXE";
  private static final String RULES = "2025.1";

  private final byte[] fleetKey;
  private final Instant now;
  private final Instant worm;
  private final Random random = new Random(20_021_17L);
  private final List<Report> reports = new ArrayList<>();
  private final Map<String, Long> sequences = new LinkedHashMap<>();
  private final Map<String, String> hostIds = new LinkedHashMap<>();
  private final Map<String, String> owners = new LinkedHashMap<>();
  private final byte[] complaint;

  /**
   * Builds the story.
   *
   * @param fleetKey the controller's fleet key (harvested-address digests are keyed with it)
   * @param clock the story ends at this clock's present
   */
  public DemoStory(byte[] fleetKey, Clock clock) {
    this.fleetKey = requireNonNull(fleetKey, "fleetKey").clone();
    this.now = requireNonNull(clock, "clock").instant().truncatedTo(ChronoUnit.SECONDS);
    // The worm's mail left Linda's PC three hours ago, at 11 seconds past a minute.
    this.worm = now.minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES).plusSeconds(11);
    build();
    this.complaint = complaintText().getBytes(StandardCharsets.US_ASCII);
  }

  /** Every report, in the order the controller would have received them (creation time). */
  public List<Report> reports() {
    return List.copyOf(reports);
  }

  /** Hostname → host id of every simulated host. */
  public Map<String, String> hostIds() {
    return Map.copyOf(hostIds);
  }

  public String hostId(String hostname) {
    String id = hostIds.get(hostname);
    if (id == null) {
      throw new IllegalArgumentException("no demo host " + hostname);
    }
    return id;
  }

  /** E-mail address → the host of its owner ({@code owner EMAIL HOST}). */
  public Map<String, String> owners() {
    return Map.copyOf(owners);
  }

  /** Hosts with the mail-server role ({@code policy --mail-server HOST}). */
  public List<String> mailServers() {
    return List.of(hostId(MX_HOST));
  }

  /** The MTAs triage must trust for this lab ({@code triage --trust}). */
  public List<String> trustedMtas() {
    return List.of(MX_IP);
  }

  /** When the worm's mail left lab-pc-07 (the complaint's origin time). */
  public Instant wormTime() {
    return worm;
  }

  /** Janet's complaint: the message she received "from" Harold, as an .eml (CRLF lines). */
  public byte[] complaint() {
    return complaint.clone();
  }

  /** The id every simulated host has, whatever database it is loaded into. */
  public static String demoHostId(String hostname) {
    return UUID.nameUUIDFromBytes(("labscan-demo/" + hostname).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * Writes each report as {@code labscan-agent scan --out} does (protobuf JSON, one file per
   * report, named so that a directory listing is in delivery order) and the complaint.
   *
   * @return the report files, in delivery order
   */
  public List<Path> writeReportFiles(Path dir) {
    requireNonNull(dir, "dir");
    try {
      Files.createDirectories(dir);
      List<Path> files = new ArrayList<>();
      int n = 1;
      for (Report r : reports) {
        Path file = dir.resolve(String.format(Locale.ROOT, "%03d-%s-%s.json", n++, r.getInventory().getHostname(),
            r.getScan().getKind().name().replace("SCAN_KIND_", "").toLowerCase(Locale.ROOT)));
        Files.writeString(file, JsonFormat.printer().print(r) + "\n", StandardCharsets.UTF_8);
        files.add(file);
      }
      Files.write(dir.resolve(COMPLAINT_FILE), complaint);
      return files;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("demo report cannot be printed as JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the demo story to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Where {@link #writeReportFiles} put the complaint. */
  public static Path complaintFile(Path dir) {
    return dir.resolve(COMPLAINT_FILE);
  }

  /** What {@link #load} did: the story's files and whether it stored them now. */
  public record Loaded(Path directory, Path complaintFile, byte[] complaint, List<String> trustedMtas,
      boolean loadedNow, int reports) {
    public Loaded {
      requireNonNull(directory, "directory");
      requireNonNull(complaintFile, "complaintFile");
      complaint = requireNonNull(complaint, "complaint").clone();
      trustedMtas = List.copyOf(trustedMtas);
    }

    @Override
    public byte[] complaint() {
      return complaint.clone();
    }
  }

  /**
   * Loads the simulated lab into a controller's store, once per database: writes the report
   * files and the complaint under {@code dir}, imports the files as {@code import} does, marks
   * every simulated host as demo data, gives the MX the mail-server role, records Harold's
   * address as his, and stores the complaint as the Triage page's sample.
   *
   * <p>A database that already holds the demo hosts is left as it is (a second load would
   * interleave two stories' address histories); the complaint written at the first load is
   * returned. Its hosts then age like real ones: a fresh {@code --data-dir} gives a fresh story.
   *
   * @throws IllegalStateException if a generated report fails validation (a bug, named)
   */
  public static Loaded load(io.labscan.controller.Controller controller, Path dir) {
    return load(controller.store(), controller.ingestor(), controller.verdicts(), controller.policies(),
        controller.clock(), dir);
  }

  /** As above, with services the composition root (or a test's wiring) built over {@code store}. */
  public static Loaded load(Storage store, ReportIngestor ingestor, VerdictService verdicts,
      PolicyProvider policies, Clock clock, Path dir) {
    requireNonNull(store, "store");
    requireNonNull(ingestor, "ingestor");
    requireNonNull(verdicts, "verdicts");
    requireNonNull(policies, "policies");
    requireNonNull(clock, "clock");
    requireNonNull(dir, "dir");
    Path complaintFile = complaintFile(dir);
    if (!store.hostsWithRole(DEMO_ROLE).isEmpty()) {
      // Loaded before: the complaint that goes with those reports is the stored sample.
      byte[] complaint = store.setting(Fleet.TRIAGE_SAMPLE).orElseThrow(() -> new IllegalStateException(
          "the database holds demo hosts but not their complaint; use a fresh data folder"));
      try {
        if (!Files.isRegularFile(complaintFile)) {
          Files.createDirectories(dir);
          Files.write(complaintFile, complaint);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + complaintFile + ": " + e.getMessage(), e);
      }
      return new Loaded(dir, complaintFile, complaint, List.of(MX_IP), false, 0);
    }
    DemoStory story = new DemoStory(store.secret(PolicyProvider.FLEET_KEY), clock);
    List<Path> files = story.writeReportFiles(dir);
    List<String> problems = new ArrayList<>();
    List<Report> reports = ImportCommand.readAll(files, ingestor.validator(), problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the demo story's reports are invalid: " + String.join("; ", problems));
    }
    // The sample first: a database with demo hosts always has their complaint.
    store.putSettings(Map.of(
        Fleet.TRIAGE_SAMPLE, story.complaint(),
        Fleet.TRIAGE_SAMPLE_NAME, ("Janet's complaint \"A very funny website\" from " + CLAIMED_SENDER
            + " (demo data)").getBytes(StandardCharsets.UTF_8))).join();
    for (String hostId : story.hostIds().values()) {
      store.setRole(hostId, DEMO_ROLE, true).join();
    }
    for (String mailServer : story.mailServers()) {
      policies.setMailServer(mailServer, true);
    }
    ImportCommand.Imported imported = ImportCommand.storeAll(reports, ingestor, verdicts);
    for (Map.Entry<String, String> owner : story.owners().entrySet()) {
      store.setAddressOwner(owner.getKey(), owner.getValue(), "operator", clock.instant()).join();
    }
    return new Loaded(dir, complaintFile, story.complaint(), story.trustedMtas(), true, imported.stored());
  }

  // ---- the lab ------------------------------------------------------------------------------

  private record Pc(String hostname, String lab, String ip, String user, AvState av, boolean offSinceYesterday) {}

  private void build() {
    List<Pc> pcs = List.of(
        new Pc("lab-pc-01", "demo-bio-lab", "10.20.3.11", "amira", AvState.AV_STATE_FRESH, false),
        new Pc("lab-pc-02", "demo-bio-lab", "10.20.3.12", "bjorn", AvState.AV_STATE_FRESH, false),
        new Pc("lab-pc-03", "demo-bio-lab", "10.20.3.13", "chen", AvState.AV_STATE_FRESH, false),
        new Pc("lab-pc-04", "demo-bio-lab", "10.20.3.14", "dolores", AvState.AV_STATE_FRESH, false),
        new Pc("lab-pc-05", "demo-bio-lab", "10.20.3.15", "emeka", AvState.AV_STATE_FRESH, false),
        new Pc("lab-pc-06", "demo-bio-lab", "10.20.3.16", "farah", AvState.AV_STATE_FRESH, false),
        new Pc(INFECTED_HOST, "demo-bio-lab", LINDAS_OLD_IP, "linda", AvState.AV_STATE_FRESH, false),
        new Pc("lab-pc-08", "demo-chem-lab", "10.20.3.21", "gustav", AvState.AV_STATE_FRESH, false),
        new Pc("lab-pc-09", "demo-chem-lab", "10.20.3.22", "hana", AvState.AV_STATE_STALE, false),
        new Pc("lab-pc-10", "demo-chem-lab", "10.20.3.23", "ivan", AvState.AV_STATE_STALE, false),
        new Pc("lab-pc-11", "demo-chem-lab", "10.20.3.24", "jun", AvState.AV_STATE_FRESH, true),
        new Pc(HAROLDS_HOST, "demo-chem-lab", "10.20.3.18", "harold", AvState.AV_STATE_FRESH, false));
    for (Pc pc : pcs) {
      hostIds.put(pc.hostname(), demoHostId(pc.hostname()));
    }
    hostIds.put(MX_HOST, demoHostId(MX_HOST));
    owners.put(CLAIMED_SENDER, hostId(HAROLDS_HOST));
    owners.put("linda@" + DOMAIN, hostId(INFECTED_HOST));

    List<String> colleagues = new ArrayList<>();
    for (Pc pc : pcs) {
      colleagues.add(pc.user() + "@" + DOMAIN);
    }
    colleagues.addAll(List.of("janet@" + DOMAIN, "dean@" + DOMAIN, "it-help@" + DOMAIN,
        "seminar-list@" + DOMAIN, "m.okafor@uni-example.org", "conference@example.org"));

    // Last night's scheduled full scans: every PC, before the infection, all clean.
    Instant night = now.minus(Duration.ofHours(20)).truncatedTo(ChronoUnit.HOURS);
    int slot = 0;
    for (Pc pc : pcs) {
      Instant finished = night.plusSeconds(170L * slot++ + 600);
      List<String> book = pc.hostname().equals(INFECTED_HOST) ? colleagues
          : pc.hostname().equals(HAROLDS_HOST) ? List.of(CLAIMED_SENDER, "janet@" + DOMAIN, "dean@" + DOMAIN)
          : List.of(pc.user() + "@" + DOMAIN, "seminar-list@" + DOMAIN);
      add(fullScan(pc, pc.ip(), finished, "schedule", List.of(), book));
    }
    Instant mxNight = night.plusSeconds(170L * slot + 600);
    add(mxFullScan(mxNight));

    // The worm's SMTP engine mails Janet (and everybody else in Linda's address book) "from"
    // Harold, straight to the campus MX and to outside MXs; the agent reports one-minute windows.
    Pc linda = pcs.get(6);
    List<SmtpEgressWindow> wormWindows = new ArrayList<>();
    for (int minute = -1; minute <= 1; minute++) {
      Instant start = worm.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(minute));
      wormWindows.add(window(start, 3112, "winkjqx.exe", "C:\\WINDOWS\\SYSTEM32\\WINKJQX.EXE", "linda", false,
          destination(MX_IP, 25, 6 + minute), destination("192.0.2.80", 25, 2), destination("198.51.100.25", 25, 1)));
    }
    add(EgressReports.report(inventory(linda, LINDAS_OLD_IP, night.plus(Duration.ofHours(7))), wormWindows,
        nextSequence(linda.hostname()), 1, worm.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(2)).plusSeconds(4)));
    // Meanwhile the campus MX relays that mail and the day's other mail (allowed: a mail server).
    Instant mxWindow = worm.truncatedTo(ChronoUnit.MINUTES);
    add(EgressReports.report(mxInventory(), List.of(
            window(mxWindow, 1907, "smtp", "/usr/lib/postfix/sbin/smtp", "postfix", true,
                destination("10.20.0.30", 25, 9), destination("192.0.2.80", 25, 2)),
            window(mxWindow.plus(Duration.ofMinutes(1)), 1911, "smtp", "/usr/lib/postfix/sbin/smtp", "postfix", true,
                destination("10.20.0.30", 25, 7), destination("203.0.113.17", 25, 1))),
        nextSequence(MX_HOST), 1, mxWindow.plus(Duration.ofMinutes(2)).plusSeconds(2)));

    // The MX relays mail all day: its latest egress report came a few minutes ago.
    Instant mxRecent = now.minus(Duration.ofMinutes(7)).truncatedTo(ChronoUnit.MINUTES);
    add(EgressReports.report(mxInventory(), List.of(
            window(mxRecent, 2230, "smtp", "/usr/lib/postfix/sbin/smtp", "postfix", true,
                destination("10.20.0.30", 25, 4), destination("198.51.100.25", 25, 1))),
        nextSequence(MX_HOST), 1, mxRecent.plus(Duration.ofMinutes(1)).plusSeconds(3)));

    // DHCP: Linda's PC is renumbered, and its old address goes to Harold's PC.
    Instant renumbered = worm.plus(Duration.ofMinutes(58));
    add(EgressReports.addressChange(inventory(linda, LINDAS_NEW_IP, night.plus(Duration.ofHours(7))),
        nextSequence(linda.hostname()), 1, renumbered));
    Pc harold = pcs.get(11);
    add(EgressReports.addressChange(inventory(harold, LINDAS_OLD_IP, renumbered.plus(Duration.ofMinutes(9))),
        nextSequence(harold.hostname()), 1, renumbered.plus(Duration.ofMinutes(10))));

    // This morning's agent starts (the inventory each agent reports when it starts), except
    // the PC that has been off since yesterday.
    int i = 0;
    for (Pc pc : pcs) {
      i++;
      if (pc.offSinceYesterday() || pc == harold) {
        continue;
      }
      String ip = pc == linda ? LINDAS_NEW_IP : pc.ip();
      Instant boot = now.minus(Duration.ofMinutes(55 - 3L * i));
      add(EgressReports.addressChange(inventory(pc, ip, boot.minusSeconds(75)), nextSequence(pc.hostname()), 1, boot));
    }
    add(EgressReports.addressChange(inventory(harold, LINDAS_OLD_IP, renumbered.plus(Duration.ofMinutes(9))),
        nextSequence(harold.hostname()), 1, now.minus(Duration.ofMinutes(4))));

    // IT staff asked for a full scan of Linda's PC: it finds the worm.
    add(fullScan(linda, LINDAS_NEW_IP, now.minus(Duration.ofMinutes(12)), "controller", lindasFindings(), colleagues));
    reports.sort(Comparator.comparing((Report r) -> Timestamps.toMillis(r.getCreated())));
  }

  private List<ArtifactFinding> lindasFindings() {
    Instant mailDate = worm.minus(Duration.ofDays(1)).plusSeconds(3_333);
    return List.of(
        ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe").setRuleKind(RuleKind.RULE_KIND_FILE_NAME)
            .setPath(XP_PATH_PREFIX + WORM_FILE).setSize(144_384).setSha256(sha256Like("winkjqx"))
            .setDetail("Klez worm copy in the Windows system folder (Wink + random letters, .exe)")
            .setRuleSetVersion(RULES).setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build(),
        ArtifactFinding.newBuilder().setRuleId("klez.registry.run-wink").setRuleKind(RuleKind.RULE_KIND_REGISTRY)
            .setRegistryKey("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Winkjqx")
            .setDetail("Klez starts its Wink copy at logon through this Run value: Run runs "
                + "C:\\WINDOWS\\SYSTEM32\\WINKJQX.EXE")
            .setRuleSetVersion(RULES).setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build(),
        ArtifactFinding.newBuilder().setRuleId("klez.temp.random-executable").setRuleKind(RuleKind.RULE_KIND_FILE_NAME)
            .setPath("Users/linda/AppData/Local/Temp/Qkrtvbnx.exe").setSize(3_072).setSha256(sha256Like("elkern"))
            .setDetail("Executable with a random-looking name in a temp folder, where the Klez dropper puts ElKern "
                + "(heuristic)")
            .setRuleSetVersion(RULES).setSeverity(FindingSeverity.FINDING_SEVERITY_SUSPICIOUS).build(),
        ArtifactFinding.newBuilder().setRuleId("mail.ms01-020").setRuleKind(RuleKind.RULE_KIND_MAIL)
            .setPath("Users/linda/AppData/Roaming/Thunderbird/Profiles/k3x9d2qa.default/Mail/Local Folders/Inbox")
            .setDetail("HTML part starts an attachment through <iframe src=cid:...> (MS01-020, the Klez trick)")
            .setMail(MailFinding.newBuilder().setMessageId("<HNR5V0M2Q@uni-example.org>")
                .setDate(ts(mailDate)).setPartName("readme.exe").setSubject("A very funny website"))
            .setRuleSetVersion("mail-1").setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build());
  }

  private Report fullScan(Pc pc, String ip, Instant finished, String trigger, List<ArtifactFinding> findings,
      List<String> addressBook) {
    Instant started = finished.minusSeconds(400 + random.nextInt(300));
    long files = 160_000 + random.nextInt(60_000);
    Report.Builder b = Report.newBuilder()
        .setReportId(uuid())
        .setSequence(nextSequence(pc.hostname()))
        .setCreated(ts(finished))
        .setInventory(inventory(pc, ip, finished.minus(Duration.ofHours(2))))
        .addAv(av(pc.av(), finished))
        .addAllFindings(findings)
        .setHarvest(harvest(addressBook))
        .setPolicyVersion(1)
        .setScan(ScanSummary.newBuilder().setScanId(uuid()).setKind(ScanKind.SCAN_KIND_FULL)
            .setStarted(ts(started)).setFinished(ts(finished)).setTrigger(trigger)
            .setFilesScanned(files).setBytesScanned(files * 41_000L)
            .putSkipped("unreadable", 12 + random.nextInt(30))
            .addAllChecks(checks(finished.getEpochSecond() - started.getEpochSecond())));
    return b.build();
  }

  private Report mxFullScan(Instant finished) {
    HostInventory inv = mxInventory();
    Instant started = finished.minusSeconds(240);
    return Report.newBuilder()
        .setReportId(uuid())
        .setSequence(nextSequence(MX_HOST))
        .setCreated(ts(finished))
        .setInventory(inv)
        .addAv(AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setEngineVersion("1.0.7")
            .setDefinitionsVersion("27470").setDefinitionsTime(ts(finished.minus(Duration.ofHours(5))))
            .setDefinitionsAgeSeconds(5 * 3600).setState(AvState.AV_STATE_FRESH)
            .setReason("daily.cld built 5 hours ago (limit 3 days)").setSource("/var/lib/clamav/daily.cld"))
        .setPolicyVersion(1)
        .setScan(ScanSummary.newBuilder().setScanId(uuid()).setKind(ScanKind.SCAN_KIND_FULL)
            .setStarted(ts(started)).setFinished(ts(finished)).setTrigger("schedule")
            .setFilesScanned(48_211).setBytesScanned(1_912_113_664L)
            .addAllChecks(checks(240)))
        .build();
  }

  private static List<CheckResult> checks(long seconds) {
    List<CheckResult> out = new ArrayList<>();
    for (String check : List.of("inventory", "av", "artifacts", "mail", "harvest")) {
      long millis = check.equals("artifacts") ? seconds * 700 : check.equals("mail") ? seconds * 250 : 40;
      out.add(CheckResult.newBuilder().setCheck(check).setOutcome(CheckOutcome.CHECK_OUTCOME_OK)
          .setDurationMillis(millis).build());
    }
    return out;
  }

  private HostInventory inventory(Pc pc, String ip, Instant boot) {
    return HostInventory.newBuilder()
        .setHostId(hostId(pc.hostname()))
        .setHostname(pc.hostname())
        .setFqdn(pc.hostname() + ".lab." + DOMAIN)
        .setOsFamily("windows")
        .setOsVersion("Microsoft Windows 10 Education 22H2 (build 19045)")
        .setArchitecture("amd64")
        .setAgentVersion("0.1.0")
        .addInterfaces(NetworkInterface.newBuilder().setName("Ethernet").setMac(mac(pc.hostname())).addIpv4(ip))
        .addLoggedInUsers(pc.user())
        .setBootTime(ts(boot))
        .setElevated(true)
        .setLab(pc.lab())
        .build();
  }

  private HostInventory mxInventory() {
    return HostInventory.newBuilder()
        .setHostId(hostId(MX_HOST))
        .setHostname(MX_HOST)
        .setFqdn("mx." + DOMAIN)
        .setOsFamily("linux")
        .setOsVersion("Debian GNU/Linux 12 (bookworm)")
        .setArchitecture("amd64")
        .setAgentVersion("0.1.0")
        .addInterfaces(NetworkInterface.newBuilder().setName("eth0").setMac(mac(MX_HOST)).addIpv4(MX_IP))
        .setBootTime(ts(now.minus(Duration.ofDays(41))))
        .setElevated(true)
        .setLab("demo-servers")
        .build();
  }

  private AvStatus av(AvState state, Instant at) {
    long age = state == AvState.AV_STATE_STALE ? Duration.ofDays(23).toSeconds() : Duration.ofHours(9).toSeconds();
    return AvStatus.newBuilder()
        .setProvider("defender")
        .setProduct("Microsoft Defender Antivirus")
        .setEngineVersion("1.1.24090.11")
        .setDefinitionsVersion(state == AvState.AV_STATE_STALE ? "1.417.212.0" : "1.421.1043.0")
        .setDefinitionsTime(ts(at.minusSeconds(age)))
        .setDefinitionsAgeSeconds(age)
        .setState(state)
        .setReason(state == AvState.AV_STATE_STALE
            ? "definitions 23 days old (limit 3 days)" : "definitions 9 hours old (limit 3 days)")
        .setSource("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates")
        .build();
  }

  private HarvestDigests harvest(List<String> addresses) {
    HarvestDigests.Builder b = HarvestDigests.newBuilder().setKeyId(PolicyProvider.keyId(fleetKey))
        .setAddressesSeen(addresses.size() * 3);
    for (String a : addresses) {
      b.addDigests(ByteString.copyFrom(AddressDigest.digest(fleetKey, a)));
    }
    return b.build();
  }

  private static SmtpEgressWindow window(Instant start, int pid, String name, String path, String user,
      boolean allowed, EgressDestination... destinations) {
    int connections = 0;
    for (EgressDestination d : destinations) {
      connections += d.getConnections();
    }
    return SmtpEgressWindow.newBuilder()
        .setWindowStart(ts(start))
        .setWindowEnd(ts(start.plusSeconds(60)))
        .setFirstSeen(ts(start.plusSeconds(2)))
        .setLastSeen(ts(start.plusSeconds(57)))
        .setPid(pid).setProcessName(name).setProcessPath(path).setUser(user)
        .setConnections(connections).setDistinctDestinations(destinations.length)
        .addAllDestinations(List.of(destinations))
        .setAllowed(allowed)
        .setStates(SocketStateCounts.newBuilder().setEstablished(connections).setTimeWait(connections))
        .setSource("poll")
        .build();
  }

  private static EgressDestination destination(String ip, int port, int connections) {
    return EgressDestination.newBuilder().setIp(ip).setPort(port).setConnections(connections).build();
  }

  // ---- the complaint ------------------------------------------------------------------------

  /**
   * What Janet's mailbox holds: the worm's message, forged "from" Harold, with the Received:
   * chain its real path wrote — Linda's PC (then at 10.20.3.17, greeting with Harold's machine
   * name) to the campus MX, the MX to Janet's mailbox server. The attachment is harmless text.
   */
  private String complaintText() {
    String boundary = "----=_NextPart_000_0007_4E3A1C2F";
    String attachment = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
        "LabScan demo: a harmless stand-in for the worm's attachment.\r\n".getBytes(StandardCharsets.US_ASCII));
    return String.join("\r\n",
        "Return-Path: <" + CLAIMED_SENDER + ">",
        "Delivered-To: janet@" + DOMAIN,
        "Received: from mx." + DOMAIN + " (mx." + DOMAIN + " [" + MX_IP + "])",
        "\tby mailbox." + DOMAIN + " (Postfix) with ESMTPS id 4QzK7m1R2fz9vBw",
        "\tfor <janet@" + DOMAIN + ">; " + RFC5322.format(worm.plusSeconds(2)),
        "Received: from " + HAROLDS_HOST + " (unknown [" + LINDAS_OLD_IP + "])",
        "\tby mx." + DOMAIN + " (Postfix) with SMTP id 7D1E23A04F",
        "\tfor <janet@" + DOMAIN + ">; " + RFC5322.format(worm),
        "From: Harold <" + CLAIMED_SENDER + ">",
        "To: janet@" + DOMAIN,
        "Subject: A very funny website",
        "Date: " + RFC5322.format(worm.minusSeconds(4)),
        "Message-ID: <LT7R9QZK2@" + HAROLDS_HOST + ">",
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"",
        "",
        "--" + boundary,
        "Content-Type: text/html; charset=us-ascii",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "<HTML><HEAD></HEAD><BODY>",
        "<FONT>This is a very funny website, have a look.</FONT>",
        "<iframe src=3Dcid:Q8H3J2K1 height=3D0 width=3D0></iframe>",
        "</BODY></HTML>",
        "--" + boundary,
        "Content-Type: audio/x-wav; name=\"readme.exe\"",
        "Content-Transfer-Encoding: base64",
        "Content-ID: <Q8H3J2K1>",
        "",
        attachment,
        "--" + boundary + "--",
        "");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void add(Report report) {
    reports.add(report);
  }

  private long nextSequence(String hostname) {
    return sequences.merge(hostname, 1L, Long::sum);
  }

  private String uuid() {
    return new UUID(random.nextLong() & 0xffffffffffff0fffL | 0x4000L, random.nextLong() & 0x3fffffffffffffffL
        | 0x8000000000000000L).toString();
  }

  private String mac(String hostname) {
    int h = hostname.hashCode();
    return String.format(Locale.ROOT, "00:1a:a0:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
  }

  /** The SHA-256 of the harmless text that stands in for a worm file. */
  private static String sha256Like(String name) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(("LabScan demo stand-in for " + name + "\n").getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Timestamp ts(Instant t) {
    return Timestamps.fromMillis(t.toEpochMilli());
  }
}
