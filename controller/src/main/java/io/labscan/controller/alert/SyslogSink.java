package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Writes alerts as RFC 5424 syslog messages: over UDP (RFC 5426, one message a datagram), TCP
 * (RFC 6587 octet counting: {@code LENGTH SP MESSAGE}), or appended to a local file, one a line.
 */
public final class SyslogSink implements AlertSink {
  private static final int TIMEOUT_MILLIS = 5_000;

  /** How messages travel. */
  public enum Transport { UDP, TCP, FILE }

  private final Transport transport;
  private final String host;
  private final int port;
  private final @Nullable Path file;
  private final SyslogMessage format;

  private SyslogSink(Transport transport, String host, int port, @Nullable Path file, SyslogMessage format) {
    this.transport = transport;
    this.host = host;
    this.port = port;
    this.file = file;
    this.format = requireNonNull(format, "format");
  }

  /**
   * Parses a target: {@code HOST:PORT} or {@code udp://HOST:PORT} (UDP), {@code tcp://HOST:PORT},
   * or {@code file:PATH}. IPv6 hosts go in brackets: {@code [::1]:514}.
   */
  public static SyslogSink parse(String target) {
    return parse(target, SyslogMessage.forThisMachine());
  }

  static SyslogSink parse(String target, SyslogMessage format) {
    requireNonNull(target, "target");
    String t = target.strip();
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("file:")) {
      String path = t.substring(5);
      if (path.isEmpty()) {
        throw new IllegalArgumentException("syslog target '" + target + "': no file after 'file:'");
      }
      return new SyslogSink(Transport.FILE, "", 0, Path.of(path), format);
    }
    Transport transport = Transport.UDP;
    if (lower.startsWith("udp://")) {
      t = t.substring(6);
    } else if (lower.startsWith("tcp://")) {
      transport = Transport.TCP;
      t = t.substring(6);
    }
    int colon = t.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("syslog target '" + target + "' is not HOST:PORT, udp://HOST:PORT, "
          + "tcp://HOST:PORT or file:PATH");
    }
    String h = t.substring(0, colon);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    int p;
    try {
      p = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 1 || p > 65535 || h.isEmpty()) {
      throw new IllegalArgumentException("syslog target '" + target + "': needs a host and a port 1-65535");
    }
    return new SyslogSink(transport, h, p, null, format);
  }

  public Transport transport() {
    return transport;
  }

  @Override
  public void send(Alert alert) throws IOException {
    byte[] message = format.format(alert);
    switch (transport) {
      case UDP -> {
        try (DatagramSocket socket = new DatagramSocket()) {
          socket.send(new DatagramPacket(message, message.length, new InetSocketAddress(host, port)));
        }
      }
      case TCP -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
          socket.setSoTimeout(TIMEOUT_MILLIS);
          OutputStream out = socket.getOutputStream();
          out.write((message.length + " ").getBytes(StandardCharsets.US_ASCII));
          out.write(message);
          out.flush();
        }
      }
      case FILE -> {
        byte[] line = new byte[message.length + 1];
        System.arraycopy(message, 0, line, 0, message.length);
        line[message.length] = '\n';
        synchronized (this) {
          Files.write(requireNonNull(file, "file"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
      }
    }
  }

  @Override
  public String describe() {
    return transport == Transport.FILE ? "syslog file " + file
        : "syslog " + transport.name().toLowerCase(Locale.ROOT) + "://" + host + ":" + port;
  }
}
