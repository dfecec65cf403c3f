package io.labscan.agent.checks.av.macos;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.agent.checks.av.AvProvider;
import io.labscan.agent.checks.av.AvText;
import io.labscan.agent.checks.av.BoundedFiles;
import io.labscan.agent.checks.av.Freshness;
import io.labscan.agent.checks.av.RootedPaths;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * macOS XProtect, from its files under the scan root (so offline too).
 *
 * <p>XProtect has no date inside: the age is the modification time of the plist the version
 * was read from. Copies live in several places depending on the macOS version; all present
 * ones are read and the newest (highest version, then newest file) is reported, since macOS 15
 * keeps the current copy in {@code /var/protected/xprotect} and may leave an older one in
 * {@code /Library/Apple}. XProtect cannot be switched off by the user, so it is never
 * DISABLED.
 */
public final class XProtectProvider implements AvProvider {
  public static final String NAME = "xprotect";
  static final String PRODUCT = "XProtect";

  /** Bundles, newest macOS first (15+, 10.15-14, 10.14). */
  static final List<String> BUNDLES = List.of(
      "/var/protected/xprotect/XProtect.bundle",
      "/Library/Apple/System/Library/CoreServices/XProtect.bundle",
      "/System/Library/CoreServices/XProtect.bundle");
  /** Before 10.14 XProtect's data lived inside CoreTypes.bundle. */
  static final String LEGACY_META =
      "/System/Library/CoreServices/CoreTypes.bundle/Contents/Resources/XProtect.meta.plist";

  static final String INFO_PLIST = "Contents/Info.plist";
  static final String META_PLIST = "Contents/Resources/XProtect.meta.plist";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AvDetection detect(AvContext context) {
    requireNonNull(context, "context");
    RootedPaths paths = new RootedPaths(context.root());
    List<Copy> copies = new ArrayList<>();
    for (String bundle : BUNDLES) {
      paths.resolve(bundle)
          .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .ifPresent(dir -> copies.add(readBundle(paths, dir)));
    }
    paths.resolve(LEGACY_META)
        .ifPresent(meta -> copies.add(read(paths, List.of(new Source(meta, "Version")))));
    if (copies.isEmpty()) {
      return AvDetection.none();
    }

    List<Copy> readable = copies.stream().filter(c -> c.version().isPresent()).toList();
    if (readable.isEmpty()) {
      List<String> problems = copies.stream().flatMap(c -> c.problems().stream()).toList();
      return AvDetection.of(AvStatus.newBuilder()
          .setProvider(NAME)
          .setProduct(PRODUCT)
          .setState(AvState.AV_STATE_UNKNOWN)
          .setReason("XProtect found but its version could not be read: "
              + String.join("; ", problems))
          .setSource(copies.get(0).where())
          .build());
    }
    Copy best = readable.stream()
        .max(Comparator.comparingLong(Copy::versionNumber)
            .thenComparing(c -> c.modified().orElse(Instant.MIN)))
        .orElseThrow();
    AvStatus.Builder status = AvStatus.newBuilder()
        .setProvider(NAME)
        .setProduct(PRODUCT)
        .setDefinitionsVersion(best.version().get())
        .setSource(best.where());
    if (best.modified().isEmpty()) {
      status.setState(AvState.AV_STATE_UNKNOWN)
          .setReason("XProtect " + best.version().get() + ": modification time unreadable");
    } else {
      Freshness.assess("XProtect " + best.version().get() + ", plist modified "
              + AvText.instant(best.modified().get()),
          best.modified().get(), context).applyTo(status);
    }
    List<String> others = new ArrayList<>();
    for (Copy other : copies) {
      if (other != best) {
        others.add(other.where() + " holds "
            + other.version().map(v -> "version " + v).orElse("no readable version"));
      }
    }
    if (!others.isEmpty()) {
      status.setReason(status.getReason() + "; other copies: " + String.join(", ", others));
    }
    return AvDetection.of(status.build());
  }

  private static Copy readBundle(RootedPaths paths, Path bundle) {
    List<Source> sources = new ArrayList<>();
    paths.child(bundle, INFO_PLIST)
        .ifPresent(p -> sources.add(new Source(p, "CFBundleShortVersionString")));
    paths.child(bundle, META_PLIST).ifPresent(p -> sources.add(new Source(p, "Version")));
    if (sources.isEmpty()) {
      return new Copy(paths.display(bundle), Optional.empty(), Optional.empty(),
          List.of(paths.display(bundle) + " has neither " + INFO_PLIST + " nor " + META_PLIST));
    }
    return read(paths, sources);
  }

  /** The first source giving a version wins; the others' problems are kept for the reason. */
  private static Copy read(RootedPaths paths, List<Source> sources) {
    List<String> problems = new ArrayList<>();
    for (Source source : sources) {
      String where = paths.display(source.file());
      try {
        PlistValue root = PlistReader.parse(
            BoundedFiles.readAll(source.file(), PlistReader.MAX_BYTES));
        Optional<String> version = root instanceof PlistValue.Dict dict
            ? dict.text(source.key()).map(String::strip).filter(v -> !v.isEmpty())
            : Optional.empty();
        if (version.isEmpty()) {
          problems.add(where + " has no " + source.key());
          continue;
        }
        Optional<Instant> modified;
        try {
          modified = Optional.of(BoundedFiles.lastModified(source.file()));
        } catch (IOException e) {
          modified = Optional.empty();
        }
        return new Copy(where, Optional.of(AvText.clean(version.get(), 40)), modified, problems);
      } catch (IOException e) {
        problems.add(where + ": " + BoundedFiles.describe(e));
      } catch (PlistParseException e) {
        problems.add(where + ": " + e.getMessage());
      }
    }
    return new Copy(paths.display(sources.get(0).file()), Optional.empty(), Optional.empty(),
        problems);
  }

  private record Source(Path file, String key) {}

  private record Copy(String where, Optional<String> version, Optional<Instant> modified,
      List<String> problems) {
    /** XProtect versions are plain integers (e.g. 5272); anything else sorts lowest. */
    long versionNumber() {
      try {
        return Long.parseLong(version.orElse(""));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
