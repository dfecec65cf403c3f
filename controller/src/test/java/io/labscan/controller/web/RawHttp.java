package io.labscan.controller.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HTTP/1.1 over a plain socket, for requests java.net.http will not send: a forged Host
 * header, a chunked body that never ends, a chosen source address on loopback.
 */
final class RawHttp {
  /** Status code and the raw response (headers and whatever body arrived). */
  record Response(int status, String text) {
    String body() {
      int end = text.indexOf("\r\n\r\n");
      return end < 0 ? "" : text.substring(end + 4);
    }
  }

  private final int port;
  private final InetAddress from;

  RawHttp(int port, String fromAddress) throws IOException {
    this.port = port;
    this.from = InetAddress.getByName(fromAddress);
  }

  RawHttp(int port) throws IOException {
    this(port, "127.0.0.1");
  }

  /** Sends {@code head} (request line and headers, without the blank line) and {@code body}. */
  Response send(String head, byte[] body) throws IOException {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // The server answered and closed before taking the whole body: read its answer.
      }
      return read(socket.getInputStream());
    }
  }

  /**
   * Streams a chunked body of {@code totalBytes} in 64 KiB chunks, stopping early when the
   * server stops reading (answered and closed), then reads the answer.
   */
  Response sendChunked(String head, long totalBytes) throws IOException {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'a');
      byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      try {
        for (long sent = 0; sent < totalBytes; sent += chunk.length) {
          out.write(size);
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        // The server stopped reading: its answer is waiting.
      }
      return read(socket.getInputStream());
    }
  }

  private Socket open() throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(30_000);
    return socket;
  }

  private static Response read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        all.write(buf, 0, n);
        if (all.size() > 1024 * 1024) {
          break;
        }
      }
    } catch (IOException e) {
      // A reset after the answer: keep what arrived.
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/1.1 ")) {
      throw new IOException("no HTTP answer: '" + text + "'");
    }
    return new Response(Integer.parseInt(text.substring(9, 12)), text);
  }
}
