package io.labscan.agent.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.contract.trust.Certificates;
import io.labscan.contract.trust.Pem;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Set;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's key, certificate and CA as files in the state folder. */
class AgentCredentialsTest {
  private static final String HOST = "2f1c0e5e-8b7a-4c1e-9a57-1f0c7a3d9e11";

  @TempDir Path dir;

  /** A self-signed certificate naming {@code cn}; enough to exercise the files. */
  private static X509Certificate selfSigned(KeyPair keys, String cn) throws Exception {
    Instant now = Instant.now();
    return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
        Certificates.commonNameSubject(cn), BigInteger.valueOf(7), Date.from(now.minus(1, ChronoUnit.DAYS)),
        Date.from(now.plus(1, ChronoUnit.DAYS)), Certificates.commonNameSubject(cn), keys.getPublic())
        .build(new JcaContentSignerBuilder(Certificates.SIGNATURE).build(keys.getPrivate())));
  }

  @Test
  void savedCredentialsLoadBackWithTheKeyOwnerOnly() throws Exception {
    KeyPair agent = Certificates.newKeyPair();
    KeyPair ca = Certificates.newKeyPair();
    AgentCredentials credentials = new AgentCredentials(agent.getPrivate(), selfSigned(agent, HOST),
        selfSigned(ca, "test CA"));

    credentials.save(dir);

    AgentCredentials loaded = AgentCredentials.load(dir).orElseThrow();
    assertThat(loaded.certificate()).isEqualTo(credentials.certificate());
    assertThat(loaded.ca()).isEqualTo(credentials.ca());
    assertThat(loaded.hostId()).contains(HOST);
    assertThat(Files.getPosixFilePermissions(dir.resolve(AgentCredentials.KEY_FILE)))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void aStateFolderWithoutCertificateHoldsNoCredentials() {
    assertThat(AgentCredentials.load(dir)).isEmpty();
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsAnErrorNamingTheFiles() throws Exception {
    KeyPair agent = Certificates.newKeyPair();
    KeyPair ca = Certificates.newKeyPair();
    new AgentCredentials(Certificates.newKeyPair().getPrivate(), selfSigned(agent, HOST), selfSigned(ca, "test CA"))
        .save(dir);

    assertThatThrownBy(() -> AgentCredentials.load(dir))
        .hasMessageContaining(AgentCredentials.KEY_FILE)
        .hasMessageContaining("enrol again");
  }

  private AgentCredentials savedEnrolment(KeyPair ca) throws Exception {
    KeyPair agent = Certificates.newKeyPair();
    AgentCredentials enrolled = new AgentCredentials(agent.getPrivate(), selfSigned(agent, HOST),
        selfSigned(ca, "test CA"));
    enrolled.save(dir);
    return enrolled;
  }

  private static AgentCredentials renewalOf(AgentCredentials enrolled) throws Exception {
    KeyPair next = Certificates.newKeyPair();
    return new AgentCredentials(next.getPrivate(), selfSigned(next, HOST), enrolled.ca());
  }

  @Test
  void anInstalledRenewalLoadsBackWithNothingLeftPending() throws Exception {
    AgentCredentials renewed = renewalOf(savedEnrolment(Certificates.newKeyPair()));

    renewed.installRenewal(dir);

    AgentCredentials loaded = AgentCredentials.load(dir).orElseThrow();
    assertThat(loaded.certificate()).isEqualTo(renewed.certificate());
    assertThat(loaded.key()).isEqualTo(renewed.key());
    assertThat(Files.getPosixFilePermissions(dir.resolve(AgentCredentials.KEY_FILE)))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(dir.resolve(AgentCredentials.NEXT_CERTIFICATE_FILE)).doesNotExist();
    assertThat(dir.resolve(AgentCredentials.NEXT_KEY_FILE)).doesNotExist();
  }

  @Test
  void aRenewalInterruptedBetweenMovingTheKeyAndTheCertificateIsFinishedOnLoad() throws Exception {
    AgentCredentials renewed = renewalOf(savedEnrolment(Certificates.newKeyPair()));
    // The crash: the new key is in place, the new certificate still waits beside it.
    Files.writeString(dir.resolve(AgentCredentials.NEXT_CERTIFICATE_FILE), Pem.certificate(renewed.certificate()));
    Files.writeString(dir.resolve(AgentCredentials.KEY_FILE), Pem.privateKey(renewed.key()));

    AgentCredentials loaded = AgentCredentials.load(dir).orElseThrow();

    assertThat(loaded.certificate()).isEqualTo(renewed.certificate());
    assertThat(dir.resolve(AgentCredentials.NEXT_CERTIFICATE_FILE)).doesNotExist();
  }

  @Test
  void aRenewedCertificateWaitingWithItsKeyIsInstalledOnLoad() throws Exception {
    AgentCredentials renewed = renewalOf(savedEnrolment(Certificates.newKeyPair()));
    Files.writeString(dir.resolve(AgentCredentials.NEXT_KEY_FILE), Pem.privateKey(renewed.key()));
    Files.writeString(dir.resolve(AgentCredentials.NEXT_CERTIFICATE_FILE), Pem.certificate(renewed.certificate()));

    AgentCredentials loaded = AgentCredentials.load(dir).orElseThrow();

    assertThat(loaded.key()).isEqualTo(renewed.key());
    assertThat(loaded.certificate()).isEqualTo(renewed.certificate());
  }

  @Test
  void aPendingRenewalKeyWithoutCertificateLeavesTheCurrentCredentialsInUse() throws Exception {
    AgentCredentials enrolled = savedEnrolment(Certificates.newKeyPair());
    Files.writeString(dir.resolve(AgentCredentials.NEXT_KEY_FILE),
        Pem.privateKey(Certificates.newKeyPair().getPrivate()));

    assertThat(AgentCredentials.load(dir).orElseThrow().certificate()).isEqualTo(enrolled.certificate());
    assertThat(dir.resolve(AgentCredentials.NEXT_KEY_FILE)).as("kept for the next attempt").exists();
  }

  @Test
  void enrollingAgainDiscardsARenewalUnderWay() throws Exception {
    KeyPair ca = Certificates.newKeyPair();
    AgentCredentials renewed = renewalOf(savedEnrolment(ca));
    Files.writeString(dir.resolve(AgentCredentials.NEXT_KEY_FILE), Pem.privateKey(renewed.key()));
    Files.writeString(dir.resolve(AgentCredentials.NEXT_CERTIFICATE_FILE), Pem.certificate(renewed.certificate()));

    AgentCredentials reenrolled = savedEnrolment(ca);

    assertThat(AgentCredentials.load(dir).orElseThrow().certificate()).isEqualTo(reenrolled.certificate());
    assertThat(dir.resolve(AgentCredentials.NEXT_KEY_FILE)).doesNotExist();
    assertThat(dir.resolve(AgentCredentials.NEXT_CERTIFICATE_FILE)).doesNotExist();
  }
}
