package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import jakarta.activation.DataSource;
import jakarta.mail.internet.SharedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a hostile multipart from costing more than the part budget.
 *
 * <p>{@code MimeMultipart} parses every body part as soon as it is asked for one, so a
 * message of a few megabytes made of empty parts would become millions of objects. Before
 * parsing, the delimiter lines ({@code --boundary}) of the body are counted in one streaming
 * pass; when there are more parts than the budget, the multipart is parsed from a window that
 * ends at the first delimiter past the budget (a missing end boundary is tolerated).
 */
final class MultipartWindow {
  private MultipartWindow() {}

  /**
   * The offset of the delimiter line that opens part {@code budget + 1} of the multipart
   * body read from {@code body}, or empty when the body has at most {@code budget} parts.
   *
   * @param boundary the boundary parameter; when absent every line starting with
   *     {@code --} is counted, an upper bound of what a lenient parser will accept
   */
  static OptionalLong cutAfter(InputStream body, @Nullable String boundary, int budget)
      throws IOException {
    byte[] delimiter = ("--" + (boundary == null ? "" : boundary))
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] buffer = new byte[16 * 1024];
    long position = 0;
    long lineStart = 0;
    int matched = 0; // bytes of the delimiter matched at the current line start; -1: none
    int dashesAfter = -1; // after a full delimiter: dashes seen (2 = closing); -1: none
    int parts = 0;
    int n;
    while ((n = body.read(buffer)) >= 0) {
      for (int i = 0; i < n; i++) {
        byte b = buffer[i];
        if (dashesAfter >= 0) {
          if (b == '-' && dashesAfter == 0) {
            dashesAfter = 1;
          } else if (b == '-' && dashesAfter == 1) {
            dashesAfter = -1; // "--boundary--" closes the multipart: no part follows
          } else {
            dashesAfter = -1;
            parts++;
            if (parts > budget) {
              return OptionalLong.of(lineStart);
            }
          }
        } else if (matched >= 0 && matched < delimiter.length) {
          if (b == delimiter[matched]) {
            matched++;
            if (matched == delimiter.length) {
              dashesAfter = 0;
            }
          } else {
            matched = -1;
          }
        }
        if (b == '\n') {
          lineStart = position + i + 1;
          matched = 0;
        }
      }
      position += n;
    }
    return OptionalLong.empty();
  }

  /** The first {@code end} bytes of a shared body, as a data source to parse from. */
  static DataSource window(SharedInputStream body, long end, String contentType) {
    requireNonNull(body, "body");
    requireNonNull(contentType, "contentType");
    return new DataSource() {
      @Override
      public InputStream getInputStream() {
        return body.newStream(0, end);
      }

      @Override
      public OutputStream getOutputStream() throws IOException {
        throw new IOException("read-only");
      }

      @Override
      public String getContentType() {
        return contentType;
      }

      @Override
      public String getName() {
        return "";
      }
    };
  }
}
