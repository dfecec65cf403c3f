package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.oidc.OidcClient;
import io.labscan.controller.oidc.RoleMapping;
import io.labscan.controller.oidc.SingleSignOn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The summaries of suppressed single sign-on refusals are written by one of the controller's
 * background jobs when their window ends ({@link RefusalAudit#flush}), not only with the next
 * refusal: the dashboard registers that job when single sign-on is on.
 */
class RefusalSummaryJobTest {
  @TempDir Path dir;

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  @Test
  void withSingleSignOnTheDashboardRegistersTheJobThatWritesTheSummaries() throws Exception {
    OidcClient.Settings settings = new OidcClient.Settings("http://127.0.0.1:" + Keycloak.freePort() + "/realms/campus",
        "labscan", "secret", URI.create("http://127.0.0.1:8080/login/oidc/callback"), "groups",
        RoleMapping.parseEntries(List.of("labscan-admins=admin")), "Campus login");
    SingleSignOn sso = SingleSignOn.start(settings, SingleSignOn.httpClient(), Clock.systemUTC());
    try (Controller controller = Controller.open(ControllerConfig.builder(dir.resolve("controller.db")).build());
        Dashboard web = Dashboard.start("127.0.0.1", 0, DashboardOptions.defaults(), controller,
            new EngineTriageRunner(controller.complaints()), List.of(), quiet(), Optional.of(sso))) {
      assertThat(web.port()).isPositive();
      assertThat(controller.jobs().names()).contains(Dashboard.REFUSAL_SUMMARIES);
    }
  }

  @Test
  void withoutSingleSignOnThereIsNoSuchJob() {
    try (Controller controller = Controller.open(ControllerConfig.builder(dir.resolve("controller.db")).build());
        Dashboard web = Dashboard.start("127.0.0.1", 0, DashboardOptions.defaults(), controller,
            new EngineTriageRunner(controller.complaints()), List.of(), quiet())) {
      assertThat(web.port()).isPositive();
      assertThat(controller.jobs().has(Dashboard.REFUSAL_SUMMARIES)).isFalse();
    }
  }
}
