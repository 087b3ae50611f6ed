package dev.umbra.tor.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a {@link TorClient} needs: the authorities to trust, where to keep its state, and the path
 * rules. {@code enforceDistinctSubnets} may only be false on a testing network (every relay of the
 * private test network is 127.0.0.1).
 *
 * @param excludeNodes relay fingerprints never used
 * @param exitNodes if non-empty, exits are chosen only from these fingerprints
 * @param entryNodes if non-empty, guards are chosen only from these fingerprints
 * @param fallbackDirs directory caches to bootstrap from before asking the authorities
 * @param conflux whether exit streams may use conflux sets (prop 329) when the consensus enables
 *     them (C tor's {@code ConfluxEnabled}, default on)
 */
public record TorConfig(
    List<DirAuthority> authorities,
    Path dataDirectory,
    boolean testingNetwork,
    boolean enforceDistinctSubnets,
    Set<String> excludeNodes,
    Set<String> exitNodes,
    Set<String> entryNodes,
    Duration circuitBuildTimeout,
    Duration streamTimeout,
    List<FallbackDir> fallbackDirs,
    boolean conflux) {

  public TorConfig {
    if (authorities.isEmpty()) {
      throw new IllegalArgumentException("at least one directory authority is required");
    }
    if (!enforceDistinctSubnets && !testingNetwork) {
      throw new IllegalArgumentException(
          "the /16 rule may only be switched off on a testing network (TestingTorNetwork 1)");
    }
    authorities = List.copyOf(authorities);
    excludeNodes = Set.copyOf(excludeNodes);
    exitNodes = Set.copyOf(exitNodes);
    entryNodes = Set.copyOf(entryNodes);
    fallbackDirs = fallbackDirs == null ? List.of() : List.copyOf(fallbackDirs);
  }

  /** This configuration with these fallback directories. */
  public TorConfig withFallbackDirs(List<FallbackDir> fallbacks) {
    return new TorConfig(
        authorities,
        dataDirectory,
        testingNetwork,
        enforceDistinctSubnets,
        excludeNodes,
        exitNodes,
        entryNodes,
        circuitBuildTimeout,
        streamTimeout,
        fallbacks,
        conflux);
  }

  /** This configuration with conflux allowed or not. */
  public TorConfig withConflux(boolean enabled) {
    return new TorConfig(
        authorities,
        dataDirectory,
        testingNetwork,
        enforceDistinctSubnets,
        excludeNodes,
        exitNodes,
        entryNodes,
        circuitBuildTimeout,
        streamTimeout,
        fallbackDirs,
        enabled);
  }

  /** A configuration for a private testing network with these authorities. */
  public static TorConfig testing(List<DirAuthority> authorities, Path dataDirectory) {
    return new TorConfig(
        authorities,
        dataDirectory,
        true,
        false,
        Set.of(),
        Set.of(),
        Set.of(),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        List.of(),
        true);
  }
}
