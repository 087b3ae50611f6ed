package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.config.ConfigException;
import java.util.Map;
import java.util.Set;

/** The outbound's {@code plugin}: none, a built-in one, or a SIP003 binary run as a child. */
sealed interface Plugin permits Plugin.None, Plugin.ObfsHttp, Plugin.Child {
  record None() implements Plugin {}

  /** simple-obfs http mode, built in (sing-box's "obfs-local" with obfs=http). */
  record ObfsHttp(String host, String uri) implements Plugin {}

  /** Any other SIP003 plugin: its binary, started with the standard environment. */
  record Child(String binary, String options) implements Plugin {}

  Set<String> OBFS_KEYS = Set.of("obfs", "obfs-host", "obfs-uri");

  /** Reads {@code plugin} and {@code plugin_opts}; errors name the fields under {@code path}. */
  static Plugin of(String plugin, String opts, String path) {
    if (plugin == null || plugin.isEmpty()) {
      if (opts != null && !opts.isEmpty()) {
        throw new ConfigException(path + ".plugin_opts", "plugin_opts given without plugin");
      }
      return new None();
    }
    switch (plugin) {
      case "obfs-local" -> {
        Map<String, String> o = PluginOptions.parse(opts);
        for (String k : o.keySet()) {
          if (!OBFS_KEYS.contains(k)) {
            throw new ConfigException(
                path + ".plugin_opts", "unknown obfs-local option '" + k + "'");
          }
        }
        String mode = o.getOrDefault("obfs", "http");
        if (!mode.equals("http")) {
          throw new ConfigException(
              path + ".plugin_opts",
              "obfs-local mode '"
                  + mode
                  + "' is not built in yet; name the obfs-local binary by path (e.g."
                  + " /usr/bin/obfs-local) to run it as a SIP003 child process");
        }
        return new ObfsHttp(
            o.getOrDefault("obfs-host", "cloudfront.net"), o.getOrDefault("obfs-uri", "/"));
      }
      case "v2ray-plugin" ->
          throw new ConfigException(
              path + ".plugin",
              "the built-in v2ray-plugin is not implemented yet; name a SIP003 binary (e.g."
                  + " ss-v2ray-plugin) to run it as a child process");
      default -> {
        if (Sip003Process.resolve(plugin) == null) {
          throw new ConfigException(
              path + ".plugin", "SIP003 plugin '" + plugin + "' not found (PATH or a path)");
        }
        return new Child(plugin, opts);
      }
    }
  }
}
