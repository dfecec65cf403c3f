package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.QuarantineEnforcement;
import io.labscan.proto.v1.QuarantineOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's rules of conduct, on an enforcer that records what it was asked. */
class SmtpQuarantineTest {
  @TempDir Path state;

  /** Records installs and removals, and what the state file said at each. */
  private class Recorder implements QuarantineEnforcer {
    final List<String> calls = new ArrayList<>();
    final boolean enforces;
    List<BlockedCount> counts = List.of();

    Recorder(boolean enforces) {
      this.enforces = enforces;
    }

    @Override
    public boolean enforces() {
      return enforces;
    }

    @Override
    public String describe() {
      return enforces ? "recorder" : "not enforced on this platform (macOS)";
    }

    @Override
    public void install(QuarantineRules rules) throws IOException {
      calls.add("install while state says " + stateText());
    }

    @Override
    public void remove() throws IOException {
      calls.add("remove while state says " + stateText());
    }

    @Override
    public List<BlockedCount> blockedSoFar() {
      return counts;
    }
  }

  private String stateText() throws IOException {
    Path f = state.resolve(SmtpQuarantine.STATE_FILE);
    return Files.exists(f) ? (Files.readString(f).contains("\"quarantined\": true") ? "quarantined" : "released")
        : "nothing";
  }

  private SmtpQuarantine agent(Recorder r) throws IOException {
    Path passwd = Files.writeString(state.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
    return new SmtpQuarantine(r, state, new AllowedUsers(Files.createDirectories(state.resolve("proc")), passwd),
        Long::toString);
  }

  @Test
  void aRefusedAttemptIsReportedWithTheProcessTheEgressWatchLastSawConnectingThereAsThatUser() throws IOException {
    Recorder r = new Recorder(true);
    Path passwd = Files.writeString(state.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
    io.labscan.agent.checks.egress.Endpoint mx = io.labscan.agent.checks.egress.Endpoint.parse("192.0.2.25", 25)
        .orElseThrow();
    SenderLookup egressWatch = (remote, user) -> remote.equals(mx) && user.equals("1000")
        ? java.util.Optional.of(new io.labscan.agent.checks.egress.ProcessInfo(4242, "wink", "/tmp/.cache/wink", "1000"))
        : java.util.Optional.empty();
    SmtpQuarantine q = new SmtpQuarantine(r, state, new AllowedUsers(Files.createDirectories(state.resolve("proc")),
        passwd), Long::toString, egressWatch);
    q.policyChanged(Policy.newBuilder().setVersion(2).setQuarantine(order(7, true)).build());
    q.drainStatus();
    r.counts = List.of(new QuarantineEnforcer.BlockedCount("192.0.2.25", 25, 1000, 3),
        new QuarantineEnforcer.BlockedCount("198.51.100.7", 587, 1000, 1));

    io.labscan.proto.v1.QuarantineStatus status = q.drainStatus().orElseThrow();

    assertThat(status.getBlockedList()).extracting(b -> b.getIp() + ":" + b.getPort() + " " + b.getUser() + " "
        + b.getProcessName() + " " + b.getProcessPath() + " x" + b.getAttempts())
        .containsExactly("192.0.2.25:25 1000 wink /tmp/.cache/wink x3", "198.51.100.7:587 1000   x1");
  }

  @Test
  void aRefusedAttemptTheEnforcerAttributesToAProgramIsReportedWithThatProgramAndNoUser() throws IOException {
    Recorder r = new Recorder(true);
    SenderLookup egressWatch = (remote, user) -> java.util.Optional.of(
        new io.labscan.agent.checks.egress.ProcessInfo(1, "guess", "C:\\guess.exe", user));
    Path passwd = Files.writeString(state.resolve("passwd"), "");
    SmtpQuarantine q = new SmtpQuarantine(r, state, new AllowedUsers(Files.createDirectories(state.resolve("proc")),
        passwd), Long::toString, egressWatch);
    q.policyChanged(Policy.newBuilder().setVersion(2).setQuarantine(order(7, true)).build());
    q.drainStatus();
    String worm = "C:\\Users\\ann\\AppData\\Local\\Temp\\winkqmtx.exe";
    r.counts = List.of(new QuarantineEnforcer.BlockedCount("192.0.2.25", 25,
        QuarantineEnforcer.BlockedCount.UNKNOWN_UID, 2, worm));

    io.labscan.proto.v1.QuarantineStatus status = q.drainStatus().orElseThrow();

    assertThat(status.getBlockedList()).singleElement().satisfies(b -> {
      assertThat(b.getProcessPath()).isEqualTo(worm);
      assertThat(b.getProcessName()).isEqualTo("winkqmtx.exe");
      assertThat(b.getUser()).isEmpty();
      assertThat(b.getAttempts()).isEqualTo(2);
    });
  }

  @Test
  void theAllowedApplicationsReachTheEnforcerAndTheReportedDetail() throws IOException {
    List<QuarantineRules> installed = new ArrayList<>();
    Recorder r = new Recorder(true) {
      @Override
      public void install(QuarantineRules rules) throws IOException {
        installed.add(rules);
      }
    };
    String outlook = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";
    Path passwd = Files.writeString(state.resolve("passwd"), "");
    SmtpQuarantine q = new SmtpQuarantine(r, state, new AllowedUsers(Files.createDirectories(state.resolve("proc")),
        passwd), Long::toString, SenderLookup.NONE, policy -> List.of(outlook));

    q.policyChanged(Policy.newBuilder().setVersion(2).setQuarantine(order(7, true)).build());

    assertThat(installed).singleElement().satisfies(rules -> assertThat(rules.allowedApplications())
        .containsExactly(outlook));
    assertThat(q.drainStatus().orElseThrow().getDetail()).contains("applications allowed: [" + outlook + "]");
  }

  private static QuarantineOrder order(long revision, boolean quarantined) {
    return QuarantineOrder.newBuilder().setRevision(revision).setQuarantined(quarantined).setBy("admin linda").build();
  }

  @Test
  void anAgentThatWasNeverOrderedDoesNotTouchTheFirewallAtStart() throws IOException {
    Recorder r = new Recorder(true);

    agent(r).start(Policy.getDefaultInstance());

    assertThat(r.calls).isEmpty();
  }

  @Test
  void anAgentThatWasNeverOrderedHasNoStatusToReport() throws IOException {
    SmtpQuarantine q = agent(new Recorder(true));
    q.start(Policy.getDefaultInstance());
    q.refresh(Policy.getDefaultInstance());

    assertThat(q.drainStatus()).isEmpty();
  }

  @Test
  void theOrderIsWrittenToTheStateFolderBeforeTheRulesChange() throws IOException {
    Recorder r = new Recorder(true);
    SmtpQuarantine q = agent(r);

    q.order(order(1, true), Policy.getDefaultInstance());
    q.order(order(2, false), Policy.getDefaultInstance());

    assertThat(r.calls).containsExactly("install while state says quarantined", "remove while state says released");
  }

  @Test
  void aStaleOrderNeverUndoesANewerOne() throws IOException {
    Recorder r = new Recorder(true);
    SmtpQuarantine q = agent(r);
    q.order(order(5, true), Policy.getDefaultInstance());

    boolean applied = q.order(order(4, false), Policy.getDefaultInstance());
    q.policyChanged(Policy.newBuilder().setVersion(9).setQuarantine(order(3, false)).build());

    assertThat(applied).isFalse();
    assertThat(q.currentOrder().getRevision()).isEqualTo(5);
    assertThat(q.enforcement()).isEqualTo(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED);
  }

  @Test
  void aPolicyCarryingANewerOrderAppliesIt() throws IOException {
    Recorder r = new Recorder(true);
    SmtpQuarantine q = agent(r);

    q.policyChanged(Policy.newBuilder().setVersion(2).setQuarantine(order(7, true)).build());

    assertThat(q.currentOrder().getRevision()).isEqualTo(7);
    assertThat(r.calls).containsExactly("install while state says quarantined");
  }

  @Test
  void aPolicyWithoutAnOrderKeepsTheQuarantine() throws IOException {
    Recorder r = new Recorder(true);
    SmtpQuarantine q = agent(r);
    q.order(order(1, true), Policy.getDefaultInstance());

    q.policyChanged(Policy.newBuilder().setVersion(3).build());

    assertThat(q.enforcement()).isEqualTo(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED);
    assertThat(r.calls).containsExactly("install while state says quarantined");
  }

  @Test
  void onAPlatformWithoutEnforcementTheQuarantineIsReportedNotEnforced() throws IOException {
    SmtpQuarantine q = agent(new Recorder(false));

    q.order(order(1, true), Policy.getDefaultInstance());

    var status = q.drainStatus().orElseThrow();
    assertThat(status.getQuarantined()).isTrue();
    assertThat(status.getEnforcement()).isEqualTo(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_NOT_ENFORCED);
    assertThat(status.getDetail()).isEqualTo("not enforced on this platform (macOS)");
  }

  @Test
  void aRestartedAgentRestoresItsOrderFromTheStateFolder() throws IOException {
    agent(new Recorder(true)).order(order(3, true), Policy.getDefaultInstance());
    Recorder afterCrash = new Recorder(true);

    SmtpQuarantine q = agent(afterCrash);
    q.start(Policy.getDefaultInstance());

    assertThat(q.currentOrder().getRevision()).isEqualTo(3);
    assertThat(afterCrash.calls).containsExactly("install while state says quarantined");
  }
}
