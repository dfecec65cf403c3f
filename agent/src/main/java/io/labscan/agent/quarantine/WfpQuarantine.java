package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.windows.SecurityAuditLog;
import io.labscan.agent.checks.egress.windows.WfpAuditEventSource;
import io.labscan.contract.quarantine.QuarantineRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Windows quarantine: filters of the Windows Filtering Platform, owned by LabScan's own
 * provider ({@link #PROVIDER}) in LabScan's own sublayer ({@link #SUBLAYER}), at the outbound
 * connect layers ({@code FWPM_LAYER_ALE_AUTH_CONNECT_V4/V6}):
 *
 * <pre>
 * block   TCP to 25/465/587                                    weight 1
 * permit  TCP to 25/465/587 from C:\Program Files\...\OUTLOOK.EXE  weight 10   (each allowed application)
 * permit  TCP to 25/465/587 to 192.0.2.25                      weight 10   (each allowed destination, loopback)
 * </pre>
 *
 * (the filter set is {@link WfpFilter#plan}; why a block and heavier permits, there). This is
 * "block SMTP for every process the policy does not allow", which a Windows Firewall rule set
 * cannot say: there a block rule beats every allow rule.
 *
 * <p><b>Lifecycle.</b> The provider, the sublayer and the filters are persistent (they survive a
 * reboot and an agent crash, as the order file says they should) and every change is one engine
 * transaction: {@link #install} adds the provider and sublayer when missing, enumerates the
 * filters of our provider and applies the difference to the wanted set ({@link
 * WfpReconciliation}); {@link #remove} deletes every filter of our provider, then the sublayer
 * and the provider. Nothing of another provider is ever touched. At start the agent makes the
 * filters match its order file ({@link SmtpQuarantine#start}); the uninstaller runs
 * {@code labscan-agent quarantine --remove-rules}, which is {@link #removeRules}.
 *
 * <p><b>What became of the Windows Firewall rule.</b> Agents before this one blocked with the
 * firewall rule {@value WindowsFirewallQuarantine#RULE_NAME} ({@link WindowsFirewallQuarantine}).
 * Its only role now is to be cleaned up: every install and removal also deletes that rule
 * (best effort), so an upgraded agent leaves no old block behind. It is no fallback: Windows
 * Firewall is itself a client of the same filtering engine, so when WFP cannot be opened neither
 * can the firewall.
 *
 * <p><b>Refused attempts</b> are counted from Security event 5157 ({@link WfpRefusedAttempts}),
 * matched to our block filters by their runtime ids.
 */
public final class WfpQuarantine implements QuarantineEnforcer {
  private static final Logger log = LoggerFactory.getLogger(WfpQuarantine.class);
  /** LabScan's WFP provider: owner of the sublayer and of every quarantine filter. */
  public static final UUID PROVIDER = UUID.fromString("2e582cfe-7b97-43f0-8d40-8a8a21ddacbf");
  /** LabScan's WFP sublayer. */
  public static final UUID SUBLAYER = UUID.fromString("ed3d1109-91a8-47f7-b855-15067f814e36");
  /**
   * The sublayer's weight: high, so our sublayer is evaluated before the usual ones and a filter
   * of another product that clears the action right (a "hard" permit) in a lighter sublayer cannot
   * lift our block. Our own permits are soft: they open nothing another sublayer blocks.
   */
  public static final int SUBLAYER_WEIGHT = 0xF000;

  /** Where the filters live: a provider and sublayer pair, and whether they outlive the session. */
  public record Keys(UUID provider, UUID sublayer, String name) {
    public Keys {
      requireNonNull(provider, "provider");
      requireNonNull(sublayer, "sublayer");
      requireNonNull(name, "name");
    }
  }

  /** The service's own keys. */
  public static final Keys SERVICE = new Keys(PROVIDER, SUBLAYER, "LabScan SMTP quarantine");

  /** Removes something outside WFP that an older agent left (the legacy firewall rule). */
  @FunctionalInterface
  public interface LegacyCleanup {
    void run() throws IOException;
  }

  private final WfpApi api;
  private final Keys keys;
  private final WfpRefusedAttempts refused;
  private final LegacyCleanup legacy;
  private List<String> leftOut = List.of();

  public WfpQuarantine(WfpApi api, Keys keys, SecurityAuditLog auditLog, LegacyCleanup legacy) {
    this.api = requireNonNull(api, "api");
    this.keys = requireNonNull(keys, "keys");
    this.refused = new WfpRefusedAttempts(requireNonNull(auditLog, "auditLog"), SmtpQuarantine.MAIL_PORTS,
        WfpAuditEventSource::volumeTable);
    this.legacy = requireNonNull(legacy, "legacy");
  }

  /** The service's quarantine: fwpuclnt.dll, the Security log, the legacy rule cleaned up. */
  public static WfpQuarantine system() {
    return new WfpQuarantine(FwpuclntWfpApi.persistent(), SERVICE, SecurityAuditLog.system(),
        () -> WindowsFirewallQuarantine.system().remove());
  }

  /** Removes the service's filters, sublayer and provider: for uninstallers. */
  public static void removeRules() throws IOException {
    system().remove();
  }

  @Override
  public boolean enforces() {
    return true;
  }

  @Override
  public synchronized String describe() {
    return "Windows Filtering Platform filters of provider " + keys.provider()
        + (leftOut.isEmpty() ? "" : "; allowed applications not found (not let through): "
            + String.join(", ", leftOut.stream().limit(5).toList()));
  }

  @Override
  public synchronized void install(QuarantineRules rules) throws IOException {
    requireNonNull(rules, "rules");
    Set<Long> blockIds = new HashSet<>();
    try (WfpApi.Session s = api.open()) {
      List<String> found = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (String app : rules.allowedApplications()) {
        (s.canIdentify(app) ? found : missing).add(app);
      }
      List<WfpFilter> wanted = WfpFilter.plan(rules.withAllowedApplications(found), keys.provider());
      s.begin();
      try {
        s.addProvider(keys.provider(), keys.name(), "Filters of the LabScan agent's SMTP quarantine");
        s.addSublayer(keys.sublayer(), keys.provider(), keys.name(), SUBLAYER_WEIGHT);
        Map<UUID, WfpApi.InstalledFilter> installed = new HashMap<>();
        for (WfpApi.InstalledFilter f : s.filtersOf(keys.provider())) {
          installed.put(f.key(), f);
        }
        WfpReconciliation changes = WfpReconciliation.of(installed.keySet(), wanted);
        for (UUID key : changes.delete()) {
          s.deleteFilter(key);
        }
        Map<UUID, Long> added = new HashMap<>();
        for (WfpFilter f : changes.add()) {
          added.put(f.key(), s.addFilter(f, keys.provider(), keys.sublayer()));
        }
        s.commit();
        for (WfpFilter f : wanted) {
          if (f.action() == WfpFilter.Action.BLOCK) {
            Long id = added.containsKey(f.key()) ? added.get(f.key())
                : installed.containsKey(f.key()) ? Long.valueOf(installed.get(f.key()).runtimeId()) : null;
            if (id != null) {
              blockIds.add(id);
            }
          }
        }
        log.info("SMTP quarantine: WFP filters reconciled ({} kept, {} deleted, {} added).",
            wanted.size() - changes.add().size(), changes.delete().size(), changes.add().size());
      } catch (IOException | RuntimeException e) {
        s.abort();
        throw e;
      }
      leftOut = List.copyOf(missing);
    }
    refused.restart(blockIds);
    cleanUpLegacy();
  }

  @Override
  public synchronized void remove() throws IOException {
    try (WfpApi.Session s = api.open()) {
      s.begin();
      try {
        for (WfpApi.InstalledFilter f : s.filtersOf(keys.provider())) {
          s.deleteFilter(f.key());
        }
        s.deleteSublayer(keys.sublayer());
        s.deleteProvider(keys.provider());
        s.commit();
      } catch (IOException | RuntimeException e) {
        s.abort();
        throw e;
      }
    }
    refused.stop();
    leftOut = List.of();
    cleanUpLegacy();
  }

  @Override
  public List<BlockedCount> blockedSoFar() throws IOException {
    return refused.read();
  }

  private void cleanUpLegacy() {
    try {
      legacy.run();
    } catch (IOException | RuntimeException e) {
      log.debug("Legacy quarantine firewall rule not removed: {}", e.getMessage());
    }
  }
}
