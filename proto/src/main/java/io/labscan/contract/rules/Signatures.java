package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Hash and body signatures in ClamAV's own formats, so users can load real databases (or
 * write their own in the same syntax): {@code .hdb} ({@code MD5:size:name}), {@code .hsb}
 * ({@code SHA1-or-SHA256:size:name}, size {@code *} allowed, optionally {@code :73}) and a
 * subset of {@code .ndb} (see {@link ClamAvParser}).
 *
 * <p>Malformed lines refuse the whole database with an error naming the file and line, as
 * ClamAV does; lines in valid ClamAV syntax that this engine does not implement (EP+n
 * offsets, alternatives ...) are skipped and listed in {@link #warnings()}.
 *
 * <p>This is the language (parsed, validated, fingerprinted), shared by the controller, which
 * checks a rule set before pushing it, and the agent. The compiled forms that match files
 * (the size-keyed hash index, the Aho-Corasick body matcher) are the agent's own.
 */
public final class Signatures {
  /** Lines longer than this are refused: no real signature comes close. */
  public static final int MAX_LINE_CHARS = 1 << 20;
  /** An agent is not a full AV engine; beyond this many signatures, use ClamAV itself. */
  static final int MAX_SIGNATURES = 2_000_000;

  private static final Signatures EMPTY = new Signatures(List.of(), List.of(), List.of());

  private final List<HashSignature> hashes;
  private final List<BodySignature> bodies;
  private final List<String> warnings;
  private final String bodyDigest;
  private final Map<String, BodySignature> bodiesByName = new HashMap<>();

  private Signatures(List<HashSignature> hashes, List<BodySignature> bodies, List<String> warnings) {
    this.hashes = List.copyOf(hashes);
    this.bodies = List.copyOf(bodies);
    this.warnings = List.copyOf(warnings);
    this.bodyDigest = digestOf(this.bodies);
    for (BodySignature b : this.bodies) {
      bodiesByName.putIfAbsent(b.name(), b);
    }
  }

  public static Signatures empty() {
    return EMPTY;
  }

  /**
   * Loads one database; its type comes from the file name's extension ({@code .hdb},
   * {@code .hsb}, {@code .ndb}, any case).
   *
   * @param fileName the name used in error messages and finding details
   * @throws RuleParseException when the file is malformed, naming the file and the line
   * @throws IOException when the stream cannot be read
   */
  public static Signatures load(String fileName, InputStream in) throws RuleParseException, IOException {
    requireNonNull(fileName, "fileName");
    requireNonNull(in, "in");
    String lower = fileName.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".hdb")) {
      return parse(fileName, in, Format.HDB);
    } else if (lower.endsWith(".hsb")) {
      return parse(fileName, in, Format.HSB);
    } else if (lower.endsWith(".ndb")) {
      return parse(fileName, in, Format.NDB);
    }
    throw new RuleParseException(fileName, "unsupported database type: expected .hdb, .hsb or .ndb");
  }

  /** Parses text in one format (for databases embedded in a rule set). */
  static Signatures parse(String source, String text, Format format) throws RuleParseException {
    for (int i = 0, line = 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
      } else if (c > 0xFF) {
        throw new RuleParseException(source, line, "non-ASCII character in a signature line");
      }
    }
    try {
      return parse(source, new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), format);
    } catch (IOException e) {
      throw new IllegalStateException("reading from memory cannot fail", e);
    }
  }

  /**
   * Loads every {@code .hdb}, {@code .hsb} and {@code .ndb} file directly in a folder
   * (symbolic links are not followed), in name order.
   */
  public static Signatures loadFolder(Path folder) throws RuleParseException, IOException {
    requireNonNull(folder, "folder");
    TreeSet<Path> files = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path p : entries) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean database = name.endsWith(".hdb") || name.endsWith(".hsb") || name.endsWith(".ndb");
        if (database && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          files.add(p);
        }
      }
    }
    Signatures all = EMPTY;
    for (Path p : files) {
      try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
        all = all.plus(load(p.getFileName().toString(), in));
      } catch (IllegalArgumentException e) {
        throw new RuleParseException(p.getFileName().toString(), RuleParseException.reason(e));
      }
    }
    return all;
  }

  /** These signatures and the other's together. */
  public Signatures plus(Signatures other) {
    requireNonNull(other, "other");
    if (other.isEmpty() && other.warnings.isEmpty()) {
      return this;
    }
    List<HashSignature> h = new ArrayList<>(hashes);
    h.addAll(other.hashes);
    List<BodySignature> b = new ArrayList<>(bodies);
    b.addAll(other.bodies);
    List<String> w = new ArrayList<>(warnings);
    w.addAll(other.warnings);
    if (h.size() + b.size() > MAX_SIGNATURES) {
      throw new IllegalArgumentException("more than " + MAX_SIGNATURES + " signatures");
    }
    return new Signatures(h, b, w);
  }

  public int hashCount() {
    return hashes.size();
  }

  public int bodyCount() {
    return bodies.size();
  }

  public boolean isEmpty() {
    return hashes.isEmpty() && bodies.isEmpty();
  }

  /** Lines skipped because they use ClamAV features this engine lacks, with file and line. */
  public List<String> warnings() {
    return warnings;
  }

  /** The hash signatures, in load order (the agent indexes them by size to match files). */
  public List<HashSignature> hashes() {
    return hashes;
  }

  /** The body signatures, in load order (the agent compiles them into its body matcher). */
  public List<BodySignature> bodies() {
    return bodies;
  }

  /** The (first) body signature with this name. */
  public Optional<BodySignature> bodySignature(String name) {
    return Optional.ofNullable(bodiesByName.get(name));
  }

  /** Identifies the body signature set; cached body-scan results are valid only for it. */
  public String bodyDigest() {
    return bodyDigest;
  }

  public enum Format { HDB, HSB, NDB }

  private static Signatures parse(String source, InputStream raw, Format format)
      throws RuleParseException, IOException {
    List<HashSignature> hashes = new ArrayList<>();
    List<BodySignature> bodies = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    InputStream in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw, 1 << 16);
    StringBuilder line = new StringBuilder(128);
    int lineNo = 0;
    boolean eof = false;
    while (!eof) {
      line.setLength(0);
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        if (line.length() >= MAX_LINE_CHARS) {
          throw new RuleParseException(source, lineNo + 1, "line longer than " + MAX_LINE_CHARS + " characters");
        }
        line.append((char) c); // ISO-8859-1: every byte is a character, so decoding cannot fail
      }
      eof = c < 0;
      if (eof && line.length() == 0) {
        break;
      }
      lineNo++;
      String text = line.toString().strip();
      if (text.isEmpty() || text.startsWith("#")) {
        continue;
      }
      if (hashes.size() + bodies.size() >= MAX_SIGNATURES) {
        throw new RuleParseException(source, lineNo, "more than " + MAX_SIGNATURES
            + " signatures; load large databases into ClamAV itself");
      }
      switch (format) {
        case HDB -> hashes.add(ClamAvParser.hashLine(false, source, lineNo, text));
        case HSB -> hashes.add(ClamAvParser.hashLine(true, source, lineNo, text));
        case NDB -> {
          try {
            bodies.add(ClamAvParser.ndbLine(source, lineNo, text));
          } catch (ClamAvParser.Unsupported e) {
            warnings.add(source + " line " + lineNo + ": skipped: " + e.getMessage());
          }
        }
      }
    }
    return new Signatures(hashes, bodies, warnings);
  }

  /** Adds every signature, as it decides findings, to a rule-set fingerprint. */
  void fingerprint(RuleFingerprint digest) {
    for (HashSignature h : hashes) {
      // Field by field, not through the record's reflection: a ClamAV database has millions.
      digest.addText(h.algorithm().name() + ':' + h.hex() + ':' + h.size() + ':' + h.name() + ':' + h.origin());
    }
    digest.add(bodyDigest);
    for (BodySignature b : bodies) {
      digest.add(b.name() + "\n" + b.origin() + "\n" + b.offset());
    }
  }

  private static String digestOf(List<BodySignature> bodies) {
    MessageDigest sha = HashAlgorithm.SHA256.newDigest();
    for (BodySignature b : bodies) {
      sha.update(b.text().getBytes(StandardCharsets.ISO_8859_1));
      sha.update((byte) '\n');
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
