package io.labscan.agent.checks.artifacts.journal;

import io.labscan.agent.checks.artifacts.walk.EntryType;
import io.labscan.agent.checks.artifacts.walk.FileEntry;
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
      public Optional<List<byte[]>> opened(String folder, Optional<byte[]> identity) {
        identity.ifPresent(id -> out.put(folder, FolderHandle.of(id)));
        return Optional.empty();
      }
    });
    return out;
  }
}
