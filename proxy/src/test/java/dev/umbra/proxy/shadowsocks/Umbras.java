package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import java.io.IOException;

/** Umbra started in-process from a JSON config, for the Shadowsocks tests. */
final class Umbras implements AutoCloseable {
  final Umbra umbra;

  private Umbras(Umbra umbra) {
    this.umbra = umbra;
  }

  static Umbras start(String json) throws IOException {
    Registry r = Registry.loadAll();
    return new Umbras(Umbra.start(ConfigLoader.load(Jsonc.parse(json, "test"), r), r));
  }

  @Override
  public void close() {
    umbra.shutdown(java.time.Duration.ofSeconds(1));
  }
}
