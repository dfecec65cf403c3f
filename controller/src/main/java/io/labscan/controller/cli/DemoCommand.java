package io.labscan.controller.cli;

import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.fleet.HostsFormat;
import io.labscan.controller.text.Text;
import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.contract.spi.EmbeddedAgentLauncher;
import io.labscan.contract.spi.EmbeddedAgentLauncher.EmbeddedAgent;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.web.Dashboard;
import io.labscan.controller.web.DashboardOptions;
import io.labscan.controller.web.EngineTriageRunner;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.TriageResult;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.proto.v1.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code labscan-controller demo}: a controller on an embedded SQLite file and one agent on
 * this machine, talking real gRPC on loopback; one full scan; the host table. Unless
 * {@code --no-story}, also the simulated Klez lab of {@link DemoStory}, loaded through the
 * import path, and the triage of Janet's complaint against it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
      "Starts a controller on an embedded SQLite file under --data-dir and one agent on this machine,",
      "talking gRPC on loopback (plaintext, loopback only), runs a full scan, prints the host table,",
      "and keeps serving until Ctrl-C. It also loads a simulated lab (the Klez story, marked as demo",
      "data) through the same validation as 'import' and traces a sample complaint; --no-story skips that."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--data-dir", defaultValue = "labscan-data", paramLabel = "DIR",
      description = "Where the demo keeps its database and the agent's state (default: ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--grpc-port", defaultValue = "7443", description = "gRPC port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int httpPort;

  @Option(names = "--root", defaultValue = "/", paramLabel = "DIR",
      description = "Folder the agent scans as the system root (default: ${DEFAULT-VALUE}).")
  Path root;

  @Option(names = "--exit-after-scan", description = "Stop after printing the host table instead of serving until Ctrl-C.")
  boolean exitAfterScan;

  @Option(names = "--no-story", description = "Do not load the simulated lab and its sample complaint: only this machine.")
  boolean noStory;

  /** The demo's clock (the story's times are relative to it). */
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(root)) {
      System.err.println("labscan-controller demo: --root " + root + " is not a directory.");
      return ControllerMain.EXIT_BAD_INPUT;
    }
    // The agent is found at run time (ServiceLoader): the controller never compiles against it.
    Optional<EmbeddedAgentLauncher> launcher = EmbeddedAgentLauncher.find();
    if (launcher.isEmpty()) {
      System.err.println("labscan-controller demo: no agent on the class path (the demo runs the labscan-agent jar "
          + "in this JVM; labscan-controller.jar bundles it).");
      return 1;
    }
    Path db = dataDir.resolve("labscan.db");
    System.out.println("LabScan demo: controller database " + db.toAbsolutePath());
    // The web UI's triage trusts the campus MX of the story (as 'serve --trust' would).
    TrustConfig trust = noStory ? TrustConfig.none() : TrustConfig.of(List.of(DemoStory.MX_IP));
    Controller services = Controller.open(ControllerConfig.builder(db).clock(clock).trust(trust).build());
    ControllerRuntime controller;
    try {
      controller = ControllerRuntime.start(services, new ControllerRuntime.Options(db, "127.0.0.1", grpcPort, true));
      services.startBackgroundJobs();
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
    Dashboard http = null;
    EmbeddedAgent agent = null;
    boolean handedToShutdownHook = false;
    try {
      http = Dashboard.start("127.0.0.1", httpPort, DashboardOptions.defaults(), services,
          new EngineTriageRunner(services.complaints()), List.of(), System.err);
      System.out.println("Controller listening: gRPC 127.0.0.1:" + controller.grpcPort()
          + " (plaintext, loopback only), HTTP http://127.0.0.1:" + http.port() + "/");
      EmbeddedAgentLauncher.Settings settings = new EmbeddedAgentLauncher.Settings(
          "127.0.0.1:" + controller.grpcPort(), true, dataDir.resolve("agent"), "demo",
          root.toAbsolutePath().normalize());
      Optional<DemoStory.Loaded> story = Optional.empty();
      if (!noStory) {
        story = Optional.of(loadStory(controller));
      }
      agent = launcher.get().start(settings, clock);
      System.out.println("Agent " + agent.hostId() + " started; running a full scan of " + root + " ...");
      Optional<CompletableFuture<Report>> scan = agent.fullScanNow("demo");
      if (scan.isPresent()) {
        Report report = scan.get().join();
        System.out.println("Scan finished: report " + report.getReportId() + ", "
            + report.getScan().getFilesScanned() + " files examined.");
      }
      if (!agent.awaitDelivered(Duration.ofSeconds(60))) {
        System.err.println("labscan-controller demo: the agent could not deliver its report within 60 s.");
        return 1;
      }
      controller.verdicts().recompute(agent.hostId());
      controller.verdicts().flush();
      System.out.println();
      System.out.print(HostsFormat.render(services.labRules().withEffectiveLabs(services.store().hosts()), HostsFormat.Format.TABLE));
      controller.store().verdict(agent.hostId()).ifPresent(v -> {
        System.out.println();
        System.out.println("Verdict for this machine: " + v.verdict());
        v.reasons().forEach(r -> System.out.println("  - " + Text.terminalSafe(r.text(), 300)));
      });
      System.out.println();
      if (story.isPresent()) {
        triageSample(controller, story.get());
      }
      String jar = "java -jar controller/target/labscan-controller.jar";
      System.out.println("Next (from another terminal):");
      System.out.println("  open http://127.0.0.1:" + http.port() + "/ (web UI; log in as the admin printed above)");
      System.out.println("  " + jar + " host --db " + db + " " + agent.hostId());
      System.out.println("  " + jar + " infected --db " + db);
      if (story.isPresent()) {
        System.out.println("  " + jar + " host --db " + db + " " + DemoStory.INFECTED_HOST);
        System.out.println("  " + jar + " triage --db " + db + " --trust " + DemoStory.MX_IP + " "
            + story.get().complaintFile());
        System.out.println("  the web UI's Triage page offers the same complaint (\"Load the sample\")");
      } else {
        System.out.println("  " + jar + " triage --db " + db + " COMPLAINT.eml");
      }
      System.out.println("  java -jar agent/target/labscan-agent.jar egress --duration 60s");
      if (exitAfterScan) {
        return 0;
      }
      System.out.println("Serving until Ctrl-C.");
      CountDownLatch stop = new CountDownLatch(1);
      EmbeddedAgent runningAgent = agent;
      Dashboard runningHttp = http;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        runningAgent.close();
        runningHttp.close();
        controller.close();
        services.close();
        stop.countDown();
      }, "labscan-demo-shutdown"));
      handedToShutdownHook = true;
      stop.await();
      return 0;
    } finally {
      if (!handedToShutdownHook) {
        if (agent != null) {
          agent.close();
        }
        if (http != null) {
          http.close();
        }
        controller.close();
        services.close();
      }
    }
  }

  /** Loads (or finds, from an earlier run) the simulated lab; says what it is. */
  private DemoStory.Loaded loadStory(ControllerRuntime controller) {
    Path dir = dataDir.resolve("demo-story");
    System.out.println("Loading the simulated lab (the Klez story; demo data) through the import path ...");
    DemoStory.Loaded loaded = DemoStory.load(controller.controller(), dir);
    controller.publishPolicyIfChanged();
    if (loaded.loadedNow()) {
      System.out.println("Imported " + loaded.reports() + " agent reports of the simulated lab (hosts marked "
          + HostsFormat.DEMO_MARK + ") from " + dir + ".");
    } else {
      System.out.println("The simulated lab is already in this database (its hosts age like real ones; "
          + "a fresh --data-dir loads a fresh story).");
    }
    return loaded;
  }

  /**
   * Traces Janet's complaint as {@code triage --trust MX} does (the answer is recorded as
   * evidence, as there), and prints the answer: one sentence, then the triage table.
   */
  private void triageSample(ControllerRuntime controller, DemoStory.Loaded story) throws NotAMailMessageException {
    ComplaintTriage triage = new ComplaintTriage(controller.store(), controller.verdicts(),
        TrustConfig.of(story.trustedMtas()), clock);
    TriageResult result = triage.triage(List.of(triage.parse(story.complaint())), true);
    controller.verdicts().flush();
    System.out.println("Janet's complaint (" + story.complaintFile() + "), traced with --trust "
        + String.join(",", story.trustedMtas()) + ":");
    // The table starts with the one-sentence answer (AnswerSentence), as `triage` prints it.
    System.out.print(TriageCommand.table(result));
    System.out.println();
  }

}
