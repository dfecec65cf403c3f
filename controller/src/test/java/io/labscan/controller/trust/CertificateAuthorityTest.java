package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.contract.trust.Certificates;
import io.labscan.contract.trust.Fingerprints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();

  private CertificateAuthority ca() {
    return CertificateAuthority.loadOrCreate(dir.resolve("pki"), clock);
  }

  @Test
  void theCaIsCreatedOnceAndReloadedWithTheSameFingerprint() {
    CertificateAuthority first = ca();
    CertificateAuthority again = ca();

    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.fingerprint()).isEqualTo(first.fingerprint()).hasSize(Fingerprints.LENGTH);
  }

  @Test
  void theCaFolderSitsBesideTheDatabase() {
    assertThat(CertificateAuthority.folderFor(dir.resolve("data/labscan.db")))
        .isEqualTo(dir.resolve("data/pki").toAbsolutePath());
  }

  @Test
  void theCaKeyIsReadableByItsOwnerOnly() throws Exception {
    ca();
    assertThat(Files.getPosixFilePermissions(dir.resolve("pki/ca.key")))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(Files.readString(dir.resolve("pki/ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void theCaCertificateIsReadableByEveryone() throws Exception {
    ca();
    assertThat(Files.getPosixFilePermissions(dir.resolve("pki/ca.crt"))).contains(PosixFilePermission.OTHERS_READ);
  }

  @Test
  void theCaCertificateMayOnlySignCertificatesAndLists() {
    X509Certificate cert = ca().certificate();

    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    boolean[] usage = cert.getKeyUsage();
    assertThat(usage[5]).as("keyCertSign").isTrue();
    assertThat(usage[6]).as("cRLSign").isTrue();
    assertThat(usage[0]).as("digitalSignature").isFalse();
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(cert.getNotAfter().toInstant()).isAfter(clock.instant().plus(CertificateAuthority.CA_VALIDITY)
        .minusSeconds(3600));
  }

  @Test
  void aKeyWithoutItsCertificateIsAnErrorNotANewCa() throws Exception {
    ca();
    Files.delete(dir.resolve("pki/ca.crt"));

    assertThatThrownBy(this::ca).hasMessageContaining("ca.crt is missing");
  }

  @Test
  void aClientCertificateNamesTheHostAndServesOnlyClientAuthentication() throws Exception {
    CertificateAuthority ca = ca();
    KeyPair keys = Certificates.newKeyPair();
    String hostId = "2f1c0e5e-8b7a-4c1e-9a57-1f0c7a3d9e11";

    X509Certificate cert = ca.issueClient(keys.getPublic(), hostId);

    cert.verify(ca.certificate().getPublicKey());
    assertThat(Certificates.commonName(cert)).contains(hostId);
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getNotAfter().toInstant())
        .isBefore(clock.instant().plus(CertificateAuthority.CLIENT_VALIDITY).plusSeconds(60));
  }

  @Test
  void theServerCertificateNamesLoopbackThisMachineAndTheExtraNames() throws Exception {
    Set<ServerNames.Name> names = ServerNames.withDefaults(List.of("labscan.example.edu", "10.20.0.5"));

    X509Certificate cert = ca().serverIdentity(names).certificate();

    assertThat(CertificateAuthority.names(cert)).containsAll(names).contains(
        ServerNames.parse("localhost"), ServerNames.parse("127.0.0.1"), ServerNames.parse("::1"),
        ServerNames.parse("labscan.example.edu"), ServerNames.parse("10.20.0.5"));
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
  }

  @Test
  void theServerCertificateIsKeptWhileItsNamesStayTheSame() {
    Set<ServerNames.Name> names = ServerNames.withDefaults(List.of("labscan.example.edu"));
    X509Certificate first = ca().serverIdentity(names).certificate();

    X509Certificate again = ca().serverIdentity(names).certificate();

    assertThat(again).isEqualTo(first);
  }

  @Test
  void theServerCertificateIsReissuedWhenTheNamesChange() {
    X509Certificate first = ca().serverIdentity(ServerNames.withDefaults(List.of("labscan.example.edu")))
        .certificate();

    X509Certificate second = ca().serverIdentity(ServerNames.withDefaults(List.of("labscan.example.edu",
        "scan.physics.example.edu"))).certificate();

    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(CertificateAuthority.names(second)).contains(ServerNames.parse("scan.physics.example.edu"));
  }

  @Test
  void aServerNameThatIsNeitherAnAddressNorADnsNameIsRefused() {
    assertThatThrownBy(() -> ServerNames.parse("lab server; rm -rf /"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("neither an IP address nor a DNS name");
  }
}
