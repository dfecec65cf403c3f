package io.labscan.contract;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** LabScan's version, as stamped into the build (one for the agent and the controller). */
public final class LabScanVersion {
  private static final String VERSION = load();

  private LabScanVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = LabScanVersion.class.getResourceAsStream("version.properties")) {
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
