package io.labscan.controller.audit;

/** The action names LabScan records (others may be added; these are fixed once shipped). */
public final class Actions {
  public static final String LOGIN = "login";
  public static final String HOST_QUARANTINE = "host.quarantine";
  public static final String HOST_RELEASE = "host.release";
  public static final String LOGIN_FAILED = "login.failed";
  public static final String LOGOUT = "logout";
  public static final String USER_ADD = "user.add";
  public static final String USER_REPLACE = "user.replace";
  public static final String USER_ROLE = "user.role";
  public static final String USER_REMOVE = "user.remove";
  /**
   * A role a single sign-on login set from the identity provider's groups (actor: the provider;
   * detail: old role, new role and the claim values that mapped), apart from an admin's
   * {@link #USER_ROLE}.
   */
  public static final String SSO_ROLE = "sso.role";
  public static final String TOKEN_CREATE = "token.create";
  public static final String TOKEN_REVOKE = "token.revoke";
  public static final String TOKENS_READ = "token.list";
  public static final String POLICY_CHANGE = "policy.change";
  public static final String RULES_CHANGE = "rules.change";
  public static final String LAB_RULE_ADD = "lab-rule.add";
  public static final String LAB_RULE_REMOVE = "lab-rule.remove";
  public static final String TRUSTED_MTA_ADD = "trusted-mta.add";
  public static final String TRUSTED_MTA_REMOVE = "trusted-mta.remove";
  public static final String CAMPAIGN_CREATE = "campaign.create";
  public static final String CAMPAIGN_RUN = "campaign.run";
  public static final String CAMPAIGN_DELETE = "campaign.delete";
  public static final String TRIAGE_RUN = "triage.run";
  public static final String TRIAGE_RECORD = "triage.record";
  /** An administrator withdrew a complaint's recorded trace (detail: the hosts and the reason). */
  public static final String TRIAGE_WITHDRAW = "triage.withdraw";
  public static final String HOST_REVOKE = "host.revoke";
  public static final String ENROLL_TOKEN = "enroll-token.mint";
  public static final String IMPORT = "import";
  public static final String HOSTS_EXPORT = "hosts.export";
  public static final String AUDIT_READ = "audit.read";
  public static final String AUDIT_EXPORT = "audit.export";
  /** A compliance report viewed or downloaded (a sensitive read: it names hosts and infections). */
  public static final String REPORT_READ = "report.read";
  public static final String REPORT_SUBSCRIBE = "report.subscribe";
  public static final String REPORT_UNSUBSCRIBE = "report.unsubscribe";
  /** A scheduled report e-mailed (or its sending failed). */
  public static final String REPORT_SEND = "report.send";
  /** A report address confirmed by its owner (or a confirmation link refused), or its mail asked again. */
  public static final String REPORT_CONFIRM = "report.confirm";

  private Actions() {}
}
