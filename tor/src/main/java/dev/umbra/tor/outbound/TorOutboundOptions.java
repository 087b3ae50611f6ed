package dev.umbra.tor.outbound;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Unsupported;
import dev.umbra.core.config.Validated;
import java.util.List;
import java.util.Map;

/**
 * The sing-box {@code tor} outbound. Umbra's client is pure Java, so {@code executable_path} and
 * {@code extra_args} are rejected; {@code torrc} accepts only the options {@link TorrcOptions}
 * understands.
 */
public record TorOutboundOptions(
    @Unsupported("Umbra's tor outbound is a pure-Java Tor client: no tor binary is used")
        String executablePath,
    @Unsupported("Umbra's tor outbound is a pure-Java Tor client: no tor binary is used")
        List<String> extraArgs,
    String dataDirectory,
    Map<String, String> torrc)
    implements Validated {

  @Override
  public void validate(String path) {
    try {
      TorrcOptions.parse(torrc == null ? Map.of() : torrc);
    } catch (IllegalArgumentException e) {
      String key = e instanceof TorrcOptions.BadOption b ? "." + b.key() : "";
      throw new ConfigException(path + ".torrc" + key, e.getMessage());
    }
  }
}
