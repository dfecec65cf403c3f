package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where user profiles and mail spools live under a scanned root. The rules follow what the
 * root contains, not the agent's own platform: a Linux agent scanning a mounted Windows disk
 * finds {@code Documents and Settings/*} all the same.
 */
final class ProfileLocations {
  /** Folders whose sub-folders are user profiles, matched ignoring case. */
  static final List<List<String>> PROFILE_PARENTS = List.of(
      List.of("home"),
      List.of("Users"),
      List.of("Documents and Settings"));

  /** Unix mail spools: one mbox per user. */
  static final List<List<String>> SPOOLS = List.of(
      List.of("var", "mail"),
      List.of("var", "spool", "mail"));

  /** A folder to walk: a user profile, or a spool whose files are all mailboxes. */
  record Start(Path dir, boolean spool) {}

  private ProfileLocations() {}

  /** Every profile and spool folder under the guarded root, each real folder once. */
  static List<Start> find(RootGuard guard, ScanCounters counters) {
    Set<Path> seen = new LinkedHashSet<>();
    List<Start> starts = new ArrayList<>();
    for (List<String> parent : PROFILE_PARENTS) {
      for (Path parentDir : resolve(guard, parent, counters)) {
        for (Path profile : subfolders(guard, parentDir, counters)) {
          if (seen.add(profile)) {
            starts.add(new Start(profile, false));
          }
        }
      }
    }
    for (List<String> spool : SPOOLS) {
      for (Path spoolDir : resolve(guard, spool, counters)) {
        if (seen.add(spoolDir)) {
          starts.add(new Start(spoolDir, true));
        }
      }
    }
    return starts;
  }

  /** The real folders matching {@code segments} below the root, ignoring case. */
  private static List<Path> resolve(RootGuard guard, List<String> segments,
      ScanCounters counters) {
    List<Path> current = List.of(guard.root());
    for (String segment : segments) {
      List<Path> next = new ArrayList<>();
      for (Path dir : current) {
        for (Path child : RootGuard.childrenNamed(dir, segment)) {
          guard.inside(child, counters).filter(Files::isDirectory).ifPresent(next::add);
        }
      }
      current = next;
    }
    return current;
  }

  private static List<Path> subfolders(RootGuard guard, Path dir, ScanCounters counters) {
    List<Path> folders = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        guard.inside(entry, counters).filter(Files::isDirectory).ifPresent(folders::add);
      }
    } catch (IOException e) {
      counters.skipped(SkipReasons.UNREADABLE, 1);
    }
    return folders;
  }
}
