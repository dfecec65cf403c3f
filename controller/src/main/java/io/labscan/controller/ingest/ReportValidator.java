package io.labscan.controller.ingest;

import io.labscan.controller.LogText;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.Report;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decides whether a report may be stored. Agents run on machines a worm controls, so every
 * value is checked: ids, times, counts, enum values, string and list sizes. The first
 * problem is reported with the path of the field, e.g. {@code report.findings[3].path}.
 */
public final class ReportValidator {
  /** Longest accepted string, in characters, unless a field has its own limit. */
  public static final int MAX_STRING = 1024;
  /** Longest accepted path-like string. */
  public static final int MAX_PATH = 4096;
  /** Most elements accepted in any one list. */
  public static final int MAX_LIST = 100_000;
  /** How far in the future a time may lie (clock skew). */
  public static final Duration MAX_FUTURE = Duration.ofHours(24);
  /** Nothing LabScan reports predates this. */
  public static final Instant EARLIEST = Instant.parse("1990-01-01T00:00:00Z");

  private static final Map<String, Integer> LIMITS = Map.of(
      "path", MAX_PATH,
      "process_path", MAX_PATH,
      "registry_key", MAX_PATH,
      "root", MAX_PATH,
      "detail", 8192,
      "reason", 8192,
      "message", 8192);

  private final Clock clock;

  public ReportValidator(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  public void validate(Report report) throws InvalidReportException {
    requireNonNull(report, "report");
    requireUuid("report.report_id", report.getReportId());
    if (report.getSequence() <= 0) {
      throw new InvalidReportException("report.sequence", "must be positive, got " + report.getSequence());
    }
    if (!report.hasCreated()) {
      throw new InvalidReportException("report.created", "missing");
    }
    if (!report.hasInventory()) {
      throw new InvalidReportException("report.inventory", "missing");
    }
    requireUuid("report.inventory.host_id", report.getInventory().getHostId());
    if (report.getInventory().getHostname().isBlank()) {
      throw new InvalidReportException("report.inventory.hostname", "missing");
    }
    walk(FieldPath.ROOT, report);
  }

  /**
   * Where a value sits in the report, e.g. {@code report.findings[3].path}. Spelled out only
   * when a value is refused: building the text for every valid field was a large part of the
   * validation's cost on the gRPC threads.
   */
  private record FieldPath(FieldPath parent, String name, int index) {
    static final FieldPath ROOT = new FieldPath(null, "report", -1);

    FieldPath field(String fieldName) {
      return new FieldPath(this, fieldName, -1);
    }

    FieldPath element(int i) {
      return new FieldPath(parent, name, i);
    }

    @Override
    public String toString() {
      String self = index < 0 ? name : name + "[" + index + "]";
      return parent == null ? self : parent + "." + self;
    }
  }

  /** Checks every field of {@code message} recursively. */
  private void walk(FieldPath path, Message message) throws InvalidReportException {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      throw new InvalidReportException(path.toString(), "carries fields unknown to this controller (numbers "
          + message.getUnknownFields().asMap().keySet() + ")");
    }
    if (message instanceof Timestamp ts) {
      checkTime(path, ts);
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      FieldPath fieldPath = path.field(field.getName());
      if (field.isMapField()) {
        List<?> entries = (List<?>) e.getValue();
        checkListSize(fieldPath, entries.size());
        for (Object entry : entries) {
          Message m = (Message) entry;
          for (Map.Entry<FieldDescriptor, Object> kv : m.getAllFields().entrySet()) {
            checkScalar(fieldPath, kv.getKey(), kv.getValue());
          }
        }
      } else if (field.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        checkListSize(fieldPath, values.size());
        for (int i = 0; i < values.size(); i++) {
          checkValue(fieldPath.element(i), field, values.get(i));
        }
      } else {
        checkValue(fieldPath, field, e.getValue());
      }
    }
  }

  private void checkValue(FieldPath path, FieldDescriptor field, Object value) throws InvalidReportException {
    if (value instanceof Message m) {
      walk(path, m);
    } else {
      checkScalar(path, field, value);
    }
  }

  private static void checkScalar(FieldPath path, FieldDescriptor field, Object value)
      throws InvalidReportException {
    switch (field.getJavaType()) {
      case STRING -> {
        String s = (String) value;
        int limit = LIMITS.getOrDefault(field.getName(), MAX_STRING);
        if (s.length() > limit) {
          throw new InvalidReportException(path.toString(), "longer than " + limit + " characters (" + s.length() + ")");
        }
      }
      case INT, LONG -> {
        long v = ((Number) value).longValue();
        if (v < 0) {
          throw new InvalidReportException(path.toString(), "must not be negative, got " + v);
        }
      }
      case ENUM -> {
        EnumValueDescriptor ev = (EnumValueDescriptor) value;
        if (ev.getIndex() < 0 || ev.getType().findValueByNumber(ev.getNumber()) == null) {
          throw new InvalidReportException(path.toString(), "unknown enum value " + ev.getNumber());
        }
      }
      case BYTE_STRING -> {
        int size = ((com.google.protobuf.ByteString) value).size();
        if (size > 4096) {
          throw new InvalidReportException(path.toString(), "longer than 4096 bytes (" + size + ")");
        }
      }
      default -> {
        // booleans, floats: any value is possible
      }
    }
  }

  private void checkTime(FieldPath path, Timestamp ts) throws InvalidReportException {
    if (!Timestamps.isValid(ts)) {
      throw new InvalidReportException(path.toString(), "not a valid timestamp");
    }
    Instant t = Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    if (t.isAfter(clock.instant().plus(MAX_FUTURE))) {
      throw new InvalidReportException(path.toString(), "lies in the future (" + t + ")");
    }
    if (t.isBefore(EARLIEST)) {
      throw new InvalidReportException(path.toString(), "lies before " + EARLIEST + " (" + t + ")");
    }
  }

  private static void checkListSize(FieldPath path, int size) throws InvalidReportException {
    if (size > MAX_LIST) {
      throw new InvalidReportException(path.toString(), "has " + size + " elements; at most " + MAX_LIST + " are accepted");
    }
  }

  private static void requireUuid(String path, String value) throws InvalidReportException {
    if (value.isEmpty()) {
      throw new InvalidReportException(path, "missing");
    }
    try {
      if (value.length() != 36 || !UUID.fromString(value).toString().equals(value)) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidReportException(path, "not a lower-case UUID (\"" + printable(value) + "\")");
    }
  }

  private static String printable(String s) {
    return LogText.of(s, 40);
  }
}
