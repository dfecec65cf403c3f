package io.labscan.controller.bench;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.ComplaintTraces;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The same-connection rival search on every verdict read (issue 15, red-team round 8, T4): a
 * SQLite fleet of {@code hosts} hosts, each with {@code windows} one-minute SMTP egress windows in
 * the hour around one worm mail (a third of them to the MX on port 25, the rest elsewhere), and one
 * recorded complaint trace per host with the MX as its recording MTA, so every verdict read runs
 * one rival search over the busiest minutes of the fleet. Prints the time of a full recompute of
 * every host (twice; the second is the warm one). Arguments: {@code [hosts=2000] [windows=50]}.
 */
public final class SameConnectionRivalBench {
  private SameConnectionRivalBench() {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int windows = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Instant mail = Instant.parse("2026-12-07T10:00:00Z");
    Path dir = Files.createTempDirectory("rival-bench");
    Clock clock = Clock.fixed(mail.plus(Duration.ofMinutes(40)), ZoneOffset.UTC);
    List<String> ids = new ArrayList<>();
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      long seeded = System.nanoTime();
      for (int h = 0; h < hosts; h++) {
        String id = TestReports.newHostId();
        ids.add(id);
        Report.Builder r = TestReports.fullScan(id, "lab-pc-" + h, mail.plusSeconds(1800), 1,
            "10.20." + (h / 250) + "." + (h % 250 + 1)).toBuilder()
            .addAv(AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setState(AvState.AV_STATE_FRESH));
        for (int w = 0; w < windows; w++) {
          Instant start = mail.minus(Duration.ofMinutes(30)).plusSeconds(w * 3600L / windows);
          String to = w % 3 == 0 ? "192.0.2.25" : "198.51.100." + (w % 200 + 1);
          r.addEgress(SmtpEgressWindow.newBuilder()
              .setWindowStart(Timestamps.fromMillis(start.toEpochMilli()))
              .setWindowEnd(Timestamps.fromMillis(start.plusSeconds(60).toEpochMilli()))
              .setPid(4242).setProcessName("mailer.exe").setConnections(1).setDistinctDestinations(1)
              .setAllowed(false).setSource("poll")
              .addDestinations(EgressDestination.newBuilder().setIp(to).setPort(25).setConnections(1)));
        }
        store.ingest(r.build(), mail.plusSeconds(1800), "bench").join();
      }
      ComplaintTraces traces = new ComplaintTraces(store.database());
      for (int h = 0; h < hosts; h++) {
        traces.replace("<bench-" + h + "@worm>", "msg-sha256:" + h, List.of(new ComplaintTraces.NewTrace(ids.get(h),
            0.7, "10.20.0.1", Optional.of(mail.plusSeconds(h % 600)), "bench", List.of("192.0.2.25"))),
            mail.plusSeconds(1800), "bench");
      }
      System.out.printf(Locale.ROOT, "seeded %d hosts x %d windows in %.1f s%n", hosts, windows,
          (System.nanoTime() - seeded) / 1e9);
      try (VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), clock)) {
        for (int run = 1; run <= 2; run++) {
          long t = System.nanoTime();
          for (String id : ids) {
            verdicts.recompute(id);
          }
          double s = (System.nanoTime() - t) / 1e9;
          System.out.printf(Locale.ROOT, "run %d: recomputed %d verdicts in %.2f s (%.2f ms each, one rival search"
              + " each)%n", run, hosts, s, s * 1000 / hosts);
        }
      }
    }
  }
}
