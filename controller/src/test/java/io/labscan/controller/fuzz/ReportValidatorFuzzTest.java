package io.labscan.controller.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.labscan.contract.net.Addresses;
import io.labscan.controller.ingest.InvalidReportException;
import io.labscan.controller.ingest.ReportValidator;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The ingest gate: whatever an enrolled agent sends (protobuf bytes over gRPC) or a file holds
 * (protobuf JSON for {@code import}), {@link ReportValidator#validate} either accepts a report
 * that keeps every documented limit (each list within {@link ReportValidator#LIST_LIMITS} or
 * {@link ReportValidator#MAX_LIST}, at most {@link ReportValidator#MAX_ADDRESSES} addresses,
 * each a canonical IP literal of its family) or refuses it with an {@link InvalidReportException}
 * naming a field under {@code report}; nothing else is thrown. Seeds: full, egress and
 * address-change reports as bytes and as JSON, one at each address limit.
 */
class ReportValidatorFuzzTest {
  private static final ReportValidator VALIDATOR =
      new ReportValidator(Clock.fixed(Instant.parse("2026-03-02T12:00:00Z"), ZoneOffset.UTC));

  @FuzzTest
  void everyReportIsAcceptedWithinItsLimitsOrRefusedNamingTheField(byte[] input) {
    Report report;
    try {
      report = parse(input);
    } catch (InvalidProtocolBufferException notAReport) {
      return; // gRPC and import refuse these before the validator
    }
    try {
      VALIDATOR.validate(report);
    } catch (InvalidReportException refused) {
      assertThat(refused.field()).startsWith("report");
      assertThat(refused.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f))
          .as("printable: %s", refused.getMessage()).isTrue();
      return;
    }
    assertWithinLimits(report);
    int addresses = 0;
    for (NetworkInterface nif : report.getInventory().getInterfacesList()) {
      for (String ip : nif.getIpv4List()) {
        assertThat(Addresses.canonical(ip)).as(ip).hasValueSatisfying(c -> assertThat(c).doesNotContain(":"));
      }
      for (String ip : nif.getIpv6List()) {
        assertThat(Addresses.canonical(ip)).as(ip).hasValueSatisfying(c -> assertThat(c).contains(":"));
      }
      addresses += nif.getIpv4Count() + nif.getIpv6Count();
    }
    assertThat(addresses).isLessThanOrEqualTo(ReportValidator.MAX_ADDRESSES);
  }

  private static Report parse(byte[] input) throws InvalidProtocolBufferException {
    if (input.length > 0 && input[0] == '{') {
      Report.Builder b = Report.newBuilder();
      try {
        JsonFormat.parser().merge(new String(input, StandardCharsets.UTF_8), b);
      } catch (RuntimeException e) {
        // JsonFormat throws unchecked for some malformed JSON (e.g. numbers out of range).
        throw new InvalidProtocolBufferException(e.getMessage());
      }
      return b.build();
    }
    return Report.parseFrom(input);
  }

  /** Every repeated field, at any depth, is within its documented limit. */
  private static void assertWithinLimits(Message message) {
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (field.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        int limit = ReportValidator.LIST_LIMITS.getOrDefault(field.getFullName(), ReportValidator.MAX_LIST);
        assertThat(values.size()).as(field.getFullName()).isLessThanOrEqualTo(limit);
        for (Object v : values) {
          if (v instanceof Message m) {
            assertWithinLimits(m);
          }
        }
      } else if (e.getValue() instanceof Message m) {
        assertWithinLimits(m);
      }
    }
  }
}
