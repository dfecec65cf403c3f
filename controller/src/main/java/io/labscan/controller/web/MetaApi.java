package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.labscan.controller.account.Role;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.Vocabulary;
import java.time.Duration;

/**
 * {@code GET /api/v1/meta}: the vocabulary the pages show — verdict names and meanings, the
 * compliance windows, the complaint threshold, the roles — taken from the constants and the
 * policy the controller actually applies, so no page spells a number or a verdict name itself.
 * The answer is the same for every request; it is built once.
 */
final class MetaApi {
  private final ObjectNode answer;

  MetaApi(VerdictPolicy policy) {
    requireNonNull(policy, "policy");
    this.answer = build(policy);
  }

  void meta(Context ctx) {
    Json.send(ctx, answer.deepCopy());
  }

  static ObjectNode build(VerdictPolicy policy) {
    ObjectNode o = Json.object();
    ArrayNode verdicts = o.putArray("verdicts");
    for (Vocabulary.Term t : Vocabulary.verdicts()) {
      verdicts.addObject().put("name", t.name()).put("meaning", t.meaning())
          .put("infectedList", Verdict.valueOf(t.name()).isInfectedList());
    }
    Vocabulary.Term pending = Vocabulary.pending();
    o.putObject("pending").put("name", pending.name()).put("meaning", pending.meaning());
    // The five compliance conditions of Compliance.evaluate, and the verdict look-backs.
    ObjectNode compliance = o.putObject("compliance");
    window(compliance, "seenWithin", Vocabulary.SEEN_WITHIN);
    window(compliance, "fullScanWithin", Vocabulary.FULL_SCAN_WITHIN);
    window(compliance, "egressLookback", policy.egressLookback());
    compliance.put("definitions", "FRESH");
    compliance.put("verdict", Verdict.CLEAN.name());
    ObjectNode complaints = o.putObject("complaints");
    complaints.put("threshold", policy.complaintMinConfidence());
    window(complaints, "lookback", policy.complaintLookback());
    ArrayNode roles = o.putArray("roles");
    for (Role r : Role.values()) {
      roles.addObject().put("name", r.id()).put("meaning", r.meaning());
    }
    return o;
  }

  private static void window(ObjectNode windows, String name, Duration d) {
    windows.putObject(name).put("seconds", d.toSeconds()).put("text", text(d));
  }

  /** "1 h", "26 h", "7 days", "90 min": how the pages write a window. */
  static String text(Duration d) {
    long minutes = d.toMinutes();
    if (minutes % (24 * 60) == 0 && minutes >= 2 * 24 * 60) {
      return minutes / (24 * 60) + " days";
    }
    if (minutes % 60 == 0 && minutes > 0) {
      return minutes / 60 + " h";
    }
    return minutes + " min";
  }
}
