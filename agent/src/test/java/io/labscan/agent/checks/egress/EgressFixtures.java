package io.labscan.agent.checks.egress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Recorded egress samples under {@code src/test/resources/egress/}, for the core and the platform tests. */
public final class EgressFixtures {
  private EgressFixtures() {}

  /** The text of fixture {@code name} (ASCII, as /proc and the recorded event logs are). */
  public static String text(String name) throws IOException {
    try (InputStream in = EgressFixtures.class.getResourceAsStream("/egress/" + name)) {
      if (in == null) {
        throw new IOException("no egress fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
