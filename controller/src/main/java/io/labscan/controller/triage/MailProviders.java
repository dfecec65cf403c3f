package io.labscan.controller.triage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Well-known mail providers whose internal hops the trust walk passes through. The built-in
 * list is the resource {@code mail-providers.txt} next to this class; its header documents
 * the format. Operators add their own with {@link #load(Path)} and {@link #with(MailProviders)}.
 */
public final class MailProviders {
  private static final String RESOURCE = "mail-providers.txt";
  private static final MailProviders BUILT_IN = loadBuiltIn();

  private final List<Provider> providers;

  private MailProviders(List<Provider> providers) {
    this.providers = List.copyOf(providers);
  }

  /** One provider: its name, the domains it alone controls and its address ranges. */
  public static final class Provider {
    private final String name;
    private final List<String> domains;
    private final List<Cidr> networks;
    private final List<Cidr> writerIds;

    Provider(String name, List<String> domains, List<Cidr> networks, List<Cidr> writerIds) {
      this.name = Objects.requireNonNull(name, "name");
      this.domains = List.copyOf(domains);
      this.networks = List.copyOf(networks);
      this.writerIds = List.copyOf(writerIds);
    }

    public String name() {
      return name;
    }

    /** True when the host name is one of the provider's domains or lies under one. */
    public boolean ownsHost(String host) {
      String h = TrustConfig.normalizeHost(host);
      if (h.isEmpty()) {
        return false;
      }
      for (String d : domains) {
        if (h.equals(d) || h.endsWith("." + d)) {
          return true;
        }
      }
      return false;
    }

    /** True when the IP lies in one of the provider's ranges (as a client or as a writer). */
    public boolean ownsIp(String ip) {
      return inAny(networks, ip);
    }

    /** True when an MTA naming itself by this IP belongs to the provider. */
    boolean writesAs(String ip) {
      return inAny(networks, ip) || inAny(writerIds, ip);
    }

    private static boolean inAny(List<Cidr> list, String ip) {
      for (Cidr c : list) {
        if (c.contains(ip)) {
          return true;
        }
      }
      return false;
    }
  }

  /** The list shipped with LabScan. */
  public static MailProviders builtIn() {
    return BUILT_IN;
  }

  /** No providers: the walk then trusts only the topmost hop and the configured MTAs. */
  public static MailProviders none() {
    return new MailProviders(List.of());
  }

  /** Reads a provider file (same format as the built-in resource). */
  public static MailProviders load(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(r, file.toString());
    }
  }

  /**
   * Parses provider lines.
   *
   * @throws IllegalArgumentException naming the line when an entry is neither a domain nor a CIDR
   */
  public static MailProviders parse(Reader reader, String sourceName) throws IOException {
    List<Provider> list = new ArrayList<>();
    BufferedReader in = new BufferedReader(reader);
    String line;
    int number = 0;
    while ((line = in.readLine()) != null) {
      number++;
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (content.isEmpty()) {
        continue;
      }
      String[] words = content.split("\\s+");
      if (words.length < 2) {
        throw new IllegalArgumentException(
            sourceName + ":" + number + ": expected a provider name and at least one domain or CIDR");
      }
      String where = sourceName + ":" + number;
      List<String> domains = new ArrayList<>();
      List<Cidr> networks = new ArrayList<>();
      List<Cidr> writerIds = new ArrayList<>();
      for (int i = 1; i < words.length; i++) {
        String w = words[i];
        if (w.startsWith("by:")) {
          writerIds.add(Cidr.parse(w.substring(3)).orElseThrow(() -> new IllegalArgumentException(
              where + ": not a CIDR: " + w)));
        } else if (w.indexOf('/') >= 0) {
          networks.add(Cidr.parse(w).orElseThrow(() -> new IllegalArgumentException(
              where + ": not a CIDR: " + w)));
        } else if (TrustConfig.isHostName(w)) {
          domains.add(TrustConfig.normalizeHost(w));
        } else {
          throw new IllegalArgumentException(where + ": not a domain or CIDR: " + w);
        }
      }
      list.add(new Provider(words[0].toLowerCase(Locale.ROOT), domains, networks, writerIds));
    }
    return new MailProviders(list);
  }

  /** This list followed by another's entries. */
  public MailProviders with(MailProviders more) {
    List<Provider> all = new ArrayList<>(providers);
    all.addAll(more.providers);
    return new MailProviders(all);
  }

  /** The provider whose MTA wrote a hop, by its by-name or by-IP. */
  Optional<Provider> writerOf(ReceivedHop hop) {
    for (Provider p : providers) {
      if (hop.byHost().map(p::ownsHost).orElse(false) || hop.byIp().map(p::writesAs).orElse(false)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  public List<String> names() {
    return providers.stream().map(Provider::name).toList();
  }

  private static MailProviders loadBuiltIn() {
    try (InputStream in = MailProviders.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing from the controller jar");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
