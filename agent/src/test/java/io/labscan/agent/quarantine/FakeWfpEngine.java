package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A base filtering engine in memory, with the rules of the real one that the quarantine relies
 * on: objects outlive sessions (persistent), a transaction's changes appear at commit and vanish
 * at abort, a key is added once (FWP_E_ALREADY_EXISTS), a sublayer needs its provider, a filter
 * its provider and sublayer, and a provider or sublayer still in use cannot be deleted
 * (FWP_E_IN_USE). {@link #decide} arbitrates a connection attempt the way WFP does inside one
 * sublayer: the matching filter of highest weight decides; no match permits.
 */
final class FakeWfpEngine implements WfpApi {
  record Stored(WfpFilter filter, UUID provider, UUID sublayer, long runtimeId) {}

  record State(Map<UUID, String> providers, Map<UUID, UUID> sublayers, Map<UUID, Stored> filters) {
    State copy() {
      return new State(new LinkedHashMap<>(providers), new LinkedHashMap<>(sublayers), new LinkedHashMap<>(filters));
    }
  }

  private State committed = new State(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
  private long nextRuntimeId = 68211;
  /** Every committed change, in order ("add filter NAME", "delete filter KEY", ...). */
  final List<String> changes = new ArrayList<>();
  /** Executables that "exist" (FwpmGetAppIdFromFileName0 succeeds), lower case. */
  final Set<String> existingFiles = new HashSet<>();
  /** Adding a filter whose name matches fails (the engine refusing it). */
  Predicate<String> failAdding = name -> false;
  int openSessions;

  State state() {
    return committed.copy();
  }

  /** A filter another product owns (Windows Firewall), to check it is never touched. */
  void addForeignFilter(UUID key, UUID provider) {
    committed.providers().put(provider, "someone else");
    committed.filters().put(key, new Stored(new WfpFilter(key, "foreign", WfpFilter.Layer.V4, WfpFilter.Action.PERMIT,
        15, Set.of(25), Optional.empty(), Optional.empty()), provider, provider, nextRuntimeId++));
  }

  /** What our sublayer decides for a connection from {@code app} to {@code ip}:{@code port}. */
  WfpFilter.Action decide(UUID sublayer, String app, String ip, int port) throws IOException {
    InetAddress remote = InetAddress.getByName(ip);
    WfpFilter.Layer layer = remote.getAddress().length == 16 ? WfpFilter.Layer.V6 : WfpFilter.Layer.V4;
    return committed.filters().values().stream()
        .filter(s -> s.sublayer().equals(sublayer) && s.filter().layer() == layer)
        .map(Stored::filter)
        .filter(f -> f.ports().contains(port))
        .filter(f -> f.application().map(a -> a.equalsIgnoreCase(app)).orElse(true))
        .filter(f -> f.remote().map(r -> contains(r, remote)).orElse(true))
        .max(java.util.Comparator.comparingInt(WfpFilter::weight))
        .map(WfpFilter::action).orElse(WfpFilter.Action.PERMIT);
  }

  private static boolean contains(QuarantineRules.Destination network, InetAddress a) {
    return network.isIpv6() == (a.getAddress().length == 16)
        && Arrays.equals(new QuarantineRules.Destination(a, network.prefix()).network().getAddress(),
            network.network().getAddress());
  }

  @Override
  public Session open() {
    openSessions++;
    return new Session() {
      private State work;
      private final List<String> pending = new ArrayList<>();

      private State current() {
        return work != null ? work : committed;
      }

      private State writable() throws IOException {
        if (work == null) {
          throw new IOException("change outside a transaction");
        }
        return work;
      }

      @Override
      public void begin() throws IOException {
        if (work != null) {
          throw new IOException("transaction already in progress");
        }
        work = committed.copy();
      }

      @Override
      public void commit() throws IOException {
        committed = writable();
        changes.addAll(pending);
        pending.clear();
        work = null;
      }

      @Override
      public void abort() {
        work = null;
        pending.clear();
      }

      @Override
      public void addProvider(UUID key, String name, String description) throws IOException {
        if (writable().providers().putIfAbsent(key, name) == null) {
          pending.add("add provider " + key);
        }
      }

      @Override
      public void addSublayer(UUID key, UUID provider, String name, int weight) throws IOException {
        if (!writable().providers().containsKey(provider)) {
          throw new IOException("FWP_E_PROVIDER_NOT_FOUND");
        }
        if (writable().sublayers().putIfAbsent(key, provider) == null) {
          pending.add("add sublayer " + key);
        }
      }

      @Override
      public List<InstalledFilter> filtersOf(UUID provider) {
        return current().filters().values().stream().filter(s -> s.provider().equals(provider))
            .map(s -> new InstalledFilter(s.filter().key(), s.runtimeId(), s.provider(), s.filter().layer().key(),
                s.filter().action().code(), s.filter().name()))
            .toList();
      }

      @Override
      public long addFilter(WfpFilter filter, UUID provider, UUID sublayer) throws IOException {
        State s = writable();
        if (failAdding.test(filter.name())) {
          throw new IOException("FwpmFilterAdd0(" + filter.name() + ") failed: 0x80320027");
        }
        if (!s.providers().containsKey(provider) || !s.sublayers().containsKey(sublayer)) {
          throw new IOException("FWP_E_PROVIDER_NOT_FOUND or FWP_E_SUBLAYER_NOT_FOUND");
        }
        if (s.filters().containsKey(filter.key())) {
          throw new IOException("FWP_E_ALREADY_EXISTS");
        }
        if (filter.application().isPresent() && !canIdentify(filter.application().get())) {
          throw new IOException("FwpmGetAppIdFromFileName0 failed: 0x00000002");
        }
        long id = nextRuntimeId++;
        s.filters().put(filter.key(), new Stored(filter, provider, sublayer, id));
        pending.add("add filter " + filter.name());
        return id;
      }

      @Override
      public void deleteFilter(UUID key) throws IOException {
        Stored removed = writable().filters().remove(key);
        if (removed != null) {
          pending.add("delete filter " + removed.filter().name());
        }
      }

      @Override
      public void deleteSublayer(UUID key) throws IOException {
        State s = writable();
        if (s.filters().values().stream().anyMatch(f -> f.sublayer().equals(key))) {
          throw new IOException("FWP_E_IN_USE");
        }
        if (s.sublayers().remove(key) != null) {
          pending.add("delete sublayer " + key);
        }
      }

      @Override
      public void deleteProvider(UUID key) throws IOException {
        State s = writable();
        if (s.sublayers().containsValue(key) || s.filters().values().stream().anyMatch(f -> f.provider().equals(key))) {
          throw new IOException("FWP_E_IN_USE");
        }
        if (s.providers().remove(key) != null) {
          pending.add("delete provider " + key);
        }
      }

      @Override
      public boolean canIdentify(String path) {
        return existingFiles.contains(path.toLowerCase(Locale.ROOT));
      }

      @Override
      public void close() {
        abort();
        openSessions--;
      }
    };
  }
}
