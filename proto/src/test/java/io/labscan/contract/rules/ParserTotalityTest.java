package io.labscan.contract.rules;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parsers face files written by strangers: whatever the input, they return a result or a
 * {@link RuleParseException}, never any other exception. Inputs are valid lines mutated with
 * the characters the grammars care about, plus raw random bytes.
 */
class ParserTotalityTest {
  private static final String SPECIAL = ":*{}-?()[]!|,0123456789abcdefABCDEF EOF-P+\\\n\r\t\u0000\u00ff#@/\"'";
  private static final List<String> SEEDS = List.of(
      Eicar.MD5 + ":68:Eicar-Test-Signature",
      Eicar.SHA256 + ":*:Eicar:73",
      "Test.Sig:0:*:4d5a??00*deadbeef{4-8}cafe{-3}aa{2-}bb:50:99",
      "Test.Sig:1:EOF-20,4:c?f0?e{2}0102");
  private static final String YAML_SEED = """
      format: 1
      version: "1"
      folders: {system: [WINDOWS/SYSTEM32], temp: ["@system/x/**"]}
      files:
        - {id: a, in: system, name: "wink[a-z]{1-4}.exe", except: [winkey.exe], detail: d}
        - {id: b, in: temp, randomName: {extensions: [exe], minLength: 5}, detail: d}
      registry:
        - {id: c, key: 'HKLM\\\\Run', valueName: "w*", detail: d}
      integrityFiles: {id: i, names: [CHKLIST.MS], detail: d}
      ndb: "X:0:*:4142"
      """;

  @Test
  void signatureParsersOnlyEverThrowTheirParseException() {
    Random random = new Random(4926);
    for (int round = 0; round < 6_000; round++) {
      String input = round % 10 == 0 ? randomBytes(random) : mutate(SEEDS.get(round % SEEDS.size()), random);
      for (String name : List.of("f.hdb", "f.hsb", "f.ndb")) {
        assertThatCode(() -> {
          try {
            Signatures.load(name, new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)));
          } catch (RuleParseException expected) {
            // declared outcome
          }
        }).as("%s on %s", name, input).doesNotThrowAnyException();
      }
    }
  }

  @Test
  void ruleSetParserOnlyEverThrowsItsParseException() {
    Random random = new Random(3587);
    for (int round = 0; round < 1_000; round++) {
      String input = round % 10 == 0 ? randomBytes(random) : mutate(YAML_SEED, random);
      assertThatCode(() -> {
        try {
          RuleSet.load("r.yaml", new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        } catch (RuleParseException expected) {
          // declared outcome
        }
      }).as("rule set %s", input).doesNotThrowAnyException();
    }
  }

  @Test
  void namePatternCompilationOnlyEverThrowsIllegalArgument() {
    Random random = new Random(3326);
    for (int round = 0; round < 20_000; round++) {
      String input = mutate("wink[a-z]{1-4}.exe", random);
      assertThatCode(() -> {
        try {
          NamePattern.compile(input).matches("WINKABCD.EXE");
        } catch (IllegalArgumentException expected) {
          // declared outcome
        }
      }).as("pattern %s", input).doesNotThrowAnyException();
    }
  }

  private static String mutate(String seed, Random random) {
    StringBuilder s = new StringBuilder(seed);
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = s.length() == 0 ? 0 : random.nextInt(s.length());
      char c = SPECIAL.charAt(random.nextInt(SPECIAL.length()));
      switch (random.nextInt(3)) {
        case 0 -> s.insert(at, c);
        case 1 -> {
          if (s.length() > 0) {
            s.setCharAt(at, c);
          }
        }
        default -> {
          if (s.length() > 0) {
            s.deleteCharAt(at);
          }
        }
      }
    }
    return s.toString();
  }

  private static String randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(200)];
    random.nextBytes(b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
