package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.Certificates;
import io.labscan.contract.trust.Fingerprints;
import io.labscan.contract.trust.OwnerOnlyFiles;
import io.labscan.contract.trust.Pem;
import io.labscan.contract.trust.TlsManagers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's own certificate authority: an EC P-256 key and a self-signed CA
 * certificate (10 years), created at first start in a {@code pki/} folder beside the
 * database and kept there ({@code ca.key} owner-only PKCS#8 PEM, {@code ca.crt} PEM). It
 * issues the controller's server certificate and one client certificate per enrolled agent
 * (CN = host id, clientAuth, 1 year). Back the folder up with the database: losing it means
 * every agent must enrol again.
 *
 * <p>Signing uses the JDK's EC implementation; BouncyCastle only assembles the ASN.1.
 */
public final class CertificateAuthority {
  private static final Logger log = LoggerFactory.getLogger(CertificateAuthority.class);
  public static final String FOLDER = "pki";
  static final String CA_KEY = "ca.key";
  static final String CA_CERT = "ca.crt";
  static final String SERVER_KEY = "server.key";
  static final String SERVER_CERT = "server.crt";
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration CLIENT_VALIDITY = Duration.ofDays(365);
  static final Duration SERVER_VALIDITY = Duration.ofDays(365);
  /** A server certificate closer than this to its end is reissued at start. */
  static final Duration SERVER_RENEWAL = Duration.ofDays(30);
  /** Certificates start a little in the past so agents with a slow clock accept them. */
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private final Path folder;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final boolean created;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  private CertificateAuthority(Path folder, PrivateKey key, X509Certificate certificate, boolean created,
      Clock clock) {
    this.folder = folder;
    this.key = key;
    this.certificate = certificate;
    this.created = created;
    this.clock = clock;
  }

  /** The CA folder that belongs to a database file. */
  public static Path folderFor(Path database) {
    Path absolute = database.toAbsolutePath();
    Path parent = absolute.getParent() == null ? absolute.getRoot() : absolute.getParent();
    return parent.resolve(FOLDER);
  }

  /**
   * Loads the CA in {@code folder}, creating it if the folder holds none. Half a CA (a key
   * without its certificate or the reverse) is an error: silently creating a new CA would
   * strand every enrolled agent.
   */
  public static CertificateAuthority loadOrCreate(Path folder, Clock clock) {
    requireNonNull(folder, "folder");
    requireNonNull(clock, "clock");
    try {
      OwnerOnlyFiles.createDirectory(folder);
      return locked(folder, () -> loadOrCreateLocked(folder, clock));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot use the CA folder " + folder + ": " + e.getMessage(), e);
    }
  }

  private static CertificateAuthority loadOrCreateLocked(Path folder, Clock clock) throws IOException {
    Path keyFile = folder.resolve(CA_KEY);
    Path certFile = folder.resolve(CA_CERT);
    boolean haveKey = Files.exists(keyFile);
    boolean haveCert = Files.exists(certFile);
    if (haveKey != haveCert) {
      throw new IllegalStateException("The CA in " + folder + " is incomplete: " + (haveKey ? certFile : keyFile)
          + " is missing. Restore it from a backup. (Deleting both files creates a new CA, and then every "
          + "agent must enrol again.)");
    }
    if (haveKey) {
      try {
        PrivateKey key = Pem.readPrivateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), "EC");
        List<X509Certificate> certs = Pem.readCertificates(Files.readString(certFile, StandardCharsets.US_ASCII));
        if (certs.isEmpty() || !Certificates.keyMatches(key, certs.get(0).getPublicKey())) {
          throw new GeneralSecurityException(keyFile + " and " + certFile + " do not belong together");
        }
        if (!OwnerOnlyFiles.isOwnerOnly(keyFile)) {
          log.warn("The CA key {} is readable by others than its owner: chmod 600 it.", keyFile);
        }
        return new CertificateAuthority(folder, key, certs.get(0), false, clock);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalStateException("The CA in " + folder + " is unreadable: " + e.getMessage(), e);
      }
    }
    KeyPair keys = Certificates.newKeyPair();
    X509Certificate cert = selfSigned(keys, clock.instant());
    OwnerOnlyFiles.writeSecret(keyFile, Pem.privateKey(keys.getPrivate()));
    OwnerOnlyFiles.writePublic(certFile, Pem.certificate(cert));
    log.info("Created the controller CA in {} (fingerprint {}).", folder, Fingerprints.sha256(cert));
    return new CertificateAuthority(folder, keys.getPrivate(), cert, true, clock);
  }

  private static X509Certificate selfSigned(KeyPair keys, Instant now) {
    byte[] tag = new byte[4];
    new SecureRandom().nextBytes(tag);
    // A random tag tells two installations' CAs apart in any certificate viewer.
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "LabScan")
        .addRDN(BCStyle.CN, "LabScan controller CA " + HexFormat.of().formatHex(tag))
        .build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(new SecureRandom()),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(b, keys.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("Cannot create the CA certificate: " + e.getMessage(), e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** SHA-256 of the CA certificate, as enrolment tokens pin it. */
  public String fingerprint() {
    return Fingerprints.sha256(certificate);
  }

  /** True when this instance created the CA (first start). */
  public boolean created() {
    return created;
  }

  public Path folder() {
    return folder;
  }

  /** Trusts exactly the client certificates this CA issued (validity, signature, clientAuth). */
  public X509ExtendedTrustManager clientTrust() {
    return TlsManagers.trustManager(certificate);
  }

  /** A client certificate for an agent: CN = host id, clientAuth, {@link #CLIENT_VALIDITY}. */
  public X509Certificate issueClient(PublicKey agentKey, String hostId) {
    Instant now = clock.instant();
    return issueClient(agentKey, hostId, now.minus(BACKDATE), now.plus(CLIENT_VALIDITY));
  }

  /** A client certificate with an explicit validity period. */
  public X509Certificate issueClient(PublicKey agentKey, String hostId, Instant notBefore, Instant notAfter) {
    requireNonNull(agentKey, "agentKey");
    requireNonNull(hostId, "hostId");
    return issue(agentKey, X500Name.getInstance(Certificates.commonNameSubject(hostId).getEncoded()), notBefore, notAfter, false, List.of());
  }

  private X509Certificate issue(PublicKey subjectKey, X500Name subject, Instant notBefore, Instant notAfter,
      boolean server, Collection<ServerNames.Name> names) {
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(random),
          Date.from(notBefore), Date.from(notAfter), subject, subjectKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      if (!names.isEmpty()) {
        GeneralName[] alt = names.stream()
            .map(n -> new GeneralName(n.ip() ? GeneralName.iPAddress : GeneralName.dNSName, n.value()))
            .toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
      }
      return sign(b, key);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("Cannot issue a certificate for " + subject + ": " + e.getMessage(), e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(Certificates.SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  /** A positive random 127-bit serial: unique without bookkeeping. */
  /** Serial numbers as the store keeps them: lower-case hex. */
  public static String serial(java.security.cert.X509Certificate certificate) {
    return certificate.getSerialNumber().toString(16);
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).setBit(0);
  }

  /**
   * The controller's server key and certificate for {@code names}, reused from the folder
   * when they still fit (same CA, same names, more than {@link #SERVER_RENEWAL} left) and
   * reissued otherwise.
   */
  public ServerIdentity serverIdentity(Set<ServerNames.Name> names) {
    requireNonNull(names, "names");
    Path keyFile = folder.resolve(SERVER_KEY);
    Path certFile = folder.resolve(SERVER_CERT);
    try {
      return locked(folder, () -> serverIdentityLocked(names, keyFile, certFile));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the server certificate in " + folder + ": " + e.getMessage(), e);
    }
  }

  private ServerIdentity serverIdentityLocked(Set<ServerNames.Name> names, Path keyFile, Path certFile)
      throws IOException {
    if (Files.exists(keyFile) && Files.exists(certFile)) {
      try {
        PrivateKey serverKey = Pem.readPrivateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), "EC");
        List<X509Certificate> certs = Pem.readCertificates(Files.readString(certFile, StandardCharsets.US_ASCII));
        if (!certs.isEmpty() && stillFits(certs.get(0), serverKey, names)) {
          return new ServerIdentity(serverKey, certs.get(0), certificate);
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        log.warn("The server certificate in {} is unreadable ({}); issuing a new one.", folder, e.getMessage());
      }
    }
    KeyPair keys = Certificates.newKeyPair();
    Instant now = clock.instant();
    X509Certificate cert = issue(keys.getPublic(), X500Name.getInstance(Certificates.commonNameSubject("labscan-controller").getEncoded()),
        now.minus(BACKDATE), now.plus(SERVER_VALIDITY), true, names);
    OwnerOnlyFiles.writeSecret(keyFile, Pem.privateKey(keys.getPrivate()));
    OwnerOnlyFiles.writePublic(certFile, Pem.certificate(cert) + Pem.certificate(certificate));
    log.info("Issued the controller's server certificate for {}, valid until {}.", names,
        cert.getNotAfter().toInstant());
    return new ServerIdentity(keys.getPrivate(), cert, certificate);
  }

  /** One step of work on the folder's files. */
  @FunctionalInterface
  private interface FolderWork<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code work} holding the folder's lock file, so a {@code serve} and an
   * {@code enroll-token} started together on a fresh install cannot create two CAs.
   */
  private static <T> T locked(Path folder, FolderWork<T> work) throws IOException {
    try (FileChannel channel = FileChannel.open(folder.resolve(".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      FileLock lock = channel.lock();
      try {
        return work.run();
      } finally {
        lock.release();
      }
    }
  }

  private boolean stillFits(X509Certificate cert, PrivateKey serverKey, Set<ServerNames.Name> names) {
    try {
      cert.verify(certificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      return false; // issued by another CA
    }
    boolean fresh = cert.getNotAfter().toInstant().isAfter(clock.instant().plus(SERVER_RENEWAL));
    return fresh && Certificates.keyMatches(serverKey, cert.getPublicKey()) && names(cert).equals(new TreeSet<>(names));
  }

  /** The subject alternative names a certificate carries, normalised like {@link ServerNames}. */
  static Set<ServerNames.Name> names(X509Certificate cert) {
    Set<ServerNames.Name> out = new TreeSet<>();
    try {
      Collection<List<?>> alt = cert.getSubjectAlternativeNames();
      if (alt != null) {
        for (List<?> entry : alt) {
          int type = (Integer) entry.get(0);
          if (type == GeneralName.dNSName || type == GeneralName.iPAddress) {
            out.add(ServerNames.parse((String) entry.get(1)));
          }
        }
      }
    } catch (CertificateParsingException | IllegalArgumentException e) {
      return Set.of();
    }
    return out;
  }
}
