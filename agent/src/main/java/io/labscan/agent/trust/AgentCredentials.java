package io.labscan.agent.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.Certificates;
import io.labscan.contract.trust.OwnerOnlyFiles;
import io.labscan.contract.trust.Pem;
import io.labscan.contract.trust.TlsManagers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What an enrolled agent proves itself with: its private key, the certificate the controller
 * issued for it (CN = host id), and the controller's CA, which is the only issuer it trusts
 * for the controller's certificate. Kept in the state folder as {@value #KEY_FILE} (mode
 * 0600), {@value #CERTIFICATE_FILE} and {@value #CA_FILE}.
 */
public record AgentCredentials(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
  public static final String KEY_FILE = "agent.key";
  public static final String CERTIFICATE_FILE = "agent.crt";
  public static final String CA_FILE = "ca.crt";
  /** A renewal in progress: the new key (owner-only) and the request sent for it, kept until installed. */
  public static final String NEXT_KEY_FILE = "agent.key.next";
  public static final String NEXT_REQUEST_FILE = "agent.csr.next";
  /** The renewed certificate, written before it is moved into place with its key. */
  public static final String NEXT_CERTIFICATE_FILE = "agent.crt.next";

  public AgentCredentials {
    requireNonNull(key, "key");
    requireNonNull(certificate, "certificate");
    requireNonNull(ca, "ca");
  }

  /** True when the state folder holds a certificate (the agent enrolled at some point). */
  public static boolean present(Path stateDir) {
    return Files.isRegularFile(stateDir.resolve(CERTIFICATE_FILE));
  }

  /**
   * The credentials in the state folder; empty when the agent never enrolled. Files that
   * exist but do not fit together are an error naming the file, not a silent re-enrolment.
   */
  public static Optional<AgentCredentials> load(Path stateDir) {
    requireNonNull(stateDir, "stateDir");
    if (!present(stateDir)) {
      return Optional.empty();
    }
    Path keyFile = stateDir.resolve(KEY_FILE);
    Path certFile = stateDir.resolve(CERTIFICATE_FILE);
    Path caFile = stateDir.resolve(CA_FILE);
    try {
      // Twice at most: a running agent may be installing a renewal between our reads.
      for (int attempt = 1; ; attempt++) {
        finishRenewal(stateDir);
        PrivateKey key = Pem.readPrivateKey(read(keyFile), "EC");
        X509Certificate cert = single(certFile);
        X509Certificate ca = single(caFile);
        AgentCredentials credentials = new AgentCredentials(key, cert, ca);
        if (credentials.keyMatchesCertificate()) {
          return Optional.of(credentials);
        }
        if (attempt == 2) {
          throw new IllegalStateException("The agent key " + keyFile + " does not belong to the certificate "
              + certFile + " (an interrupted enrolment?): enrol again with a new token.");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the agent's credentials in " + stateDir + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("The agent's credentials in " + stateDir + " are unreadable ("
          + e.getMessage() + "): enrol again with a new token.", e);
    }
  }

  /**
   * The certificate in the state folder, read without touching anything else (no key check, no
   * interrupted renewal finished): for {@code labscan-agent status}, safe while the agent runs.
   */
  public static Optional<X509Certificate> certificateOf(Path stateDir) {
    requireNonNull(stateDir, "stateDir");
    Path certFile = stateDir.resolve(CERTIFICATE_FILE);
    if (!Files.isRegularFile(certFile)) {
      return Optional.empty();
    }
    try {
      return Optional.of(single(certFile));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + certFile + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(certFile + " is unreadable (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Installs renewed credentials: the certificate is written next to the new key, then the key
   * and the certificate are moved into place. A crash between the two moves leaves a key that
   * does not fit the certificate; {@link #load} finishes the move (see {@link #finishRenewal}).
   * The pending request goes last.
   */
  public void installRenewal(Path stateDir) {
    requireNonNull(stateDir, "stateDir");
    try {
      OwnerOnlyFiles.writePublic(stateDir.resolve(NEXT_CERTIFICATE_FILE), Pem.certificate(certificate));
      if (!Files.isRegularFile(stateDir.resolve(NEXT_KEY_FILE))) {
        OwnerOnlyFiles.writeSecret(stateDir.resolve(NEXT_KEY_FILE), Pem.privateKey(key));
      }
      try {
        moveNextIntoPlace(stateDir);
      } catch (NoSuchFileException e) {
        // Another process loading the credentials finished the move: fine if it is in place.
        if (!single(stateDir.resolve(CERTIFICATE_FILE)).equals(certificate)) {
          throw e;
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new UncheckedIOException("Cannot store the renewed credentials in " + stateDir + ": " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  /**
   * Completes a renewal that was interrupted after its certificate was written: when the new
   * certificate fits the new key (both still waiting), or fits the key already moved into
   * place, it is moved into place too. Anything else is left alone (a renewal that never got
   * its certificate is asked again with the same key).
   */
  static void finishRenewal(Path stateDir) throws IOException, GeneralSecurityException {
    Path nextCert = stateDir.resolve(NEXT_CERTIFICATE_FILE);
    if (!Files.isRegularFile(nextCert)) {
      return;
    }
    X509Certificate renewed;
    try {
      renewed = single(nextCert);
    } catch (NoSuchFileException e) {
      return; // moved into place meanwhile
    }
    Path nextKey = stateDir.resolve(NEXT_KEY_FILE);
    Path keyFile = stateDir.resolve(KEY_FILE);
    Path waitingKey = Files.isRegularFile(nextKey) ? nextKey : keyFile;
    PrivateKey key;
    try {
      key = Pem.readPrivateKey(read(waitingKey), "EC");
    } catch (NoSuchFileException e) {
      return; // moved into place meanwhile
    }
    if (Certificates.keyMatches(key, renewed.getPublicKey())) {
      try {
        moveNextIntoPlace(stateDir);
      } catch (NoSuchFileException e) {
        // The agent that wrote them finished the move meanwhile.
      }
    }
  }

  private static void moveNextIntoPlace(Path stateDir) throws IOException {
    Path nextKey = stateDir.resolve(NEXT_KEY_FILE);
    if (Files.isRegularFile(nextKey)) {
      Files.move(nextKey, stateDir.resolve(KEY_FILE), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(stateDir.resolve(NEXT_CERTIFICATE_FILE), stateDir.resolve(CERTIFICATE_FILE),
        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(stateDir.resolve(NEXT_REQUEST_FILE));
  }

  private static String read(Path file) throws IOException {
    if (Files.size(file) > Pem.MAX_TEXT) {
      throw new IOException(file + " is too large to be a key or certificate");
    }
    return Files.readString(file, StandardCharsets.US_ASCII);
  }

  private static X509Certificate single(Path file) throws IOException, GeneralSecurityException {
    List<X509Certificate> certs = Pem.readCertificates(read(file));
    if (certs.isEmpty()) {
      throw new GeneralSecurityException(file + " holds no certificate");
    }
    return certs.get(0);
  }

  /** Writes the three files: the key owner-only, all of them atomically. */
  public void save(Path stateDir) {
    requireNonNull(stateDir, "stateDir");
    try {
      // A new enrolment ends any renewal that was under way for the old key.
      for (String pending : List.of(NEXT_CERTIFICATE_FILE, NEXT_KEY_FILE, NEXT_REQUEST_FILE)) {
        Files.deleteIfExists(stateDir.resolve(pending));
      }
      OwnerOnlyFiles.writeSecret(stateDir.resolve(KEY_FILE), Pem.privateKey(key));
      OwnerOnlyFiles.writePublic(stateDir.resolve(CA_FILE), Pem.certificate(ca));
      // Last: its presence is what marks the agent as enrolled.
      OwnerOnlyFiles.writePublic(stateDir.resolve(CERTIFICATE_FILE), Pem.certificate(certificate));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot store the agent's credentials in " + stateDir + ": " + e.getMessage(), e);
    }
  }

  /** The host id the certificate names. */
  public Optional<String> hostId() {
    return Certificates.commonName(certificate);
  }

  /** Presents the agent's certificate in the TLS handshake (the controller holds the CA itself). */
  public X509ExtendedKeyManager keyManager() {
    return TlsManagers.keyManager(key, certificate);
  }

  /** Trusts exactly the controller certificates this CA issued. */
  public X509ExtendedTrustManager trustManager() {
    return TlsManagers.trustManager(ca);
  }

  boolean keyMatchesCertificate() {
    return Certificates.keyMatches(key, certificate.getPublicKey());
  }
}
