package dev.umbra.app;

import dev.umbra.core.config.Config;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.log.LogSetup;
import dev.umbra.core.registry.Registry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code umbra run}: starts the configuration and serves until SIGTERM or SIGINT (listeners close,
 * connections drain, exit 0). SIGHUP re-reads the configuration: a bad one is logged and the old
 * keeps running; a good one replaces it, keeping connections whose inbound and outbound remain.
 */
@Command(name = "run", description = "Run service")
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @ParentCommand Main main;

  @Override
  public Integer call() throws Exception {
    Registry registry = Registry.loadAll();
    Config c = ConfigLoader.load(main.source.readMerged(main.io().in()), registry);
    LogSetup.apply(c.log());
    // Handlers first: a signal arriving while listeners open must not kill the JVM outright.
    CountDownLatch stop = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Umbra> running =
        new java.util.concurrent.atomic.AtomicReference<>();
    Signal term = new Signal("TERM");
    Signal interrupt = new Signal("INT");
    Signal hangup = new Signal("HUP");
    SignalHandler oldTerm = Signal.handle(term, s -> stop.countDown());
    SignalHandler oldInt = Signal.handle(interrupt, s -> stop.countDown());
    SignalHandler oldHup =
        Signal.handle(
            hangup,
            s -> {
              Umbra u = running.get();
              if (u != null) {
                Thread.ofVirtual().name("reload").start(() -> reload(u, registry));
              }
            });
    try {
      Umbra umbra = Umbra.start(c, registry, main.source.base());
      running.set(umbra);
      LOG.info("umbra {} started", VersionCommand.version());
      stop.await();
      LOG.info("shutting down");
      umbra.shutdown(Umbra.DEFAULT_DRAIN);
      return 0;
    } finally {
      // in-process callers (tests, embedders) get their own signal handling back
      Signal.handle(term, oldTerm);
      Signal.handle(interrupt, oldInt);
      Signal.handle(hangup, oldHup);
    }
  }

  private void reload(Umbra umbra, Registry registry) {
    try {
      Config next = ConfigLoader.load(main.source.readMerged(main.io().in()), registry);
      umbra.reload(next);
      LogSetup.apply(next.log());
      LOG.info("reloaded configuration");
    } catch (Exception e) {
      LOG.error("reload failed, keeping the running configuration: {}", e.getMessage());
    }
  }
}
