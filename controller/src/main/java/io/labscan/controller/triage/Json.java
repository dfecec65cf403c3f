package io.labscan.controller.triage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * JSON building blocks. The triage records serialize through {@code @JsonValue toJson()}
 * methods so that any ObjectMapper, with or without the jdk8/jsr310 modules, writes the same
 * documented shape: absent values as {@code null}, instants as ISO-8601 UTC strings.
 */
final class Json {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static void put(ObjectNode n, String field, Optional<String> value) {
    if (value.isPresent()) {
      n.put(field, value.get());
    } else {
      n.putNull(field);
    }
  }

  static void putTime(ObjectNode n, String field, Optional<Instant> value) {
    put(n, field, value.map(Instant::toString));
  }

  static void strings(ObjectNode n, String field, Collection<String> values) {
    ArrayNode a = n.putArray(field);
    values.forEach(a::add);
  }
}
