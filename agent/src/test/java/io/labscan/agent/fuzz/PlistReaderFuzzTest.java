package io.labscan.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.agent.checks.av.macos.PlistParseException;
import io.labscan.agent.checks.av.macos.PlistReader;
import io.labscan.agent.checks.av.macos.PlistValue;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Plists from a scanned disk are hostile: {@link PlistReader#parse} returns a value or
 * throws {@link PlistParseException}, and what it returns is nested no deeper than the
 * reader's limit. Seeds: XProtect's meta and Info plists, in XML and binary form.
 */
class PlistReaderFuzzTest {
  /** PlistReader.MAX_DEPTH: dict and array nesting allowed below the top value. */
  private static final int MAX_DEPTH = 64;

  @FuzzTest
  void plistsParseOrAreRefused(byte[] file) {
    PlistValue value;
    try {
      value = PlistReader.parse(file);
    } catch (PlistParseException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    assertThat(value).isNotNull();
    assertThat(depth(value, new IdentityHashMap<>())).isLessThanOrEqualTo(MAX_DEPTH);
  }

  /**
   * Nesting depth of a value. Binary plists share objects, so values form a DAG; the memo
   * keeps the walk linear in the number of distinct objects.
   */
  private static int depth(PlistValue value, Map<PlistValue, Integer> memo) {
    Integer known = memo.get(value);
    if (known != null) {
      return known;
    }
    int below = 0;
    if (value instanceof PlistValue.Dict dict) {
      for (PlistValue v : dict.entries().values()) {
        below = Math.max(below, depth(v, memo));
      }
    } else if (value instanceof PlistValue.Array array) {
      for (PlistValue v : array.items()) {
        below = Math.max(below, depth(v, memo));
      }
    }
    memo.put(value, below + 1);
    return below + 1;
  }
}
