package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublicSuffixTest {

  @ParameterizedTest
  @ValueSource(strings = {"edu", "ac.uk", "AC.UK.", "edu.au", "co.jp", "com.br", "ac.jp", "github.io"})
  void sharedSuffixesArePublic(String domain) {
    assertThat(PublicSuffix.is(domain)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.edu", "ox.ac.uk", "campus.example.edu.au", "example.co.jp", "localhost.localdomain",
      "mx_1.example.edu", "", " ", "999", "a..b"})
  void organisationsDomainsAndUnreadableNamesAreNot(String domain) {
    assertThat(PublicSuffix.is(domain)).isFalse();
  }
}
