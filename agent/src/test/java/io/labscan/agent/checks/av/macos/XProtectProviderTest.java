package io.labscan.agent.checks.av.macos;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XProtectProviderTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String LIBRARY_BUNDLE =
      "Library/Apple/System/Library/CoreServices/XProtect.bundle";
  private static final String PROTECTED_BUNDLE = "var/protected/xprotect/XProtect.bundle";

  @TempDir Path root;

  private AvDetection detect() {
    return new XProtectProvider().detect(
        new AvContext(root, NOW, Duration.ofDays(3), List.of()));
  }

  private AvStatus onlyStatus() {
    AvDetection detection = detect();
    assertThat(detection.statuses()).hasSize(1);
    return detection.statuses().get(0);
  }

  private static String plist(String dictBody) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" \
        "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <plist version="1.0">
        <dict>
        %s
        </dict>
        </plist>
        """.formatted(dictBody);
  }

  private static String infoPlist(String version) {
    return plist("""
        	<key>CFBundleIdentifier</key>
        	<string>com.apple.XProtectFramework.plugins.XProtect</string>
        	<key>CFBundleShortVersionString</key>
        	<string>%s</string>""".formatted(version));
  }

  private Path write(String relative, byte[] content, Instant modified) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  private Path write(String relative, String content, Instant modified) throws IOException {
    return write(relative, content.getBytes(StandardCharsets.UTF_8), modified);
  }

  @Test
  void versionComesFromInfoPlistAndAgeFromItsModificationTime() throws IOException {
    Instant installed = NOW.minus(Duration.ofDays(2));
    write(LIBRARY_BUNDLE + "/Contents/Info.plist", infoPlist("5272"), installed);

    AvStatus status = onlyStatus();

    assertThat(status.getProvider()).isEqualTo("xprotect");
    assertThat(status.getProduct()).isEqualTo("XProtect");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getDefinitionsVersion()).isEqualTo("5272");
    assertThat(status.getDefinitionsAgeSeconds()).isEqualTo(Duration.ofDays(2).toSeconds());
    assertThat(status.getSource()).isEqualTo("/" + LIBRARY_BUNDLE + "/Contents/Info.plist");
    assertThat(status.getReason()).isEqualTo(
        "XProtect 5272, plist modified 2026-11-25 12:00 UTC (2 days ago; limit 3 days)");
  }

  @Test
  void plistOlderThanTheLimitIsStale() throws IOException {
    write(LIBRARY_BUNDLE + "/Contents/Info.plist", infoPlist("5268"),
        Instant.parse("2026-10-30T09:00:00Z"));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getDefinitionsAgeSeconds())
        .isEqualTo(Duration.between(Instant.parse("2026-10-30T09:00:00Z"), NOW).toSeconds());
  }

  @Test
  void metaPlistIntegerVersionIsUsedWhenInfoPlistIsAbsent() throws IOException {
    write(LIBRARY_BUNDLE + "/Contents/Resources/XProtect.meta.plist",
        plist("<key>Version</key><integer>2178</integer>"), NOW.minus(Duration.ofHours(3)));

    AvStatus status = onlyStatus();

    assertThat(status.getDefinitionsVersion()).isEqualTo("2178");
    assertThat(status.getSource()).endsWith("XProtect.meta.plist");
  }

  @Test
  void newerOfTheTwoMacOs15CopiesIsReported() throws IOException {
    write(LIBRARY_BUNDLE + "/Contents/Info.plist", infoPlist("5272"),
        Instant.parse("2026-09-01T00:00:00Z"));
    write(PROTECTED_BUNDLE + "/Contents/Info.plist", infoPlist("5280"),
        NOW.minus(Duration.ofDays(1)));

    AvStatus status = onlyStatus();

    assertThat(status.getDefinitionsVersion()).isEqualTo("5280");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getSource()).startsWith("/" + PROTECTED_BUNDLE);
    assertThat(status.getReason())
        .endsWith("; other copies: /" + LIBRARY_BUNDLE + "/Contents/Info.plist holds version 5272");
  }

  @Test
  void preCatalinaCoreTypesMetaPlistIsRead() throws IOException {
    write("System/Library/CoreServices/CoreTypes.bundle/Contents/Resources/XProtect.meta.plist",
        plist("<key>Version</key><integer>2103</integer>"), NOW.minus(Duration.ofDays(10)));

    AvStatus status = onlyStatus();

    assertThat(status.getDefinitionsVersion()).isEqualTo("2103");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
  }

  @Test
  void binaryInfoPlistIsRead() throws IOException {
    Map<String, Object> entries = new LinkedHashMap<>();
    entries.put("CFBundleShortVersionString", "5272");
    write(LIBRARY_BUNDLE + "/Contents/Info.plist", BinaryPlistFixture.dict(entries),
        NOW.minus(Duration.ofDays(1)));

    assertThat(onlyStatus().getDefinitionsVersion()).isEqualTo("5272");
  }

  @Test
  void unreadablePlistsMakeXProtectUnknownAndSayWhy() throws IOException {
    write(LIBRARY_BUNDLE + "/Contents/Info.plist", "<plist><dict><key>", NOW);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason()).startsWith("XProtect found but its version could not be"
        + " read: /" + LIBRARY_BUNDLE + "/Contents/Info.plist: not well-formed XML");
  }

  @Test
  void infoPlistWithoutVersionFallsBackToTheMetaPlist() throws IOException {
    write(LIBRARY_BUNDLE + "/Contents/Info.plist", plist("<key>CFBundleName</key><string>X</string>"), NOW);
    write(LIBRARY_BUNDLE + "/Contents/Resources/XProtect.meta.plist",
        plist("<key>Version</key><integer>2178</integer>"), NOW);

    assertThat(onlyStatus().getDefinitionsVersion()).isEqualTo("2178");
  }

  @Test
  void macOsVarLinkToPrivateVarIsFollowedInsideTheRoot() throws IOException {
    write("private/" + PROTECTED_BUNDLE + "/Contents/Info.plist", infoPlist("5280"), NOW);
    Files.createSymbolicLink(root.resolve("var"), Path.of("private/var"));

    AvStatus status = onlyStatus();

    assertThat(status.getDefinitionsVersion()).isEqualTo("5280");
    assertThat(status.getSource())
        .isEqualTo("/private/var/protected/xprotect/XProtect.bundle/Contents/Info.plist");
  }

  @Test
  void machineWithoutXProtectReportsNothing() throws IOException {
    Files.createDirectories(root.resolve("etc"));

    assertThat(detect().statuses()).isEmpty();
  }
}
