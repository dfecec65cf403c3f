package io.labscan.agent.checks.artifacts.journal;

import io.labscan.agent.checks.artifacts.walk.EntryType;
import io.labscan.agent.checks.artifacts.walk.FileEntry;
import io.labscan.agent.checks.artifacts.walk.FolderId;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.agent.checks.artifacts.walk.WalkVisitor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Each folder's identity under a root, as the native walker computes it (relative path to handle). */
public final class FolderIdentities {
  private FolderIdentities() {}

  public static Map<String, FolderHandle> of(Path root) throws IOException {
    Map<String, FolderHandle> out = new HashMap<>();
    walk(root, (folder, id) -> out.put(folder, FolderHandle.of(id.handle())));
    return out;
  }

  /** The file systems under a root, as a journal watching them reports them (id to device). */
  public static Map<Long, Long> filesystems(Path root) throws IOException {
    Map<Long, Long> out = new HashMap<>();
    walk(root, (folder, id) -> out.put(FolderHandle.of(id.handle()).filesystem(), id.device()));
    return out;
  }

  private static void walk(Path root, java.util.function.BiConsumer<String, FolderId> sink) throws IOException {
    TreeWalker.forCurrentPlatform().walk(root.toRealPath(), new WalkVisitor<String>() {
      @Override
      public String root() {
        return "";
      }

      @Override
      public Optional<String> enter(String parent, String name) {
        return Optional.of(parent.isEmpty() ? name : parent + "/" + name);
      }

      @Override
      public void file(String folder, FileEntry file) {}

      @Override
      public void notFollowed(String folder, String name, EntryType type) {}

      @Override
      public void unreadable(String folder, String name) {}

      @Override
      public void listed(String folder, boolean complete) {}

      @Override
      public boolean stopRequested() {
        return false;
      }

      @Override
      public boolean wantsFolderIdentity() {
        return true;
      }

      @Override
      public Optional<List<byte[]>> opened(String folder, Optional<FolderId> identity) {
        identity.ifPresent(id -> sink.accept(folder, id));
        return Optional.empty();
      }
    });
  }
}
