package io.labscan.agent.registry;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.rules.RegistryKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry of a Windows installation that is not running, read from its hive files: a disk
 * mounted for an offline scan, or a rescue system's view of an infected machine (the worm
 * cannot hide from a scan it is not running under). Maps what the live registry shows onto the
 * files behind it:
 *
 * <ul>
 *   <li>{@code HKLM\SOFTWARE}, {@code HKLM\SYSTEM}, {@code HKLM\SAM}, {@code HKLM\SECURITY}: the
 *       files of that name in {@code Windows\System32\config} (or {@code WINNT\...});
 *       {@code CurrentControlSet} is the control set {@code SYSTEM\Select\Current} names, as
 *       Windows links it at boot. Volatile keys ({@code HKLM\HARDWARE}) do not exist offline.
 *   <li>{@code HKU\.DEFAULT}: {@code config\DEFAULT}; {@code HKU\<SID>}: the {@code NTUSER.DAT} of
 *       the profile folder {@code ProfileList\<SID>\ProfileImagePath} names;
 *       {@code HKU\<SID>_Classes}: that profile's {@code UsrClass.dat}.
 * </ul>
 *
 * File names are matched ignoring case (as NTFS does), never through symbolic links, and never
 * outside the root. Hives are opened once, on first use.
 */
public final class OfflineRegistry implements RegistryReader {
  private static final String PROFILE_LIST = "Microsoft\\Windows NT\\CurrentVersion\\ProfileList";
  private static final Pattern SID = Pattern.compile("S-1-[0-9]+(-[0-9]+){0,15}", Pattern.CASE_INSENSITIVE);
  private static final Pattern VARIABLE = Pattern.compile("%([A-Za-z]+)%");
  /** Entries looked at per folder while matching a name ignoring case. */
  private static final int MAX_LISTED = 100_000;

  private final Path root;
  private final Path windows;
  private final Path config;
  private final Map<Path, RegfHive> opened = new HashMap<>();
  /** Hive files that could not be opened, with why: every key in them is unreadable, every time. */
  private final Map<Path, String> unreadable = new HashMap<>();
  private final Set<String> notes = new TreeSet<>();

  private OfflineRegistry(Path root, Path windows, Path config) {
    this.root = root;
    this.windows = windows;
    this.config = config;
  }

  /**
   * The registry of the Windows installation under {@code root}: present when a
   * {@code Windows\System32\config} (or {@code WINNT\System32\config}) folder holds a SYSTEM or
   * SOFTWARE hive file.
   */
  public static Optional<OfflineRegistry> under(Path root) {
    requireNonNull(root, "root");
    for (String name : List.of("Windows", "WINNT")) {
      Optional<Path> windows = resolve(root, List.of(name));
      Optional<Path> config = windows.flatMap(w -> resolve(w, List.of("System32", "config")));
      if (config.isPresent() && (resolve(config.get(), List.of("SYSTEM")).isPresent()
          || resolve(config.get(), List.of("SOFTWARE")).isPresent())) {
        return Optional.of(new OfflineRegistry(root, windows.get(), config.get()));
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean available() {
    return true;
  }

  /**
   * What the scan should know about how it read the hives, e.g. {@code dirty:SYSTEM} for a hive
   * whose latest changes may still sit in its transaction logs; in the order found.
   */
  public synchronized Set<String> notes() {
    return Set.copyOf(notes);
  }

  @Override
  public synchronized Map<String, String> values(RegistryKey key) throws RegistryReadException {
    Optional<Located> at = locate(key);
    if (at.isEmpty()) {
      return Map.of();
    }
    try {
      return at.get().hive().values(at.get().key());
    } catch (HiveFormatException e) {
      throw new RegistryReadException("cannot read values of " + key + ": " + e.getMessage());
    }
  }

  @Override
  public synchronized Map<String, RegistryValue> typedValues(RegistryKey key) throws RegistryReadException {
    Optional<Located> at = locate(key);
    if (at.isEmpty()) {
      return Map.of();
    }
    try {
      return at.get().hive().typedValues(at.get().key());
    } catch (HiveFormatException e) {
      throw new RegistryReadException("cannot read values of " + key + ": " + e.getMessage());
    }
  }

  @Override
  public synchronized List<String> subkeys(RegistryKey key) throws RegistryReadException {
    Optional<Located> at = locate(key);
    if (at.isEmpty()) {
      return List.of();
    }
    try {
      List<String> names = new ArrayList<>();
      for (RegfHive.Key k : at.get().hive().subkeys(at.get().key())) {
        names.add(k.name());
      }
      return names;
    } catch (HiveFormatException e) {
      throw new RegistryReadException("cannot list subkeys of " + key + ": " + e.getMessage());
    }
  }

  private record Located(RegfHive hive, RegfHive.Key key) {}

  /** The hive and key behind a registry key; empty when the key or its hive does not exist. */
  private Optional<Located> locate(RegistryKey key) throws RegistryReadException {
    List<String> parts = new ArrayList<>(Arrays.asList(key.path().split("\\\\")));
    String top = parts.remove(0);
    Optional<Path> file = switch (key.hive()) {
      case HKLM -> machineHive(top);
      case HKU -> userHive(top);
    };
    if (file.isEmpty()) {
      return Optional.empty();
    }
    RegfHive hive = hive(file.get());
    try {
      if (key.hive() == RegistryKey.Hive.HKLM && top.equalsIgnoreCase("SYSTEM") && !parts.isEmpty()
          && parts.get(0).equalsIgnoreCase("CurrentControlSet")) {
        parts.set(0, currentControlSet(hive));
      }
      return hive.find(hive.root(), String.join("\\", parts)).map(k -> new Located(hive, k));
    } catch (HiveFormatException e) {
      throw new RegistryReadException("cannot read " + key + " from " + shown(file.get()) + ": " + e.getMessage());
    }
  }

  private Optional<Path> machineHive(String top) {
    return switch (top.toUpperCase(Locale.ROOT)) {
      case "SOFTWARE", "SYSTEM", "SAM", "SECURITY" -> resolve(config, List.of(top.toUpperCase(Locale.ROOT)));
      default -> Optional.empty(); // HARDWARE and other volatile keys exist only while Windows runs
    };
  }

  private Optional<Path> userHive(String top) throws RegistryReadException {
    if (top.equalsIgnoreCase(".DEFAULT")) {
      return resolve(config, List.of("DEFAULT"));
    }
    boolean classes = top.toLowerCase(Locale.ROOT).endsWith("_classes");
    String sid = classes ? top.substring(0, top.length() - "_classes".length()) : top;
    if (!SID.matcher(sid).matches()) {
      return Optional.empty();
    }
    Optional<Path> profile = profileFolder(sid);
    return profile.flatMap(p -> classes
        ? resolve(p, List.of("AppData", "Local", "Microsoft", "Windows", "UsrClass.dat"))
        : resolve(p, List.of("NTUSER.DAT")));
  }

  /** The profile folder of a SID, from SOFTWARE's ProfileList, mapped under the root. */
  private Optional<Path> profileFolder(String sid) throws RegistryReadException {
    Map<String, String> profile = values(new RegistryKey(RegistryKey.Hive.HKLM, "SOFTWARE\\" + PROFILE_LIST
        + "\\" + sid));
    String image = profile.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("ProfileImagePath"))
        .map(Map.Entry::getValue).findFirst().orElse("");
    return image.isEmpty() ? Optional.empty() : windowsPath(image);
  }

  /**
   * A path as Windows wrote it ({@code C:\Users\linda}, {@code %SystemDrive%\Users\linda},
   * {@code %SystemRoot%\System32\config\systemprofile}) as a file under the root. The scanned
   * volume is taken to be the system drive, whatever its letter was.
   */
  Optional<Path> windowsPath(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder expanded = new StringBuilder();
    while (m.find()) {
      String value = switch (m.group(1).toUpperCase(Locale.ROOT)) {
        case "SYSTEMDRIVE" -> "C:";
        case "SYSTEMROOT", "WINDIR" -> "C:\\" + windows.getFileName();
        default -> null;
      };
      if (value == null) {
        return Optional.empty(); // a variable only the running system can expand
      }
      m.appendReplacement(expanded, Matcher.quoteReplacement(value));
    }
    m.appendTail(expanded);
    String path = expanded.toString();
    if (path.length() < 3 || path.charAt(1) != ':' || path.charAt(2) != '\\') {
      return Optional.empty();
    }
    List<String> names = new ArrayList<>();
    for (String name : path.substring(3).split("\\\\")) {
      if (!plainName(name)) {
        return Optional.empty();
      }
      names.add(name);
    }
    return resolve(root, names);
  }

  private String currentControlSet(RegfHive system) throws HiveFormatException {
    int current = 1;
    Optional<RegfHive.Key> select = system.find(system.root(), "Select");
    if (select.isPresent()) {
      String value = system.values(select.get()).entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase("Current")).map(Map.Entry::getValue).findFirst().orElse("1");
      try {
        current = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        current = 1;
      }
    }
    if (current < 1 || current > 999) {
      current = 1;
    }
    return String.format(Locale.ROOT, "ControlSet%03d", current);
  }

  private RegfHive hive(Path file) throws RegistryReadException {
    RegfHive known = opened.get(file);
    if (known != null) {
      return known;
    }
    if (!unreadable.containsKey(file)) {
      try {
        RegfHive hive = RegfHive.open(file);
        if (hive.dirty()) {
          hive = withLogs(file, hive);
        }
        opened.put(file, hive);
        return hive;
      } catch (IOException | HiveFormatException e) {
        unreadable.put(file, e.getMessage());
      }
    }
    throw new RegistryReadException("cannot open the hive " + shown(file) + ": " + unreadable.get(file));
  }

  /**
   * A dirty hive brought up to date from its {@code .LOG1}/{@code .LOG2} (see {@link HiveLogs});
   * as it is, and noted, when they hold nothing to apply or cannot be read.
   */
  private RegfHive withLogs(Path file, RegfHive hive) {
    String name = file.getFileName().toString();
    // A hive file was found inside a folder under the scan root: it always has a parent.
    Path folder = Objects.requireNonNull(file.getParent(), "folder of " + file);
    List<Path> logs = new ArrayList<>();
    for (String suffix : List.of(".LOG1", ".LOG2")) {
      resolve(folder, List.of(name + suffix)).ifPresent(logs::add);
    }
    try {
      Optional<HiveLogs.Outcome> recovered = HiveLogs.recover(file, hive, logs);
      if (recovered.isPresent()) {
        notes.add("recovered:" + name);
        return recovered.get().hive();
      }
    } catch (IOException | HiveFormatException e) {
      notes.add("dirty:" + name);
      return hive;
    }
    notes.add("dirty:" + name);
    return hive;
  }

  private String shown(Path file) {
    return root.relativize(file).toString();
  }

  /**
   * {@code names} below {@code dir}, each matched ignoring case (an exact match first), never
   * through a symbolic link; empty when any part is missing.
   */
  static Optional<Path> resolve(Path dir, List<String> names) {
    Path at = dir;
    for (String name : names) {
      if (!plainName(name)) {
        return Optional.empty(); // a separator would let one name walk several folders, or out
      }
      if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      Path exact = at.resolve(name);
      if (Files.exists(exact, LinkOption.NOFOLLOW_LINKS)) {
        at = exact;
      } else {
        Optional<Path> other = ignoringCase(at, name);
        if (other.isEmpty()) {
          return Optional.empty();
        }
        at = other.get();
      }
      if (Files.isSymbolicLink(at)) {
        return Optional.empty();
      }
    }
    return Optional.of(at);
  }

  /** One folder or file name: not empty, not '.' or '..', no separator, drive colon or NUL. */
  static boolean plainName(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
        && name.indexOf('\\') < 0 && name.indexOf(':') < 0 && name.indexOf('\0') < 0;
  }

  private static Optional<Path> ignoringCase(Path dir, String name) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      int seen = 0;
      for (Path entry : entries) {
        if (entry.getFileName().toString().equalsIgnoreCase(name)) {
          return Optional.of(entry);
        }
        if (++seen >= MAX_LISTED) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
