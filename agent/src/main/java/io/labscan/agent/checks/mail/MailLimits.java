package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.Policy;

/**
 * Bounds that keep a hostile mail store from exhausting the agent.
 *
 * @param maxMessageBytes largest single message (or single-message file) parsed; larger ones
 *     are counted as {@code too-large}. Containers (mbox, .dbx) are not bounded as a whole:
 *     they are streamed and this bound applies to each message inside.
 * @param maxMimeDepth deepest nesting of multiparts and attached messages followed
 * @param maxPartsPerMessage most MIME parts examined in one message
 * @param maxWalkDepth deepest folder level visited below a profile or spool folder
 */
public record MailLimits(
    long maxMessageBytes, int maxMimeDepth, int maxPartsPerMessage, int maxWalkDepth) {
  public static final int DEFAULT_MIME_DEPTH = 8;
  public static final int DEFAULT_PARTS_PER_MESSAGE = 1_000;
  public static final int DEFAULT_WALK_DEPTH = 32;

  public MailLimits {
    if (maxMessageBytes <= 0 || maxMimeDepth <= 0 || maxPartsPerMessage <= 0
        || maxWalkDepth <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  /** Limits for a scan under {@code policy} (whose defaults are already filled in). */
  public static MailLimits fromPolicy(Policy policy) {
    requireNonNull(policy, "policy");
    if (policy.getMaxFileSizeBytes() <= 0) {
      throw new IllegalArgumentException("policy has no max_file_size_bytes");
    }
    return new MailLimits(policy.getMaxFileSizeBytes(), DEFAULT_MIME_DEPTH,
        DEFAULT_PARTS_PER_MESSAGE, DEFAULT_WALK_DEPTH);
  }
}
