package io.labscan.agent.checks.artifacts.walk;

import static java.util.Objects.requireNonNull;

/**
 * A folder's identity as the kernel knows it, for a change journal.
 *
 * @param handle file system id ({@code f_fsid}, 8 bytes), handle type (4 bytes, native order)
 *     and handle bytes ({@code name_to_handle_at}): what a fanotify event names the folder by
 * @param device the device it is on ({@code stx_dev_major << 32 | stx_dev_minor}): two
 *     mounted file systems can share an {@code f_fsid} (a block-level clone), never a device
 */
public record FolderId(byte[] handle, long device) {
  public FolderId {
    requireNonNull(handle, "handle");
  }
}
