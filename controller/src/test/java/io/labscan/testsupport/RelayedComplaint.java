package io.labscan.testsupport;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The worm's mail as the campus chain records it when it went lab PC → a department relay → the
 * MX: the MX's line(s) about the relay's connection, then the relay's Postfix line recording the
 * client, then the worm's headers. Shared by the trust-walk red-team tests (rounds 4 and 6), so a
 * relayed complaint means the same in each.
 */
public final class RelayedComplaint {
  private RelayedComplaint() {}

  /**
   * Writes {@code name.eml} into {@code fleet}'s folder.
   *
   * @param mxLines the MX's Received: line(s) about the relay's connection, CRLF-folded
   * @param relay the relay's name, as it writes itself in its own line
   * @param clientHelo the HELO the client gave (its reverse DNS is {@code clientHelo.lab.example.edu})
   * @param clientIp the client address the relay recorded
   * @param at when the relay received the mail (the Date: header is three seconds earlier)
   */
  public static Path write(ImportedFleet fleet, String name, String mxLines, String relay, String clientHelo,
      String clientIp, Instant at) throws Exception {
    return fleet.write(name, String.join("\r\n",
        "Return-Path: <harold@lab.example.edu>",
        mxLines,
        "Received: from " + clientHelo + " (" + clientHelo + ".lab.example.edu [" + clientIp + "])",
        "\tby " + relay + " (Postfix) with ESMTP id 3C4D5E",
        "\tfor <bob@example.net>; " + ImportedFleet.RFC5322.format(at),
        "From: \"Harold\" <harold@lab.example.edu>",
        "To: bob@example.net",
        "Subject: meeting notice",
        "Date: " + ImportedFleet.RFC5322.format(at.minusSeconds(3)),
        "Message-ID: <" + name + "@PC17>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "A harmless stand-in for the worm's message.",
        ""));
  }
}
