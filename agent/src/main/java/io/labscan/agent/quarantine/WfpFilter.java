package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.quarantine.QuarantineRules;
import io.labscan.contract.quarantine.QuarantineRules.Destination;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One Windows Filtering Platform filter of the quarantine, as plain data: what {@link WfpApi}
 * writes with {@code FwpmFilterAdd0}. Every filter matches outbound TCP connection attempts
 * ({@code FWPM_LAYER_ALE_AUTH_CONNECT_V4/V6}, {@code FWPM_CONDITION_IP_PROTOCOL} = 6) to one of
 * {@code ports} ({@code FWPM_CONDITION_IP_REMOTE_PORT}, several values OR-ed), and, for a permit,
 * from one application ({@code FWPM_CONDITION_ALE_APP_ID}) or to one network
 * ({@code FWPM_CONDITION_IP_REMOTE_ADDRESS}).
 *
 * <p><b>Why a block and permits of higher weight in a sublayer of our own.</b> WFP arbitrates
 * each sublayer on its own: inside it only the matching filter of highest weight decides, so
 * "block SMTP, except for these applications and destinations" is exactly one block filter of
 * weight {@value #BLOCK_WEIGHT} and permits of weight {@value #PERMIT_WEIGHT}, which Windows
 * Firewall rules could not express (there a block rule beats every allow rule). Across sublayers
 * a block wins, so our permits never open anything another product (Windows Firewall included)
 * blocks, and our block holds whatever the other sublayers permit.
 *
 * <p><b>Why the key is derived from the content.</b> The key is a name-based UUID of the
 * provider and everything the filter matches ({@link #keyOf}): the same rules always give the
 * same keys, so bringing the installed filters up to date is a comparison of key sets
 * ({@link WfpReconciliation}) that never deletes and re-adds an unchanged filter, and two
 * providers (the service's and a test's throwaway one) never collide on a key.
 *
 * @param key the filter key ({@code filterKey})
 * @param name display name (shown by {@code netsh wfp show filters})
 * @param layer the ALE connect layer of one address family
 * @param action block or permit
 * @param weight weight inside the sublayer, 0..15 ({@code FWP_UINT8})
 * @param ports remote TCP ports matched
 * @param application absolute executable path a permit lets through
 * @param remote remote network a permit lets through (of the layer's family)
 */
public record WfpFilter(UUID key, String name, Layer layer, Action action, int weight, Set<Integer> ports,
    Optional<String> application, Optional<Destination> remote) {
  /** Weight of the block filter. */
  public static final int BLOCK_WEIGHT = 1;
  /** Weight of the permits: above the block, so an allowed application or destination wins. */
  public static final int PERMIT_WEIGHT = 10;

  public WfpFilter {
    requireNonNull(key, "key");
    requireNonNull(name, "name");
    requireNonNull(layer, "layer");
    requireNonNull(action, "action");
    ports = Set.copyOf(new TreeSet<>(requireNonNull(ports, "ports")));
    requireNonNull(application, "application");
    requireNonNull(remote, "remote");
    if (weight < 0 || weight > 15) {
      throw new IllegalArgumentException("weight must be 0..15: " + weight);
    }
    if (remote.isPresent() && remote.get().isIpv6() != (layer == Layer.V6)) {
      throw new IllegalArgumentException("a " + layer + " filter cannot match " + remote.get().text());
    }
  }

  /** The two outbound connect layers. */
  public enum Layer {
    /** {@code FWPM_LAYER_ALE_AUTH_CONNECT_V4}. */
    V4(UUID.fromString("c38d57d1-05a7-4c33-904f-7fbceee60e82")),
    /** {@code FWPM_LAYER_ALE_AUTH_CONNECT_V6}. */
    V6(UUID.fromString("4a72393b-319f-44bc-84c3-ba54dcb3b6b4"));

    private final UUID key;

    Layer(UUID key) {
      this.key = key;
    }

    public UUID key() {
      return key;
    }

    /** The layer of {@code key}, if it is one of these. */
    public static Optional<Layer> of(UUID key) {
      for (Layer l : values()) {
        if (l.key.equals(key)) {
          return Optional.of(l);
        }
      }
      return Optional.empty();
    }
  }

  /** {@code FWP_ACTION_BLOCK} / {@code FWP_ACTION_PERMIT} (both terminating). */
  public enum Action {
    BLOCK(0x1001),
    PERMIT(0x1002);

    private final int code;

    Action(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** Loopback stays open, as on Linux: a local MTA decides with its own (allowed or not) connection. */
  private static final List<Destination> LOOPBACK = List.of(
      QuarantineRules.parseDestination("127.0.0.0/8").orElseThrow(),
      QuarantineRules.parseDestination("::1").orElseThrow());

  /**
   * The filters that enforce {@code rules} under {@code provider}: per layer one block, one permit
   * for loopback, one per allowed destination of that family and one per allowed application.
   * Users ({@link QuarantineRules#allowedUids()}) have no meaning here and are not planned.
   */
  public static List<WfpFilter> plan(QuarantineRules rules, UUID provider) {
    requireNonNull(rules, "rules");
    requireNonNull(provider, "provider");
    List<WfpFilter> out = new ArrayList<>();
    for (Layer layer : Layer.values()) {
      out.add(filter(provider, "block", layer, Action.BLOCK, BLOCK_WEIGHT, rules.ports(), Optional.empty(),
          Optional.empty()));
      List<Destination> open = new ArrayList<>(LOOPBACK);
      rules.allowedDestinations().stream().filter(d -> !open.contains(d)).forEach(open::add);
      for (Destination d : open) {
        if (d.isIpv6() == (layer == Layer.V6)) {
          out.add(filter(provider, "permit destination " + d.text(), layer, Action.PERMIT, PERMIT_WEIGHT,
              rules.ports(), Optional.empty(), Optional.of(d)));
        }
      }
      for (String app : rules.allowedApplications()) {
        out.add(filter(provider, "permit application " + app, layer, Action.PERMIT, PERMIT_WEIGHT, rules.ports(),
            Optional.of(app), Optional.empty()));
      }
    }
    return List.copyOf(out);
  }

  private static WfpFilter filter(UUID provider, String what, Layer layer, Action action, int weight,
      Set<Integer> ports, Optional<String> app, Optional<Destination> remote) {
    String name = "LabScan SMTP quarantine: " + what + " (IPv" + (layer == Layer.V4 ? "4" : "6") + ")";
    return new WfpFilter(keyOf(provider, layer, action, weight, ports, app, remote), name, layer, action, weight,
        ports, app, remote);
  }

  /** The name-based UUID of everything the filter matches, under {@code provider}. */
  static UUID keyOf(UUID provider, Layer layer, Action action, int weight, Set<Integer> ports, Optional<String> app,
      Optional<Destination> remote) {
    String canonical = String.join("|", "labscan-quarantine-filter", provider.toString(), layer.name(),
        action.name(), Integer.toString(weight),
        new TreeSet<>(ports).stream().map(String::valueOf).collect(Collectors.joining(",")),
        app.map(a -> "app=" + a.toLowerCase(Locale.ROOT)).orElse(""),
        remote.map(r -> "remote=" + r.text()).orElse(""));
    return UUID.nameUUIDFromBytes(canonical.getBytes(StandardCharsets.UTF_8));
  }
}
