package dev.umbra.app;

import dev.umbra.core.config.Config;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code umbra check}: reads, binds and builds the configuration without opening sockets. */
@Command(name = "check", description = "Check the configuration.")
final class CheckCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Override
  public Integer call() throws Exception {
    Registry registry = Registry.loadAll();
    Config c = ConfigLoader.load(config.merged(System.in), registry);
    Umbra.check(c, registry, config.base());
    return 0;
  }
}
