package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps values of the identity provider's role claim (for example the {@code groups} claim) to a
 * LabScan role, as configured by {@code --oidc-role-map
 * 'labscan-admins=admin,it-staff=viewer,lab-a-managers=lab-manager:lab-a'}.
 *
 * <p>Rules: a user in several mapped groups gets the strongest role (admin over lab-manager over
 * viewer); lab-manager grants from several groups add up their labs. A claim that maps to nothing
 * yields {@link Optional#empty()}: the user is created without access until an admin assigns a
 * role. The role names are the CLI/API ids ({@code admin}, {@code viewer}, {@code lab-manager});
 * the web layer turns the {@link Grant} into its {@code Role}. Group names are compared exactly
 * (providers differ in case rules; Keycloak's full-path groups start with {@code /}, which is
 * ignored on both sides so {@code /lab-a-managers} and {@code lab-a-managers} match).
 */
public final class RoleMapping {

  /** A LabScan role id and, for {@code lab-manager}, its labs. */
  public record Grant(String role, Set<String> labs) {
    public Grant {
      requireNonNull(role, "role");
      labs = Set.copyOf(labs);
    }
  }

  private static final List<String> STRENGTH = List.of("viewer", "lab-manager", "admin");
  private final Map<String, Grant> byGroup;

  private RoleMapping(Map<String, Grant> byGroup) {
    this.byGroup = Map.copyOf(byGroup);
  }

  /** Parses the {@code --oidc-role-map} text; an empty text maps nothing (admins assign roles). */
  public static RoleMapping parse(String text) {
    requireNonNull(text, "text");
    Map<String, Grant> map = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      String e = entry.strip();
      if (!e.isEmpty()) {
        add(map, e, e.substring(e.lastIndexOf('=') + 1).split(":"));
      }
    }
    return new RoleMapping(map);
  }

  /**
   * Parses repeated {@code --oidc-role-map GROUP=ROLE[:LAB[,LAB...]]} values, one mapping each.
   * The group is everything before the last {@code =}, so group names holding commas or
   * {@code =} (LDAP distinguished names such as {@code cn=staff,ou=it}) work; a lab manager's
   * labs are separated by commas or colons.
   */
  public static RoleMapping parseEntries(List<String> entries) {
    requireNonNull(entries, "entries");
    Map<String, Grant> map = new LinkedHashMap<>();
    for (String entry : entries) {
      String e = requireNonNull(entry, "entry").strip();
      if (e.isEmpty()) {
        throw new IllegalArgumentException("empty role map entry (GROUP=ROLE)");
      }
      String role = e.substring(e.lastIndexOf('=') + 1).strip();
      int colon = role.indexOf(':');
      String[] parts;
      if (colon < 0) {
        parts = new String[] {role};
      } else {
        String[] labs = role.substring(colon + 1).split("[,:]");
        parts = new String[labs.length + 1];
        parts[0] = role.substring(0, colon);
        System.arraycopy(labs, 0, parts, 1, labs.length);
      }
      add(map, e, parts);
    }
    return new RoleMapping(map);
  }

  private static void add(Map<String, Grant> map, String e, String[] roleParts) {
    int eq = e.lastIndexOf('=');
    if (eq <= 0 || eq == e.length() - 1) {
      throw new IllegalArgumentException("role map entry '" + e + "' is not GROUP=ROLE (roles: admin, viewer, lab-manager:LAB[,LAB...])");
    }
    String group = normalise(e.substring(0, eq).strip());
    String role = roleParts[0].strip();
    if (!STRENGTH.contains(role)) {
      throw new IllegalArgumentException("role map entry '" + e + "': unknown role '" + role + "' (admin, viewer, lab-manager:LAB)");
    }
    Set<String> labs = new TreeSet<>();
    for (int i = 1; i < roleParts.length; i++) {
      if (!roleParts[i].isBlank()) {
        labs.add(roleParts[i].strip());
      }
    }
    if (role.equals("lab-manager") && labs.isEmpty()) {
      throw new IllegalArgumentException("role map entry '" + e + "': lab-manager needs its labs (lab-manager:LAB[,LAB...])");
    }
    if (!role.equals("lab-manager") && !labs.isEmpty()) {
      throw new IllegalArgumentException("role map entry '" + e + "': only lab-manager takes labs");
    }
    if (map.put(group, new Grant(role, labs)) != null) {
      throw new IllegalArgumentException("role map names group '" + group + "' twice");
    }
  }

  /** The grant for a user whose role claim holds {@code groups}; empty when none is mapped. */
  public Optional<Grant> grantFor(Collection<String> groups) {
    requireNonNull(groups, "groups");
    List<Grant> matched = new ArrayList<>();
    for (String g : groups) {
      Grant grant = byGroup.get(normalise(g));
      if (grant != null) {
        matched.add(grant);
      }
    }
    Optional<String> strongest = matched.stream().map(Grant::role).max((a, b) -> STRENGTH.indexOf(a) - STRENGTH.indexOf(b));
    if (strongest.isEmpty()) {
      return Optional.empty();
    }
    Set<String> labs = new TreeSet<>();
    if (strongest.get().equals("lab-manager")) {
      matched.stream().filter(m -> m.role().equals("lab-manager")).forEach(m -> labs.addAll(m.labs()));
    }
    return Optional.of(new Grant(strongest.get(), labs));
  }

  /** The values among {@code groups} that the mapping names (for the audit log), in their order. */
  public List<String> mapped(Collection<String> groups) {
    requireNonNull(groups, "groups");
    return groups.stream().filter(g -> byGroup.containsKey(normalise(g))).distinct().toList();
  }

  /** True when no group is mapped (every SSO user waits for an admin). */
  public boolean isEmpty() {
    return byGroup.isEmpty();
  }

  private static String normalise(String group) {
    return group.startsWith("/") ? group.substring(1) : group;
  }
}
