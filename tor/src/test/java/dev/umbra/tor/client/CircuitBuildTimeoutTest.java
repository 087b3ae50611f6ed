package dev.umbra.tor.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CircuitBuildTimeoutTest {
  /** Build times from a Pareto distribution with Xm = 200 ms and alpha = 3. */
  private static void feedPareto(CircuitBuildTimeout cbt, int n, long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      cbt.recordBuild(Math.round(200 / Math.pow(1 - u, 1 / 3.0)));
    }
  }

  @Test
  void initialTimeoutUntilEnoughCircuitsAreSeen() {
    CircuitBuildTimeout cbt = new CircuitBuildTimeout(null);
    feedPareto(cbt, 99, 1);
    assertThat(cbt.learned()).isFalse();
    assertThat(cbt.timeout()).isEqualTo(Duration.ofSeconds(60));
    feedPareto(cbt, 1, 2);
    assertThat(cbt.learned()).isTrue();
    assertThat(cbt.timeout()).isLessThan(Duration.ofSeconds(60));
  }

  @Test
  void paretoFitFindsTheEightiethPercentile() {
    CircuitBuildTimeout cbt = new CircuitBuildTimeout(null);
    feedPareto(cbt, 1000, 3);
    // true 80th percentile: 200 / 0.2^(1/3) = 342 ms; the 10 ms mode binning shifts Xm a little
    assertThat(cbt.timeout().toMillis()).isBetween(290L, 400L);
    assertThat(cbt.closeTimeout()).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void historyIsPersistedAndReadBack(@TempDir Path dir) {
    CircuitBuildTimeout cbt = new CircuitBuildTimeout(dir);
    feedPareto(cbt, 300, 4);
    cbt.save();
    assertThat(dir.resolve("circuit-build-times")).exists();
    CircuitBuildTimeout again = new CircuitBuildTimeout(dir);
    assertThat(again.recorded()).isEqualTo(300);
    assertThat(again.learned()).isTrue();
    // binned to 10 ms: the fit is close to the original one
    assertThat(Math.abs(again.timeout().toMillis() - cbt.timeout().toMillis())).isLessThan(30);
  }

  @Test
  void unreadableStateIsIgnored(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("circuit-build-times"), "garbage\n15 x\n-5 3\n25 999999\n");
    CircuitBuildTimeout cbt = new CircuitBuildTimeout(dir);
    assertThat(cbt.recorded()).isZero();
  }

  @Test
  void manyRecentTimeoutsResetTheHistory() {
    CircuitBuildTimeout cbt = new CircuitBuildTimeout(null);
    feedPareto(cbt, 200, 5);
    assertThat(cbt.learned()).isTrue();
    for (int i = 0; i < 20; i++) {
      cbt.recordTimeout();
    }
    assertThat(cbt.learned()).isFalse();
    assertThat(cbt.timeout()).isEqualTo(Duration.ofSeconds(60));
  }
}
