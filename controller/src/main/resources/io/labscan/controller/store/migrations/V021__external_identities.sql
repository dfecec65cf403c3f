-- Version 21 (issue 18): users who log in through single sign-on (OpenID Connect).
-- One row per LabScan user tied to an identity at an identity provider: the provider's issuer
-- URL and its stable subject ('sub' claim). A later login finds the user by (issuer, subject),
-- never by name, so a renamed account at the provider stays the same LabScan user, and a
-- provider name equal to a local account's never logs in as that account. Rows go with their
-- user (user remove).
CREATE TABLE user_identities (
  username TEXT PRIMARY KEY,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_login_ms BIGINT
);
CREATE UNIQUE INDEX user_identities_by_subject ON user_identities(issuer, subject);
