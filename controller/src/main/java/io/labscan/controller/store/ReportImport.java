package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Where an imported report came from: {@code import} of {@code file}, run by the OS user
 * {@code importedBy}, at {@code at}. Shown with the report on the host page, so a report carried
 * in on a file is never mistaken for one the host's agent delivered over mutual TLS.
 */
public record ReportImport(String reportId, String hostId, String file, String importedBy, Instant at) {
  public ReportImport {
    requireNonNull(reportId, "reportId");
    requireNonNull(hostId, "hostId");
    requireNonNull(file, "file");
    requireNonNull(importedBy, "importedBy");
    requireNonNull(at, "at");
  }

  /** "imported from FILE by USER at TIME". */
  public String describe() {
    return "imported from " + file + " by " + importedBy + " at " + at;
  }
}
