package io.labscan.controller.triage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/** Reads the complaint corpus under src/test/resources/triage. */
final class Corpus {
  private Corpus() {}

  static byte[] bytes(String file) {
    try (InputStream in = Corpus.class.getResourceAsStream("/triage/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no corpus file " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ParsedComplaint parse(String file, String... trust) {
    try {
      return ComplaintParser.parse(bytes(file), TrustConfig.of(Arrays.asList(trust)));
    } catch (NotAMailMessageException e) {
      throw new AssertionError(file + " was rejected: " + e.getMessage(), e);
    }
  }

  static TrustConfig trust(String column) {
    return column == null || column.isBlank() || column.equals("-")
        ? TrustConfig.none()
        : TrustConfig.of(List.of(column.split(";")));
  }
}
