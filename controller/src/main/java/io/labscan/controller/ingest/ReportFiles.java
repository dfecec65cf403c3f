package io.labscan.controller.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.labscan.proto.v1.Report;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads report files written by {@code labscan-agent scan --out} (protobuf JSON). */
public final class ReportFiles {
  /** Larger files are refused before parsing: no agent writes reports this large. */
  public static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  private ReportFiles() {}

  /** Parses and validates one file; the exception message names the file and the problem. */
  public static Report read(Path file, ReportValidator validator) throws InvalidReportFileException {
    String text;
    try {
      if (!Files.isRegularFile(file)) {
        throw new InvalidReportFileException(file, Files.exists(file) ? "not a regular file" : "no such file");
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new InvalidReportFileException(file, "is " + size + " bytes; reports larger than "
            + MAX_FILE_BYTES + " bytes are refused");
      }
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (NoSuchFileException e) {
      throw new InvalidReportFileException(file, "no such file");
    } catch (CharacterCodingException e) {
      throw new InvalidReportFileException(file, "not JSON: the file is not UTF-8 text");
    } catch (IOException e) {
      throw new InvalidReportFileException(file, "cannot be read: " + e.getMessage());
    }
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw new InvalidReportFileException(file, "is empty");
    }
    if (!trimmed.startsWith("{")) {
      throw new InvalidReportFileException(file, "not JSON: a report file starts with '{'");
    }
    Report.Builder builder = Report.newBuilder();
    try {
      JsonFormat.parser().merge(text, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidReportFileException(file, "not a LabScan report: " + describe(e));
    } catch (RuntimeException e) {
      // JsonFormat signals some malformed input with unchecked exceptions.
      throw new InvalidReportFileException(file, "not a LabScan report: " + e.getMessage());
    }
    Report report = builder.build();
    try {
      validator.validate(report);
    } catch (InvalidReportException e) {
      throw new InvalidReportFileException(file, "invalid report: " + e.getMessage());
    }
    return report;
  }

  private static String describe(InvalidProtocolBufferException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("EOF") || m.contains("End of input") || m.contains("Unterminated")) {
      return "the JSON is truncated (" + m + ")";
    }
    return m;
  }

  /** A report file that cannot be imported. */
  public static final class InvalidReportFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidReportFileException(Path file, String problem) {
      super(file + ": " + problem);
    }
  }
}
