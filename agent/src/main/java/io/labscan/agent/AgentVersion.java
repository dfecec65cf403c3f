package io.labscan.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, as stamped into the build. */
public final class AgentVersion {
  private static final String VERSION = load();

  private AgentVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = AgentVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
