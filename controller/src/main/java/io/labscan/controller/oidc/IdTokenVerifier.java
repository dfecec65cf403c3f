package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;
import org.jspecify.annotations.Nullable;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks an OpenID Connect ID token (OpenID Connect Core 1.0 §3.1.3.7) with nimbus-jose-jwt:
 * signature against the provider's JWKS (asymmetric algorithms only, so neither {@code none} nor
 * an HMAC keyed with the public client secret is ever accepted), issuer equal to the configured
 * one, our client id among the audiences (and {@code azp} equal to it when there are several),
 * {@code exp}/{@code nbf} against the injected clock with {@value #CLOCK_SKEW_SECONDS} s skew,
 * {@code iat} at most {@link #MAX_ISSUED_AHEAD} ahead, {@code azp} (when present) equal to our
 * client id, and the nonce of this login. The JWKS comes from {@link ProviderKeys}: one overall
 * deadline and bounded size per fetch, cached, refreshed when a token names an unknown key id
 * (provider key rotation), never under a lock.
 */
public final class IdTokenVerifier {

  /** Tolerated clock difference between LabScan and the identity provider. */
  public static final int CLOCK_SKEW_SECONDS = 60;
  /**
   * How far in the future an {@code iat} may lie: more than the skew of {@code exp}/{@code nbf},
   * since refusing a token for its issue time only guards against far-future tokens.
   */
  public static final java.time.Duration MAX_ISSUED_AHEAD = java.time.Duration.ofMinutes(5);

  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

  private final String issuer;
  private final String clientId;
  private final JWKSource<SecurityContext> keys;
  private final Clock clock;

  public IdTokenVerifier(String issuer, String clientId, URI jwksUri, Clock clock) {
    this(issuer, clientId, new ProviderKeys(requireNonNull(jwksUri, "jwksUri"), SingleSignOn.httpClient(), clock,
        ProviderHttp.DEFAULT_DEADLINE), clock);
  }

  IdTokenVerifier(String issuer, String clientId, JWKSource<SecurityContext> keys, Clock clock) {
    this.issuer = requireNonNull(issuer, "issuer");
    this.clientId = requireNonNull(clientId, "clientId");
    this.clock = requireNonNull(clock, "clock");
    this.keys = requireNonNull(keys, "keys");
  }

  /**
   * The verified claims of {@code idToken}, or {@link InvalidIdTokenException} naming why it was
   * refused.
   */
  public JWTClaimsSet verify(String idToken, String expectedNonce) throws InvalidIdTokenException {
    requireNonNull(idToken, "idToken");
    requireNonNull(expectedNonce, "expectedNonce");
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(clientId),
        new JWTClaimsSet.Builder().issuer(issuer).claim("nonce", expectedNonce).build(),
        Set.of("sub", "iat", "exp", "aud", "iss", "nonce"),
        null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
    JWTClaimsSet set;
    try {
      set = processor.process(idToken, null);
    } catch (BadJWTException e) {
      throw new InvalidIdTokenException("ID token claims refused: " + e.getMessage(), e);
    } catch (BadJOSEException e) {
      throw new InvalidIdTokenException("ID token signature refused: " + e.getMessage(), e);
    } catch (ParseException e) {
      throw new InvalidIdTokenException("ID token is not a JWT: " + e.getMessage(), e);
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new InvalidIdTokenException("ID token could not be checked (JWKS of the provider): " + e.getMessage(), e);
    }
    List<String> audience = set.getAudience();
    Object azp = set.getClaim("azp");
    if (audience.size() > 1 && !clientId.equals(azp)) {
      throw new InvalidIdTokenException("ID token has several audiences and azp is not this client", null);
    }
    if (azp != null && !clientId.equals(azp)) {
      // Core §3.1.3.7 item 5: an azp present must be this client (the token was issued to another party).
      throw new InvalidIdTokenException("ID token azp (authorized party) is not this client", null);
    }
    Date issued = set.getIssueTime();
    if (issued != null && issued.toInstant().isAfter(clock.instant().plus(MAX_ISSUED_AHEAD))) {
      // nimbus checks exp and nbf only: a token "issued" in the future would stay valid long
      // after its real lifetime (a provider with a wrong clock, or a token minted for later).
      throw new InvalidIdTokenException("ID token iat " + issued.toInstant() + " is more than "
          + MAX_ISSUED_AHEAD.toMinutes() + " min in the future", null);
    }
    return set;
  }

  /** An ID token that must not log anyone in; the message says why (logged, never shown raw). */
  public static final class InvalidIdTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidIdTokenException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
