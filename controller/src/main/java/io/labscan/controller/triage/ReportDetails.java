package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a bounce (RFC 3464) or an ARF report (RFC 5965) says besides the embedded original.
 *
 * @param reportingMta the DSN's Reporting-MTA name (without the {@code dns;} type)
 * @param arrivalDate Arrival-Date of the DSN, or Arrival-Date/Received-Date of the ARF report
 * @param finalRecipients Final-Recipient addresses (DSN) or Original-Rcpt-To (ARF)
 * @param sourceIp the ARF Source-IP, canonical: a hint from the reporter, not verified
 * @param feedbackType the ARF Feedback-Type ({@code abuse}, {@code virus} …)
 * @param originalCopy how the original came: {@code message/rfc822}, {@code
 *     text/rfc822-headers}, {@code inline text} (non-standard bounces) or {@code none}
 */
public record ReportDetails(
    Optional<String> reportingMta,
    Optional<Instant> arrivalDate,
    List<String> finalRecipients,
    Optional<String> sourceIp,
    Optional<String> feedbackType,
    String originalCopy) {

  public ReportDetails {
    Objects.requireNonNull(reportingMta, "reportingMta");
    Objects.requireNonNull(arrivalDate, "arrivalDate");
    finalRecipients = List.copyOf(finalRecipients);
    Objects.requireNonNull(sourceIp, "sourceIp");
    Objects.requireNonNull(feedbackType, "feedbackType");
    Objects.requireNonNull(originalCopy, "originalCopy");
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    Json.put(n, "reportingMta", reportingMta);
    Json.putTime(n, "arrivalDate", arrivalDate);
    Json.strings(n, "finalRecipients", finalRecipients);
    Json.put(n, "sourceIp", sourceIp);
    Json.put(n, "feedbackType", feedbackType);
    n.put("originalCopy", originalCopy);
    return n;
  }
}
