package io.labscan.agent.checks.harvest;

import io.labscan.agent.checks.mail.ProfileFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * vCard files ({@code .vcf}, versions 2.1 to 4.0): the value of every {@code EMAIL}
 * property, with folded lines joined, parameters ({@code EMAIL;TYPE=INTERNET:}) and group
 * prefixes ({@code item1.EMAIL:}) ignored, and a {@code mailto:} prefix removed. Read as
 * Latin-1, which keeps ASCII addresses intact whatever the file's real charset.
 */
final class VCardSource implements AddressSource {

  @Override
  public boolean reads(ProfileFile file) {
    String name = file.lowerCaseName();
    return name.endsWith(".vcf") || name.endsWith(".vcard");
  }

  @Override
  public void read(ProfileFile file, AddressCollector addresses) throws IOException {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(file.open(), StandardCharsets.ISO_8859_1))) {
      StringBuilder logical = new StringBuilder();
      String line;
      while ((line = lines.readLine()) != null) {
        if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
          logical.append(line, 1, line.length());
          continue;
        }
        property(logical, addresses);
        logical.setLength(0);
        logical.append(line);
      }
      property(logical, addresses);
    }
  }

  private static void property(CharSequence line, AddressCollector addresses) {
    String text = line.toString();
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return;
    }
    String name = text.substring(0, colon);
    int semicolon = name.indexOf(';');
    if (semicolon >= 0) {
      name = name.substring(0, semicolon);
    }
    int dot = name.lastIndexOf('.');
    if (dot >= 0) {
      name = name.substring(dot + 1);
    }
    if (!name.strip().equalsIgnoreCase("EMAIL")) {
      return;
    }
    String value = text.substring(colon + 1).strip();
    if (value.toLowerCase(Locale.ROOT).startsWith("mailto:")) {
      value = value.substring("mailto:".length());
    }
    addresses.add(value);
  }
}
