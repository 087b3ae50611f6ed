package dev.umbra.app;

import dev.umbra.core.config.Config;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code umbra check}: reads, binds and builds the configuration without opening sockets. */
@Command(name = "check", description = "Check configuration")
final class CheckCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() throws Exception {
    Registry registry = Registry.loadAll();
    Config c = ConfigLoader.load(main.source.readMerged(main.io().in()), registry);
    Umbra.check(c, registry, main.source.base());
    return 0;
  }
}
