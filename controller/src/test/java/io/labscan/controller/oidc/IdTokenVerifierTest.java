package io.labscan.controller.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ID tokens signed by a test key whose JWKS the test serves over real HTTP on loopback, checked as
 * LabScan checks the identity provider's tokens.
 */
class IdTokenVerifierTest {

  private static final String ISSUER = "https://login.uni.example/realms/campus";
  private static final String CLIENT = "labscan";
  private static final String NONCE = "n-0S6_WzA2Mj";
  private static final Instant NOW = Instant.parse("2026-12-07T04:00:00Z");

  private static RSAKey providerKey;
  private static HttpServer jwksServer;
  private static URI jwksUri;

  private final IdTokenVerifier verifier = new IdTokenVerifier(ISSUER, CLIENT, jwksUri, Clock.fixed(NOW, ZoneOffset.UTC));

  @BeforeAll
  static void serveJwks() throws Exception {
    providerKey = new RSAKeyGenerator(2048).keyID("campus-2026").generate();
    byte[] jwks = new JWKSet(providerKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwksServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwksServer.createContext("/realms/campus/protocol/openid-connect/certs", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      exchange.getResponseBody().write(jwks);
      exchange.close();
    });
    jwksServer.start();
    jwksUri = URI.create("http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/realms/campus/protocol/openid-connect/certs");
  }

  @AfterAll
  static void stop() {
    jwksServer.stop(0);
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("f3c1a7e2-5b9d-4c1e-9a0b-2d7e8f6a1c34")
        .audience(CLIENT)
        .issueTime(Date.from(NOW.minusSeconds(5)))
        .expirationTime(Date.from(NOW.plusSeconds(300)))
        .claim("nonce", NONCE)
        .claim("preferred_username", "amira.haddad")
        .claim("groups", List.of("/lab-a-managers", "/staff"));
  }

  private static String sign(JWTClaimsSet set) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(providerKey.getKeyID()).type(JOSEObjectType.JWT).build(), set);
    jwt.sign(new RSASSASigner(providerKey));
    return jwt.serialize();
  }

  @Test
  void aTokenSignedByTheProviderForThisClientAndLoginIsAccepted() throws Exception {
    JWTClaimsSet set = verifier.verify(sign(claims().build()), NONCE);

    assertThat(set.getClaim("preferred_username")).isEqualTo("amira.haddad");
    assertThat(OidcClient.identity(set, "groups", "t").groups()).containsExactly("/lab-a-managers", "/staff");
  }

  @Test
  void aTokenWhoseClaimsWereChangedAfterSigningIsRefused() throws Exception {
    String[] parts = sign(claims().build()).split("\\.");
    String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        claims().claim("groups", List.of("/labscan-admins")).build().toString().getBytes(StandardCharsets.UTF_8));
    String tampered = parts[0] + "." + forged + "." + parts[2];

    assertThatThrownBy(() -> verifier.verify(tampered, NONCE))
        .isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class)
        .hasMessageContaining("signature");
  }

  @Test
  void aTokenSignedWithAnotherKeyOfTheSameIdIsRefused() throws Exception {
    RSAKey attacker = new RSAKeyGenerator(2048).keyID(providerKey.getKeyID()).generate();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(attacker.getKeyID()).build(), claims().build());
    jwt.sign(new RSASSASigner(attacker));

    assertThatThrownBy(() -> verifier.verify(jwt.serialize(), NONCE)).isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class);
  }

  @Test
  void aTokenMacSignedWithTheClientSecretIsRefused() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    jwt.sign(new MACSigner("a-client-secret-of-thirty-two-bytes-or-more!".getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> verifier.verify(jwt.serialize(), NONCE)).isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class);
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    String expired = sign(claims()
        .issueTime(Date.from(NOW.minusSeconds(900)))
        .expirationTime(Date.from(NOW.minusSeconds(IdTokenVerifier.CLOCK_SKEW_SECONDS + 1)))
        .build());

    assertThatThrownBy(() -> verifier.verify(expired, NONCE))
        .isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class)
        .hasMessageContaining("xpired");
  }

  @Test
  void aTokenExpiredByLessThanTheClockSkewIsStillAccepted() throws Exception {
    String justExpired = sign(claims().expirationTime(Date.from(NOW.minusSeconds(IdTokenVerifier.CLOCK_SKEW_SECONDS - 5))).build());

    assertThat(verifier.verify(justExpired, NONCE).getSubject()).isNotBlank();
  }

  @Test
  void aTokenForAnotherClientIsRefused() throws Exception {
    String other = sign(claims().audience("grafana").build());

    assertThatThrownBy(() -> verifier.verify(other, NONCE))
        .isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class)
        .hasMessageContaining("aud");
  }

  @Test
  void aTokenWithSeveralAudiencesNeedsThisClientAsAuthorizedParty() throws Exception {
    String shared = sign(claims().audience(List.of(CLIENT, "grafana")).claim("azp", "grafana").build());

    assertThatThrownBy(() -> verifier.verify(shared, NONCE)).isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class);
  }

  @Test
  void aTokenWithSeveralAudiencesWithoutAnAuthorizedPartyIsRefused() throws Exception {
    String shared = sign(claims().audience(List.of(CLIENT, "grafana")).build());

    assertThatThrownBy(() -> verifier.verify(shared, NONCE)).hasMessageContaining("several audiences");
  }

  @Test
  void aTokenWithSeveralAudiencesIssuedToThisClientIsAccepted() throws Exception {
    String shared = sign(claims().audience(List.of(CLIENT, "grafana")).claim("azp", CLIENT).build());

    assertThat(verifier.verify(shared, NONCE).getSubject()).isNotBlank();
  }

  @Test
  void aTokenWhoseAuthorizedPartyIsAnotherClientIsRefusedEvenWithOneAudience() throws Exception {
    String other = sign(claims().claim("azp", "grafana").build());

    assertThatThrownBy(() -> verifier.verify(other, NONCE)).hasMessageContaining("azp");
  }

  @Test
  void aTokenIssuedFarInTheFutureIsRefused() throws Exception {
    String future = sign(claims()
        .issueTime(Date.from(NOW.plus(IdTokenVerifier.MAX_ISSUED_AHEAD).plusSeconds(60)))
        .expirationTime(Date.from(NOW.plus(java.time.Duration.ofDays(1))))
        .build());

    assertThatThrownBy(() -> verifier.verify(future, NONCE))
        .isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class).hasMessageContaining("iat");
  }

  @Test
  void aTokenIssuedWithinTheSkewAheadOfOurClockIsAccepted() throws Exception {
    String slightlyAhead = sign(claims().issueTime(Date.from(NOW.plusSeconds(90))).build());

    assertThat(verifier.verify(slightlyAhead, NONCE).getSubject()).isNotBlank();
  }

  @Test
  void aTokenFromAnotherIssuerIsRefused() throws Exception {
    String foreign = sign(claims().issuer("https://evil.example/realms/campus").build());

    assertThatThrownBy(() -> verifier.verify(foreign, NONCE)).isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class);
  }

  @Test
  void aTokenIssuedForAnotherLoginAttemptIsRefused() throws Exception {
    String replayed = sign(claims().claim("nonce", "another-login").build());

    assertThatThrownBy(() -> verifier.verify(replayed, NONCE)).isInstanceOf(IdTokenVerifier.InvalidIdTokenException.class);
  }
}
