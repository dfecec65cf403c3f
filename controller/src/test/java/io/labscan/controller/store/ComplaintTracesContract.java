package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One complaint has one recorded answer ({@link ComplaintTraces}, issue 15 round 5 R5): the
 * specification both engines are held to ({@code ComplaintTracesTest} on SQLite,
 * {@code ComplaintTracesOnPostgresTest} on PostgreSQL).
 */
final class ComplaintTracesContract {
  private static final Instant FIRST = Instant.parse("2026-12-07T17:00:00Z");
  private static final Instant SECOND = Instant.parse("2026-12-07T18:00:00Z");

  private ComplaintTracesContract() {}

  private static ComplaintTraces.NewTrace trace(String host) {
    return new ComplaintTraces.NewTrace(host, 0.70, "10.20.3.17", Optional.of(FIRST.minusSeconds(600)),
        "holds the origin 10.20.3.17");
  }

  private static List<String> hosts(List<ComplaintTraces.Trace> traces) {
    return traces.stream().map(ComplaintTraces.Trace::hostId).toList();
  }

  static void recordingAgainReplacesTheEarlierTraceAndKeepsItInTheHistory(Database db) {
    ComplaintTraces traces = new ComplaintTraces(db);
    traces.replace("<KLEZ.0002@PC17>", "msg-sha256:aa", List.of(trace("lab-pc-12")), FIRST, "cli");

    List<ComplaintTraces.Trace> superseded =
        traces.replace("<KLEZ.0002@PC17>", "msg-sha256:aa", List.of(trace("lab-pc-07")), SECOND, "alice");

    assertThat(hosts(superseded)).containsExactly("lab-pc-12");
    assertThat(superseded.get(0).tracedAt()).isEqualTo(FIRST);
    assertThat(hosts(traces.ofId("<KLEZ.0002@PC17>"))).containsExactly("lab-pc-07");
    assertThat(traces.history("<KLEZ.0002@PC17>")).singleElement().asString()
        .startsWith("lab-pc-12: superseded by the triage of <KLEZ.0002@PC17> at " + SECOND)
        .contains("alice");
  }

  static void anotherMessageWithTheSameMessageIdKeepsItsOwnTrace(Database db) {
    ComplaintTraces traces = new ComplaintTraces(db);
    traces.replace("<same@worm>", "msg-sha256:first", List.of(trace("lab-pc-07")), FIRST, "cli");

    List<ComplaintTraces.Trace> superseded =
        traces.replace("<same@worm>", "msg-sha256:second", List.of(trace("lab-pc-21")), SECOND, "cli");

    assertThat(superseded).isEmpty();
    assertThat(hosts(traces.ofId("<same@worm>"))).containsExactlyInAnyOrder("lab-pc-07", "lab-pc-21");
  }

  static void aTraceRecordedBeforeTheKeyExistedIsSupersededByItsMessageId(Database db) {
    // Version 28 and before: the trace has complaint_key ''.
    db.update(c -> {
      try (var ps = c.prepareStatement("INSERT INTO complaint_traces(complaint_id, host_id, confidence, traced_ms, "
          + "summary) VALUES ('<old@pc17>', 'lab-pc-12', 0.7, " + FIRST.toEpochMilli() + ", 'holds the origin')")) {
        ps.executeUpdate();
      }
    }).join();
    ComplaintTraces traces = new ComplaintTraces(db);

    List<ComplaintTraces.Trace> superseded =
        traces.replace("<old@pc17>", "msg-sha256:bb", List.of(trace("lab-pc-07")), SECOND, "cli");

    assertThat(hosts(superseded)).containsExactly("lab-pc-12");
    assertThat(hosts(traces.ofId("<old@pc17>"))).containsExactly("lab-pc-07");
  }

  static void withdrawingOneHostsTraceMovesItToTheHistoryAndKeepsTheOthers(Database db) {
    ComplaintTraces traces = new ComplaintTraces(db);
    traces.replace("<batch@pc>", "msg-sha256:cc", List.of(trace("lab-pc-07"), trace("lab-pc-12")), FIRST, "cli");

    List<ComplaintTraces.Trace> withdrawn =
        traces.withdraw("<batch@pc>", Optional.of("lab-pc-12"), SECOND, "admin", "relay misconfigured");

    assertThat(hosts(withdrawn)).containsExactly("lab-pc-12");
    assertThat(hosts(traces.ofId("<batch@pc>"))).containsExactly("lab-pc-07");
    assertThat(traces.history("<batch@pc>")).singleElement().asString()
        .isEqualTo("lab-pc-12: withdrawn by admin at " + SECOND + ": relay misconfigured");
    assertThat(traces.withdraw("<batch@pc>", Optional.of("lab-pc-12"), SECOND, "admin", "")).isEmpty();
  }
}
