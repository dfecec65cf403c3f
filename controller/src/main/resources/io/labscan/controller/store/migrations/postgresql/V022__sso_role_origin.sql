-- Version 22 (issue 18, red-team findings on single sign-on):
-- 1. Where a single sign-on user's role came from. role_from_claim = 1: the last login's groups
--    (the role claim) set it, so a later login whose groups map to nothing is refused instead of
--    keeping a role the provider no longer grants; 0: an admin set it (user set-role), kept.
--    Ties made before this version count as set by the claim when the audit log's last word on
--    the user is a single sign-on login that set the role from the groups (and no later
--    user.add / user.role / user.replace by an admin).
-- 2. Accounts an admin prepared for single sign-on (user add --sso): the provider subject and/or
--    the verified e-mail that may claim them (never the provider's user name, which the person
--    chooses at many providers). A prepared account without a row here is claimed only by a
--    subject or a verified e-mail equal to its name.
ALTER TABLE user_identities ADD COLUMN role_from_claim INTEGER NOT NULL DEFAULT 0;
UPDATE user_identities SET role_from_claim = 1 WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'login' AND a.target = user_identities.username AND a.detail LIKE '%from the identity provider''s groups%' AND NOT EXISTS (SELECT 1 FROM audit_log b WHERE b.target = a.target AND b.action IN ('user.add', 'user.role', 'user.replace') AND b.seq > a.seq));
CREATE TABLE sso_provisioned (
  username TEXT PRIMARY KEY,
  subject TEXT,
  email TEXT,
  created_ms BIGINT NOT NULL
);
