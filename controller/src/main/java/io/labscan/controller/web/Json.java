package io.labscan.controller.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.verdict.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** JSON in and out of the API. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();
  /** Largest JSON request body read (triage messages travel as raw bodies, not JSON). */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  static void send(Context ctx, int status, JsonNode node) {
    ctx.status(status);
    ctx.contentType("application/json; charset=utf-8");
    try {
      ctx.result(MAPPER.writeValueAsBytes(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static void send(Context ctx, JsonNode node) {
    send(ctx, 200, node);
  }

  static void error(Context ctx, int status, String message) {
    send(ctx, status, object().put("error", message));
  }

  /** Reads a JSON object body; only application/json is accepted (a cross-site form cannot send it). */
  static ObjectNode body(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
    if (!type.startsWith("application/json")) {
      throw new ApiError(415, "send the request body as application/json");
    }
    byte[] bytes = HttpGuard.body(ctx);
    try {
      JsonNode node = MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        throw ApiError.badRequest("the request body must be a JSON object");
      }
      return (ObjectNode) node;
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("the request body is not JSON: " + e.getOriginalMessage());
    }
  }

  /** A text field of a request object; empty when absent or null. */
  static Optional<String> text(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      throw ApiError.badRequest("'" + field + "' must be a string");
    }
    return Optional.of(n.asText());
  }

  static void time(ObjectNode o, String field, Optional<Instant> t) {
    if (t.isPresent()) {
      o.put(field, t.get().toString());
    } else {
      o.putNull(field);
    }
  }

  static ArrayNode reasons(List<Reason> reasons) {
    ArrayNode out = array();
    for (Reason r : reasons) {
      out.addObject().put("code", r.code()).put("text", r.text()).put("evidence", r.evidence());
    }
    return out;
  }
}
