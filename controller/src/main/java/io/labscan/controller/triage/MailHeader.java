package io.labscan.controller.triage;

import java.util.Objects;

/**
 * One header field in message order.
 *
 * @param name field name as written
 * @param value value unfolded to one line
 * @param receivedAbove how many Received: fields come before this one: a field with
 *     {@code receivedAbove <= k} sits above Received: line {@code k}, i.e. it was added after
 *     the MTA that wrote line {@code k} had the message (MTAs prepend)
 */
record MailHeader(String name, String value, int receivedAbove) {
  MailHeader {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  boolean is(String field) {
    return name.equalsIgnoreCase(field);
  }
}
