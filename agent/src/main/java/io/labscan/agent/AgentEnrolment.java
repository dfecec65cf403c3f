package io.labscan.agent;

import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.inventory.InventoryCollector;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.Enrolment;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.transport.ReportSender;
import io.labscan.contract.LabScanVersion;
import io.labscan.contract.enrolment.EnrolmentToken;
import java.time.Duration;

/**
 * Enrolment as the agent runs it: once ({@code enroll}) or until it works ({@code run}, the
 * Windows service).
 */
public final class AgentEnrolment {
  private AgentEnrolment() {}

  public static Enrolment.Result once(AgentConfig config, EnrolmentToken token, String target) throws EnrolmentException {
    String hostId = HostIdentity.loadOrCreate(config.stateDir());
    String hostname = new InventoryCollector(config.lab()).collect(hostId).getHostname();
    return Enrolment.enroll(target, token, hostId, hostname, LabScanVersion.get(), config.stateDir());
  }

  /**
   * Retries while the controller is unreachable (a lab powered on before its controller);
   * a refusal no retry can fix (bad token, wrong CA) ends it.
   */
  public static Enrolment.Result untilDone(AgentConfig config, EnrolmentToken token, String target)
      throws EnrolmentException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return once(config, token, target);
      } catch (EnrolmentException e) {
        if (!e.retryable()) {
          throw e;
        }
        Duration wait = ReportSender.backoff(attempt);
        System.err.println("labscan-agent: " + e.getMessage() + " Retrying in " + wait.toSeconds() + " s.");
        Thread.sleep(wait.toMillis());
      }
    }
  }
}
