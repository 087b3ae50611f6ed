package dev.umbra.proxy;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import java.io.IOException;

/** Umbra started in-process from a JSON config, for tests. */
final class RunningUmbra implements AutoCloseable {
  final Umbra umbra;

  private RunningUmbra(Umbra umbra) {
    this.umbra = umbra;
  }

  static RunningUmbra start(String json) throws IOException {
    Registry r = Registry.loadAll();
    return new RunningUmbra(Umbra.start(ConfigLoader.load(Jsonc.parse(json, "test"), r), r));
  }

  @Override
  public void close() {
    umbra.shutdown(java.time.Duration.ofSeconds(1));
  }
}
