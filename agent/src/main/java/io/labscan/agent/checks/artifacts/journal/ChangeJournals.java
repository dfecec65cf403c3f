package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.platform.Platform;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Objects;

/** Picks the change journal at run time: fanotify on Linux when allowed, else none. */
public final class ChangeJournals {
  private static final Logger log = LoggerFactory.getLogger(ChangeJournals.class);

  private ChangeJournals() {}

  /** A journal watching the file systems of {@code roots}; {@link NoChangeJournal} (reason logged once) if none works. */
  public static ChangeJournal forRoots(Platform platform, List<Path> roots) {
    return forRoots(platform, roots, DirtyFolders.DEFAULT_CAP);
  }

  public static ChangeJournal forRoots(Platform platform, List<Path> roots, int cap) {
    requireNonNull(platform, "platform");
    requireNonNull(roots, "roots");
    String reason;
    if (platform.isLinux()) {
      try {
        ChangeJournal journal = LinuxFanotifyJournal.start(roots, cap);
        log.info("Change journal: fanotify, watching the file systems of {}.", roots);
        return journal;
      } catch (LinuxFanotifyJournal.Unavailable e) {
        reason = Objects.requireNonNullElse(e.getMessage(), "fanotify unavailable");
      } catch (RuntimeException | LinkageError e) {
        reason = "fanotify unusable (" + e + ")";
      }
    } else {
      // Windows would read the NTFS USN journal, macOS FSEvents: not built yet.
      reason = "no change journal for " + platform.displayName();
    }
    log.info("No change journal ({}): every scan lists every folder.", reason);
    return new NoChangeJournal(reason);
  }
}
