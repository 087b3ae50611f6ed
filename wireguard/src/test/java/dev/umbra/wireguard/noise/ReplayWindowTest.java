package dev.umbra.wireguard.noise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The replay filter: wireguard-go's edge-case table, and equality with a simple set model. */
class ReplayWindowTest {
  private static final long T = ReplayWindow.WINDOW_SIZE + 1;
  private static final long LIMIT = Session.REJECT_AFTER_MESSAGES;

  @Test
  void edgeCases() {
    ReplayWindow w = new ReplayWindow();
    long[][] table = {
      {0, 1},
      {1, 1},
      {1, 0},
      {9, 1},
      {8, 1},
      {7, 1},
      {7, 0},
      {T, 1},
      {T - 1, 1},
      {T - 1, 0},
      {T - 2, 1},
      {2, 1},
      {2, 0},
      {T + 16, 1},
      {3, 0},
      {T + 16, 0},
      {T * 4, 1},
      {T * 4 - (T - 1), 1},
      {10, 0},
      {T * 4 - T, 0},
      {T * 4 - (T + 1), 0},
      {T * 4 - (T - 2), 1},
      {T * 4 + 1 - T, 0},
      {0, 0},
      {LIMIT, 0},
      {LIMIT - 1, 1},
      {LIMIT, 0},
      {LIMIT - 1, 0},
      {LIMIT - 2, 1},
      {LIMIT + 1, 0},
      {LIMIT + 2, 0},
      {LIMIT - 2, 0},
      {LIMIT - 3, 1},
      {0, 0}
    };
    for (int i = 0; i < table.length; i++) {
      assertThat(w.accept(table[i][0], LIMIT))
          .as("row %d: counter %s", i, Long.toUnsignedString(table[i][0]))
          .isEqualTo(table[i][1] == 1);
    }
  }

  @Test
  void resetForgetsEverything() {
    ReplayWindow w = new ReplayWindow();
    assertThat(w.accept(5, LIMIT)).isTrue();
    w.reset();
    assertThat(w.accept(5, LIMIT)).isTrue();
  }

  @Test
  void everyCounterOfALongInOrderRunIsAcceptedOnce() {
    ReplayWindow w = new ReplayWindow();
    for (long c = 0; c < 3 * T; c++) {
      assertThat(w.accept(c, LIMIT)).isTrue();
    }
    assertThat(w.accept(3 * T - 5, LIMIT)).isFalse();
  }

  @Property(tries = 300)
  void matchesASetModel(
      @ForAll @Size(max = 400) List<@LongRange(min = 0, max = 40_000) Long> counters) {
    ReplayWindow w = new ReplayWindow();
    Set<Long> seen = new HashSet<>();
    long max = 0;
    for (long c : counters) {
      boolean expected = !seen.contains(c) && (c > max || max - c <= ReplayWindow.WINDOW_SIZE);
      assertThat(w.accept(c, LIMIT)).as("counter %d after max %d", c, max).isEqualTo(expected);
      if (expected) {
        seen.add(c);
        max = Math.max(max, c);
      }
    }
  }
}
