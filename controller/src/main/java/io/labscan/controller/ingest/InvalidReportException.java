package io.labscan.controller.ingest;

import static java.util.Objects.requireNonNull;

/** A report that must not be stored; {@link #field()} names the offending field. */
public final class InvalidReportException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String field;

  public InvalidReportException(String field, String problem) {
    super(requireNonNull(field, "field") + ": " + requireNonNull(problem, "problem"));
    this.field = field;
  }

  public String field() {
    return field;
  }
}
