package io.labscan.controller.e2e;

import static io.labscan.controller.e2e.KlezLab.HAROLD;
import static io.labscan.controller.e2e.KlezLab.HAROLD_PC;
import static io.labscan.controller.e2e.KlezLab.JANET;
import static io.labscan.controller.e2e.KlezLab.LINDA;
import static io.labscan.controller.e2e.KlezLab.LINDA_PC;
import static io.labscan.controller.e2e.KlezLab.RELAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.e2e.KlezLab.Controllers;
import io.labscan.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Klez story, re-enacted with real parts. Linda's PC is infected; the worm mails Janet
 * "from" Harold, straight to the lab's mail exchanger; Janet complains to Harold, whose PC is
 * clean, and forwards the mail to IT as an attachment. The controller, three agents (mutual
 * TLS, enrolled with a token), a real Postfix and the project's command line must name Linda's
 * PC (from the complaint and from Janet's forward, never Janet's machine), clear Harold's, leave
 * the legitimate relay alone, call the worm mail in Harold's inbox exposure (AT_RISK) rather
 * than infection — and keep doing so after DHCP gave Linda's old address to Harold's PC.
 *
 * <p>Runs three times: agents in event mode against a worm on the LAN (sessions of milliseconds,
 * which only the kernel's connection events can catch), and agents polling sockets against a
 * worm whose sessions last about a second, as sessions across the Internet do, each with one
 * controller on SQLite; and the polling story again, unchanged, with two controllers on one
 * PostgreSQL database (issue 20), the agents split between them: whatever an agent told one
 * controller, the operator's commands and the orders the agents get (policy, scans,
 * quarantine) reach across both.
 *
 * <p>Needs root, network namespaces, and iproute2, nftables, postfix, python3 and util-linux,
 * which {@code .ci/run} installs, and PostgreSQL for the two-controller run ({@link
 * io.labscan.testsupport.PostgresServer}): without them it is skipped, saying which ({@link
 * Requirements}; a failure under {@code LABSCAN_STRICT=1}, as in .ci/run). Run alone: see docs/e2e.md.
 */
@EnabledOnOs(OS.LINUX)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KlezStoryIT {
  private static final Duration PATIENCE = Duration.ofSeconds(120);
  private static final Pattern POLICY_VERSION = Pattern.compile("Policy version (\\d+):");

  /** How the agents watch SMTP, and the worm they face. */
  enum Watch {
    EVENTS(true, 5, Duration.ZERO),
    POLLING(false, 3, Duration.ofMillis(200));

    final boolean eventMode;
    final int messages;
    /** Pause before each SMTP command: 0 for a LAN session, 200 ms makes a session of about a second. */
    final Duration hold;

    Watch(boolean eventMode, int messages, Duration hold) {
      this.eventMode = eventMode;
      this.messages = messages;
      this.hold = hold;
    }
  }

  private Path agentJar;
  private Path controllerJar;
  private Path workDir;

  @BeforeAll
  void theMachineCanHostTheLab() {
    Requirements.root("network namespaces for the lab");
    for (String[] tool : new String[][] {{"ip", "iproute2"}, {"nft", "nftables"}, {"postfix", "postfix"},
        {"python3", "python3"}, {"unshare", "util-linux"}}) {
      Requirements.command(tool[0], tool[1]);
    }
    Requirements.kernelFeature("network namespaces, veth pairs and bridges", TestNetwork.refusal());
    agentJar = Path.of(System.getProperty("labscan.agent.jar", "../agent/target/labscan-agent.jar"));
    controllerJar = Path.of(System.getProperty("labscan.controller.jar", "target/labscan-controller.jar"));
    workDir = Path.of(System.getProperty("labscan.e2e.dir", "target/e2e"));
    assertThat(agentJar).as("the agent's runnable jar (build with ./mvnw verify)").isRegularFile();
    assertThat(controllerJar).as("the controller's runnable jar (build with ./mvnw verify)").isRegularFile();
    TestNetwork.removeLeftovers();
  }

  @AfterAll
  void noLabOutlivesTheTests() {
    KlezLab.closeAll();
  }

  /**
   * Both ways of watching on one controller; polling (which also runs the quarantine) on two
   * controllers on PostgreSQL. Event mode adds nothing there the controllers see differently.
   */
  static Stream<Arguments> runs() {
    return Stream.of(Arguments.of(Watch.POLLING, Controllers.TWO_ON_POSTGRESQL),
        Arguments.of(Watch.EVENTS, Controllers.ONE_ON_SQLITE),
        Arguments.of(Watch.POLLING, Controllers.ONE_ON_SQLITE));
  }

  @ParameterizedTest(name = "agents in {0} mode, {1}")
  @MethodSource("runs")
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void theWormsMailIsTracedToLindasPcAndNeverToHarolds(Watch watch, Controllers controllers) throws Exception {
    if (watch.eventMode) {
      Requirements.that(Files.isWritable(KlezLab.LOG_ALL_NETNS), "a writable " + KlezLab.LOG_ALL_NETNS
          + " for event mode (the kernel logs netfilter lines from other namespaces only with it on)",
          "run as root on a kernel with nf_log_syslog (sudo .ci/run)");
    }
    String run = watch.name().toLowerCase(Locale.ROOT)
        + (controllers == Controllers.ONE_ON_SQLITE ? "" : "-" + controllers.name().toLowerCase(Locale.ROOT));
    Path dir = workDir.resolve(run + "-" + System.currentTimeMillis());
    Instant began = Instant.now();
    try (KlezLab lab = KlezLab.create(dir.toAbsolutePath(), agentJar.toAbsolutePath(), controllerJar.toAbsolutePath(),
        controllers)) {
      try {
        story(lab, watch);
      } catch (Throwable t) {
        System.err.println(lab.tails());
        throw t;
      }
    }
    System.err.printf("KlezStoryIT: %s mode, %s, passed in %d s%n", watch, controllers,
        Duration.between(began, Instant.now()).toSeconds());
  }

  private void story(KlezLab lab, Watch watch) throws Exception {
    Instant began = Instant.now();
    Consumer<String> step = what -> System.err.printf("KlezStoryIT [%s %s +%ds] %s%n", watch, lab.controllers,
        Duration.between(began, Instant.now()).toSeconds(), what);
    step.accept("the lab comes up: " + (lab.controllerHosts.size() == 1 ? "a controller" : "two controllers on one "
        + "database") + ", the egress policy, three agents enrolled with a token");
    if (watch.eventMode) {
      lab.logFromEveryNamespace();
    }
    lab.startController();
    patiently().until(lab::controllerServing);
    String token = lab.cli.run("enroll-token", "--lab", KlezLab.LAB, "--uses", "3").orThrow().out().strip();
    lab.cli.run("policy", "--event-mode", watch.eventMode ? "on" : "off", "--egress-window", "10s").orThrow();
    Instant disksFilled = Instant.now();
    for (TestNetwork.Host host : List.of(lab.lindasPc, lab.haroldsPc, lab.relay)) {
      ScanRoots.freshClamAv(lab.scanRoot(host), disksFilled);
    }
    ScanRoots.mailbox(lab.scanRoot(lab.lindasPc), "linda", HAROLD, LINDA, JANET, "lab rota");
    ScanRoots.mailbox(lab.scanRoot(lab.haroldsPc), "harold", "mary@" + KlezLab.DOMAIN, HAROLD, JANET, "seminar");
    lab.startAgent(lab.lindasPc, LINDA_PC, token);
    lab.startAgent(lab.haroldsPc, HAROLD_PC, token);
    lab.startAgent(lab.relay, RELAY, token);
    step.accept("agents started; each enrols, connects over mutual TLS and reports its addresses");
    patiently().untilAsserted(() -> {
      assertThat(lab.db.currentAddresses(LINDA_PC)).containsExactly(lab.lindasPc.ip());
      assertThat(lab.db.currentAddresses(HAROLD_PC)).containsExactly(lab.haroldsPc.ip());
      assertThat(lab.db.currentAddresses(RELAY)).containsExactly(lab.relay.ip());
    });
    long version = policyVersion(lab.cli.run("policy", "--mail-server", RELAY).orThrow());
    lab.cli.run("owner", HAROLD, HAROLD_PC).orThrow();
    patiently().until(() -> lab.agent(RELAY).log().contains("Policy version " + version + " applied."));

    step.accept("Linda's PC is infected; the worm mails Janet \"from\" Harold; the relay sends a newsletter");
    Instant wormStarted = Instant.now();
    ScanRoots.klezArtifact(lab.scanRoot(lab.lindasPc));
    String marker = "klez-" + watch.name().toLowerCase(Locale.ROOT);
    lab.worm(watch.messages, watch.hold, marker);
    lab.newsletterThroughTheRelay("newsletter-" + marker);
    patiently().untilAsserted(() -> {
      assertThat(lab.mailExchanger().deliveredWith("janet", marker + "-")).hasSize(watch.messages);
      assertThat(lab.mailExchanger().deliveredWith("janet", "newsletter-" + marker)).hasSize(1);
    });
    Path complaint = lab.mailExchanger().deliveredWith("janet", marker + "-0@").get(0);

    step.accept("a full scan of every host, asked for from the command line");
    Instant asked = Instant.now();
    lab.cli.run("scan-now").orThrow();
    patiently().untilAsserted(() -> {
      for (String host : List.of(LINDA_PC, HAROLD_PC, RELAY)) {
        assertThat(lab.db.lastFullScan(host)).as(host).hasValueSatisfying(t -> assertThat(t).isAfter(asked));
      }
    });

    step.accept("the agents saw every session of the worm");
    patiently().until(() -> connections(lab.db.egress(LINDA_PC, wormStarted)) >= watch.messages);
    List<ControllerDb.Window> worm = lab.db.egress(LINDA_PC, wormStarted);
    // Every session seen. One still open when a window ends counts in the next window too.
    assertThat(connections(worm)).as("sessions seen").isBetween(watch.messages, 2 * watch.messages);
    assertThat(worm).as("nothing on Linda's PC may send mail").noneMatch(ControllerDb.Window::allowed);
    if (watch.eventMode) {
      assertThat(worm).extracting(ControllerDb.Window::source).contains("event");
    } else {
      assertThat(worm).allSatisfy(w -> {
        assertThat(w.source()).isEqualTo("poll");
        assertThat(w.process()).startsWith("python3");
        assertThat(w.unattributed()).isFalse();
      });
    }
    if (watch.eventMode) {
      // Postfix's own LAN session lasts milliseconds: only the event source is sure to see it.
      patiently().until(() -> !lab.db.egress(RELAY, wormStarted).isEmpty());
    }
    assertThat(lab.db.egress(RELAY, wormStarted)).as("the relay's mail is allowed").allMatch(ControllerDb.Window::allowed);
    assertThat(lab.db.egress(HAROLD_PC, wormStarted)).as("Harold's PC sent nothing").isEmpty();

    step.accept("Janet's complaint is traced to Linda's PC; Harold's PC, the claimed sender's, is clean");
    JsonNode traced = triage(lab, complaint);
    assertThat(traced.at("/origin/ip").asText()).isEqualTo(lab.lindasPc.ip());
    assertThat(traced.at("/candidates/0/hostname").asText()).isEqualTo(LINDA_PC);
    assertThat(traced.at("/candidates/0/confidence").asDouble()).isGreaterThanOrEqualTo(0.9);
    assertThat(traced.at("/claimedSender").asText()).isEqualTo(HAROLD);
    assertThat(traced.at("/claimedSenderHost/hostname").asText()).isEqualTo(HAROLD_PC);
    assertThat(traced.at("/claimedSenderHost/verdict").asText()).isEqualTo("CLEAN");
    assertThat(candidates(traced)).doesNotContainKey(RELAY);
    assertNotBlamed(traced, HAROLD_PC);

    step.accept("verdicts: Linda's PC infected, Harold's PC and the relay clean");
    JsonNode infected = lab.cli.json("infected", "--format", "json");
    assertThat(infected.findValuesAsText("hostname")).containsExactly(LINDA_PC);
    assertThat(verdict(lab, LINDA_PC)).isEqualTo("INFECTED");
    assertThat(verdict(lab, HAROLD_PC)).isEqualTo("CLEAN");
    assertThat(verdict(lab, RELAY)).isEqualTo("CLEAN");

    if (watch == Watch.POLLING) {
      quarantine(lab, step, marker);
    }

    step.accept("Janet forwards the complaint to IT as an attachment; the forward is traced to Linda's PC, not to Janet");
    String forwarderIp = Forwards.forwarderAddress(KlezLab.SUBNET);
    Path forward = Forwards.asAttachment(complaint, lab.dir.resolve("it-support/forward-" + marker + ".eml"), JANET,
        "it-support@" + KlezLab.DOMAIN, "Harold keeps sending me this, please look", forwarderIp,
        "mx." + KlezLab.DOMAIN, lab.mx.ip(), Instant.now());
    JsonNode forwarded = triage(lab, forward);
    assertThat(forwarded.at("/origin/ip").asText()).isEqualTo(lab.lindasPc.ip());
    assertThat(forwarded.at("/candidates/0/hostname").asText()).isEqualTo(LINDA_PC);
    assertThat(forwarded.at("/candidates/0/confidence").asDouble()).isGreaterThanOrEqualTo(0.9);
    assertThat(forwarded.at("/tracedPart").asText()).contains("attachment").contains(JANET);
    assertThat(forwarded.at("/claimedSender").asText()).isEqualTo(HAROLD);
    assertThat(candidates(forwarded)).doesNotContainKey(RELAY);
    assertNotBlamed(forwarded, HAROLD_PC);
    forwarded.path("candidates").forEach(c -> assertThat(c.toString()).as("a candidate for the forwarder's address")
        .doesNotContain(forwarderIp));

    step.accept("a copy of the worm's mail in Harold's inbox is exposure: his PC is AT_RISK, not INFECTED");
    ScanRoots.receivedMail(lab.scanRoot(lab.haroldsPc), "harold", HAROLD, complaint);
    Instant askedAgain = Instant.now();
    lab.cli.run("scan-now").orThrow();
    patiently().untilAsserted(() -> assertThat(lab.db.lastFullScan(HAROLD_PC)).as(HAROLD_PC)
        .hasValueSatisfying(t -> assertThat(t).isAfter(askedAgain)));
    patiently().untilAsserted(() -> assertThat(reasonCodes(lab, HAROLD_PC)).contains("exposure"));
    assertThat(verdict(lab, HAROLD_PC)).isEqualTo("AT_RISK");
    assertThat(verdict(lab, LINDA_PC)).isEqualTo("INFECTED");
    assertThat(lab.cli.json("infected", "--format", "json").findValuesAsText("hostname")).containsExactly(LINDA_PC);

    step.accept("DHCP renumbers: Linda's PC gets a new address, Harold's PC gets Linda's old one");
    String lindasOldIp = lab.lindasPc.ip();
    lab.net.renumber(lab.lindasPc, 171);
    lab.net.renumber(lab.haroldsPc, 107);
    patiently().untilAsserted(() -> {
      assertThat(lab.db.currentAddresses(LINDA_PC)).containsExactly(lab.lindasPc.ip());
      assertThat(lab.db.currentAddresses(HAROLD_PC)).containsExactly(lindasOldIp);
    });
    lab.worm(1, watch.hold, marker + "-renumbered");
    patiently().until(() -> lab.mailExchanger().deliveredWith("janet", marker + "-renumbered-").size() == 1);
    Path laterComplaint = lab.mailExchanger().deliveredWith("janet", marker + "-renumbered-").get(0);

    step.accept("the old complaint still names Linda's PC: the later holder of her address is never blamed");
    JsonNode old = triage(lab, complaint);
    assertThat(old.at("/origin/ip").asText()).isEqualTo(lindasOldIp);
    assertThat(old.at("/candidates/0/hostname").asText()).isEqualTo(LINDA_PC);
    assertNotBlamed(old, HAROLD_PC);
    JsonNode later = triage(lab, laterComplaint);
    assertThat(later.at("/origin/ip").asText()).isEqualTo(lab.lindasPc.ip());
    assertThat(later.at("/candidates/0/hostname").asText()).isEqualTo(LINDA_PC);
    assertNotBlamed(later, HAROLD_PC);
    // Still only exposed: the worm mail in his inbox, never the address he took over, counts against him.
    assertThat(verdict(lab, HAROLD_PC)).isEqualTo("AT_RISK");
    assertThat(reasonCodes(lab, HAROLD_PC)).contains("exposure").doesNotContain("complaint", "smtp-egress");
    step.accept("done");
  }

  /**
   * LabScan named Linda's PC: IT quarantines its outbound mail. The worm's next sessions never
   * reach the MX (its log shows no connection from her PC), a sender policy allows on the same
   * machine still delivers, and the release restores sending. (One run only: ~20 s.)
   */
  private void quarantine(KlezLab lab, Consumer<String> step, String marker) throws Exception {
    step.accept("IT quarantines Linda's PC; the system user daemon may still send");
    lab.cli.run("policy", "--quarantine-allow-user", "daemon").orThrow();
    lab.cli.run("quarantine", "--reason", "Klez mailing, complaint traced", LINDA_PC).orThrow();
    patiently().until(() -> lab.db.quarantine(LINDA_PC).filter(s -> s.startsWith("ENFORCED")).isPresent());
    long before = lab.mailExchanger().connectionsFrom(lab.lindasPc.ip());

    step.accept("the worm's next sessions are refused on Linda's PC and never reach the MX");
    for (int i = 0; i < 3; i++) {
      Commands.Result refused = lab.wormOnce("q-blocked-" + marker + "-" + i);
      assertThat(refused.exit()).as("the worm's session under quarantine: " + refused.err()).isNotZero();
      assertThat(refused.err()).contains("Connection refused");
    }
    lab.allowedSenderOnLindasPc("q-allowed-" + marker);
    patiently().until(() -> lab.mailExchanger().deliveredWith("janet", "q-allowed-" + marker + "-").size() == 1);
    assertThat(lab.mailExchanger().connectionsFrom(lab.lindasPc.ip()))
        .as("sessions from Linda's PC in the MX's log: only the allowed sender's").isEqualTo(before + 1);
    assertThat(lab.mailExchanger().deliveredWith("janet", "q-blocked-" + marker)).isEmpty();
    patiently().until(() -> lab.db.blockedAttempts(LINDA_PC, lab.mx.ip()) >= 3);
    assertThat(verdict(lab, LINDA_PC)).isEqualTo("INFECTED");

    step.accept("IT releases Linda's PC: the agent removes its rules and mail flows again");
    lab.cli.run("release", "--reason", "reimaged", LINDA_PC).orThrow();
    patiently().until(() -> lab.db.quarantine(LINDA_PC).filter(s -> s.startsWith("NONE")).isPresent());
    lab.wormOnce("q-released-" + marker).orThrow();
    patiently().until(() -> lab.mailExchanger().deliveredWith("janet", "q-released-" + marker + "-").size() == 1);
  }

  private static JsonNode triage(KlezLab lab, Path complaint) throws Exception {
    // The MX by address (for lines it is the client of) and by the name it writes in its own
    // Received: lines (so its top line counts as ours and the answer is recorded).
    return lab.cli.json("triage", "--trust", lab.mx.ip(), "--trust", "mx." + KlezLab.DOMAIN, "--format", "json",
        complaint.toString());
  }

  private static String verdict(KlezLab lab, String hostname) throws Exception {
    return lab.cli.json("host", "--format", "json", hostname).at("/verdict/verdict").asText();
  }

  /** The codes of the host's current verdict reasons ({@code exposure}, {@code clean}, ...). */
  private static List<String> reasonCodes(KlezLab lab, String hostname) throws Exception {
    List<String> codes = new ArrayList<>();
    lab.cli.json("host", "--format", "json", hostname).at("/verdict/reasons").forEach(r -> codes.add(r.path("code")
        .asText()));
    return codes;
  }

  /** Candidates by hostname, with their confidence. */
  private static Map<String, Double> candidates(JsonNode triage) {
    Map<String, Double> out = new LinkedHashMap<>();
    triage.path("candidates").forEach(c -> out.put(c.path("hostname").asText(), c.path("confidence").asDouble()));
    return out;
  }

  /** The host is no suspect: not for holding the origin address, and never with confidence. */
  private static void assertNotBlamed(JsonNode triage, String hostname) {
    for (JsonNode c : triage.path("candidates")) {
      if (c.path("hostname").asText().equals(hostname)) {
        assertThat(c.path("confidence").asDouble()).as(hostname + " confidence").isLessThan(0.5);
        List<String> reasons = new ArrayList<>();
        c.path("reasons").forEach(r -> reasons.add(r.asText()));
        assertThat(reasons).as(hostname + " reasons").noneMatch(r -> r.startsWith("held "));
      }
    }
  }

  private static int connections(List<ControllerDb.Window> windows) {
    return windows.stream().mapToInt(ControllerDb.Window::connections).sum();
  }

  private static long policyVersion(Commands.Result policy) {
    Matcher m = POLICY_VERSION.matcher(policy.out());
    assertThat(m.find()).as("policy prints its version: " + policy.out()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static ConditionFactory patiently() {
    return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).ignoreExceptions();
  }
}
