package io.labscan.contract.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class CertificatesTest {
  @Test
  void aHostSubjectIsOneRdnWithOneUtf8StringCommonName() {
    X500Principal subject = Certificates.commonNameSubject("lab-pc-07");

    // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "lab-pc-07" } } }: BouncyCastle's DER for
    // new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String("lab-pc-07"))}).
    assertThat(HexFormat.of().formatHex(subject.getEncoded()))
        .isEqualTo("3014311230100603550403" + "0c09" + HexFormat.of().formatHex("lab-pc-07".getBytes()));
  }

  @Test
  void theCommonNameReadsBackFromTheSubjectItWasWrittenTo() {
    assertThat(Certificates.commonName(Certificates.commonNameSubject("lab-pc-07"))).contains("lab-pc-07");
    assertThat(Certificates.commonName(Certificates.commonNameSubject("labscan-controller")))
        .contains("labscan-controller");
  }

  @Test
  void aNameNeedingLongFormLengthsAndEscapesReadsBackUnchanged() {
    String name = "Ölab,pc+\"x\"=" + "n".repeat(300);

    assertThat(Certificates.commonName(Certificates.commonNameSubject(name))).contains(name);
  }

  @Test
  void aSubjectWithTwoCommonNamesNamesNoOne() {
    assertThat(Certificates.commonName(new X500Principal("CN=lab-pc-07, CN=lab-pc-08"))).isEmpty();
  }

  @Test
  void aMultiValuedRdnHoldingTheCommonNameNamesNoOne() {
    assertThat(Certificates.commonName(new X500Principal("CN=lab-pc-07+O=LabScan"))).isEmpty();
  }

  @Test
  void aSubjectWithoutACommonNameNamesNoOne() {
    assertThat(Certificates.commonName(new X500Principal("O=LabScan, C=DE"))).isEmpty();
  }

  @Test
  void otherAttributesBesideASingleCommonNameDoNotHideIt() {
    assertThat(Certificates.commonName(new X500Principal("CN=lab-pc-07, O=LabScan"))).contains("lab-pc-07");
  }

  @Test
  void aBinaryCommonNameValueIsNotAName() {
    // CN holding an OCTET STRING (04 02 41 42) instead of a string type.
    byte[] der = HexFormat.of().parseHex("300d310b300906035504030402" + "4142");
    assertThat(Certificates.commonName(new X500Principal(der))).isEmpty();
  }

  @Test
  void aFreshKeyPairIsP256AndItsHalvesMatch() {
    var keys = Certificates.newKeyPair();
    var other = Certificates.newKeyPair();

    assertThat(keys.getPublic().getAlgorithm()).isEqualTo("EC");
    assertThat(Certificates.keyMatches(keys.getPrivate(), keys.getPublic())).isTrue();
    assertThat(Certificates.keyMatches(keys.getPrivate(), other.getPublic())).isFalse();
  }
}
