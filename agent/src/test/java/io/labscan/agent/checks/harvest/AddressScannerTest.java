package io.labscan.agent.checks.harvest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressScannerTest {

  private static List<String> scan(byte[]... pieces) {
    List<String> found = new ArrayList<>();
    AddressScanner scanner = new AddressScanner(found::add);
    for (byte[] piece : pieces) {
      scanner.feed(piece, 0, piece.length);
    }
    scanner.finish();
    return found;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void addressesInHtmlAreFound() {
    assertThat(scan(ascii("<a href=\"mailto:harold@lab.example.edu\">Harold</a>, "
        + "write to 'irma.b@chem.example.org'.")))
        .containsExactly("harold@lab.example.edu", "irma.b@chem.example.org");
  }

  @Test
  void addressSplitAcrossReadsIsFoundWhole() {
    assertThat(scan(ascii("to harold@lab.exa"), ascii("mple.edu now")))
        .containsExactly("harold@lab.example.edu");
  }

  @Test
  void utf16LittleEndianAddressesAreFoundAtEitherAlignment() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(new byte[] {1, 2, 3});
    bytes.writeBytes("harold@lab.example.edu".getBytes(StandardCharsets.UTF_16LE));
    bytes.writeBytes(new byte[] {0, 0, 7});
    bytes.writeBytes("irma@chem.example.org".getBytes(StandardCharsets.UTF_16LE));

    assertThat(scan(bytes.toByteArray()))
        .containsExactlyInAnyOrder("harold@lab.example.edu", "irma@chem.example.org");
  }

  @Test
  void textThatOnlyLooksLikeAnAddressIsIgnored() {
    assertThat(scan(ascii("user@localhost, @handle, a@b, x@y.z1, ver 1.2@3.4"))).isEmpty();
  }

  @Test
  void overlongRunsAreDropped() {
    assertThat(scan(ascii("a".repeat(AddressScanner.MAX_RUN_CHARS) + "harold@lab.example.edu")))
        .isEmpty();
  }

  @Test
  void textScanFindsAddressesInMalformedHeaders() {
    List<String> found = new ArrayList<>();
    AddressScanner.scanText("\"Harold <harold@lab.example.edu>, bob@x.example.org", found::add);

    assertThat(found).containsExactly("harold@lab.example.edu", "bob@x.example.org");
  }
}
