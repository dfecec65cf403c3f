package io.labscan.controller.e2e;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Janet's forward of a complaint to IT, as Thunderbird's "Forward as Attachment" writes it and
 * the campus MX delivers it: her own header block, with her own {@code Received:} lines (her
 * client at {@code clientIp} submitting to the MX, then the MX's content-filter hand-off), a
 * short note, and the message she received as a {@code message/rfc822} part, byte for byte.
 *
 * <p>The forward's outer header block traces to Janet's machine, never to the worm: a triage
 * that read it instead of the attached message would blame the forwarder.
 */
final class Forwards {
  private static final DateTimeFormatter MAIL_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final Pattern SUBJECT = Pattern.compile("(?mi)^Subject:[ \\t]*(.*)$");

  private Forwards() {}

  /**
   * Writes {@code forward} holding {@code received} (a delivered message file) as an attachment,
   * from {@code from} to {@code to}, submitted from {@code clientIp} through {@code mxName}/{@code mxIp}.
   */
  static Path asAttachment(Path received, Path forward, String from, String to, String note, String clientIp,
      String mxName, String mxIp, Instant sentAt) throws IOException {
    requireNonNull(received, "received");
    requireNonNull(forward, "forward");
    byte[] original = Files.readAllBytes(received);
    String subject = subject(original);
    String domain = from.substring(from.indexOf('@') + 1);
    String date = MAIL_DATE.format(sentAt);
    String boundary = "------------" + Long.toHexString(sentAt.toEpochMilli()) + "FwdAtt";
    String head = String.join("\n",
        "Return-Path: <" + from + ">",
        "X-Original-To: " + to,
        "Delivered-To: " + to,
        "Received: from localhost (localhost [127.0.0.1])",
        "\tby " + mxName + " (Postfix) with ESMTP id 4C1F2A0B7E",
        "\tfor <" + to + ">; " + date,
        "Received: from [" + clientIp + "] (janet-laptop." + domain + " [" + clientIp + "])",
        "\t(Authenticated sender: " + from + ")",
        "\tby " + mxName + " (Postfix) with ESMTPSA id 9E3D51B20A",
        "\tfor <" + to + ">; " + date,
        "Message-ID: <" + Long.toHexString(sentAt.toEpochMilli()) + ".fwd@" + domain + ">",
        "Date: " + date,
        "MIME-Version: 1.0",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Thunderbird/115.5.0",
        "From: Janet <" + from + ">",
        "To: " + to,
        "Subject: Fwd: " + subject,
        "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"",
        "",
        "This is a multi-part message in MIME format.",
        "--" + boundary,
        "Content-Type: text/plain; charset=UTF-8; format=flowed",
        "Content-Transfer-Encoding: 7bit",
        "",
        note,
        "",
        "--" + boundary,
        "Content-Type: message/rfc822; name=\"" + subject + ".eml\"",
        "Content-Disposition: attachment; filename=\"" + subject + ".eml\"",
        "",
        "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(original);
    if (original.length > 0 && original[original.length - 1] != '\n') {
      out.write('\n');
    }
    out.write(("\n--" + boundary + "--\n").getBytes(StandardCharsets.US_ASCII));
    Files.createDirectories(forward.toAbsolutePath().getParent());
    Files.write(forward, out.toByteArray());
    return forward;
  }

  private static String subject(byte[] message) {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\n\n");
    Matcher m = SUBJECT.matcher(end < 0 ? text : text.substring(0, end));
    return m.find() ? m.group(1).strip() : "(no subject)";
  }

  /** The address of the forward's {@code Received:} line naming the forwarder's machine, for assertions. */
  static String forwarderAddress(String subnet) {
    return String.format(Locale.ROOT, "%s.200", subnet);
  }
}
