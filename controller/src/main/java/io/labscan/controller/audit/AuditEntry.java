package io.labscan.controller.audit;

import java.time.Instant;

/** One stored audit event; {@code seq} grows with every entry (a gap shows pruning). */
public record AuditEntry(long seq, Instant at, Actor actor, String action, String target, String detail,
    Source source) {}
