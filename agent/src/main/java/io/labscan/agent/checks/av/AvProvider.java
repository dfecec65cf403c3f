package io.labscan.agent.checks.av;

/**
 * One source of antivirus facts (a product, or a registry of products such as Windows
 * Security Center). Implementations read through small platform interfaces so that the
 * decision logic can be tested on recorded values.
 *
 * <p>A provider reports nothing when its product is absent: "no antivirus at all" is decided
 * once, by {@link AvCheck}, from the silence of every provider. Hostile or broken input must
 * become an {@code AV_STATE_UNKNOWN} status or a problem note, never an exception.
 */
public interface AvProvider {

  /** Short stable name, also written as {@code AvStatus.provider}, e.g. {@code "clamav"}. */
  String name();

  /** Looks for the product and reports its definitions' state. */
  AvDetection detect(AvContext context);
}
