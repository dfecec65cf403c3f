package io.labscan.controller.store;

import java.time.Instant;

/** One stored report, summarised for a host's evidence timeline. */
public record ReportEntry(String reportId, long sequence, Instant created, Instant received, String scanKind,
    String via, int findings, int egressWindows, int avStatuses) {}
