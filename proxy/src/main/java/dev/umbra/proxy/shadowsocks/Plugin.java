package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.config.ConfigException;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The outbound's {@code plugin}: none, a built-in one, or a SIP003 binary run as a child. */
sealed interface Plugin
    permits Plugin.None, Plugin.ObfsHttp, Plugin.ObfsTls, Plugin.V2ray, Plugin.Child {
  record None() implements Plugin {}

  /** simple-obfs http mode, built in (sing-box's "obfs-local" with obfs=http). */
  record ObfsHttp(String host, String uri) implements Plugin {}

  /** simple-obfs tls mode, built in (sing-box's "obfs-local" with obfs=tls). */
  record ObfsTls(String host) implements Plugin {}

  /**
   * v2ray-plugin websocket mode, built in: WebSocket to {@code path} with {@code host}, over TLS
   * when {@code tls} is set, Mux.Cool inside unless mux=0.
   */
  record V2ray(String host, String path, TlsClient tls, boolean mux) implements Plugin {}

  /** Any other SIP003 plugin: its binary, started with the standard environment. */
  record Child(String binary, String options) implements Plugin {}

  Set<String> OBFS_KEYS = Set.of("obfs", "obfs-host", "obfs-uri");
  Set<String> V2RAY_KEYS = Set.of("mode", "tls", "host", "path", "cert", "certRaw", "mux");

  /** Reads {@code plugin} and {@code plugin_opts}; errors name the fields under {@code path}. */
  static Plugin of(String plugin, String opts, String path) {
    String optsPath = path + ".plugin_opts";
    if (plugin == null || plugin.isEmpty()) {
      if (opts != null && !opts.isEmpty()) {
        throw new ConfigException(optsPath, "plugin_opts given without plugin");
      }
      return new None();
    }
    return switch (plugin) {
      case "obfs-local" -> obfs(options(opts, OBFS_KEYS, "obfs-local", optsPath), optsPath);
      case "v2ray-plugin" -> v2ray(options(opts, V2RAY_KEYS, "v2ray-plugin", optsPath), optsPath);
      default -> {
        if (Sip003Process.resolve(plugin) == null) {
          throw new ConfigException(
              path + ".plugin", "SIP003 plugin '" + plugin + "' not found (PATH or a path)");
        }
        yield new Child(plugin, opts);
      }
    };
  }

  private static Plugin obfs(Map<String, String> o, String optsPath) {
    String host = o.getOrDefault("obfs-host", "cloudfront.net");
    return switch (o.getOrDefault("obfs", "http")) {
      case "http" -> new ObfsHttp(host, o.getOrDefault("obfs-uri", "/"));
      case "tls" -> new ObfsTls(host);
      default ->
          throw new ConfigException(
              optsPath, "obfs-local mode '" + o.get("obfs") + "': expected http or tls");
    };
  }

  private static Plugin v2ray(Map<String, String> o, String optsPath) {
    String mode = o.getOrDefault("mode", "websocket");
    if (!mode.equals("websocket")) {
      throw new ConfigException(
          optsPath,
          "v2ray-plugin mode '"
              + mode
              + "' is not built in (websocket is); name the ss-v2ray-plugin binary to run"
              + " it as a SIP003 child process");
    }
    String host = o.getOrDefault("host", "cloudfront.com");
    String wsPath = o.getOrDefault("path", "/");
    if (!wsPath.startsWith("/")) {
      wsPath = "/" + wsPath;
    }
    boolean mux;
    try {
      mux = Integer.parseInt(o.getOrDefault("mux", "1")) != 0;
    } catch (NumberFormatException e) {
      throw new ConfigException(optsPath, "v2ray-plugin mux: expected a number");
    }
    TlsClient tls = null;
    if (o.containsKey("tls")) {
      String raw = o.get("certRaw");
      String cert = o.get("cert");
      tls =
          TlsClient.create(
              tlsOptions(
                  host,
                  raw == null || raw.isEmpty() ? null : List.of(raw),
                  cert == null || cert.isEmpty() ? null : cert),
              optsPath);
    } else if (o.containsKey("cert") || o.containsKey("certRaw")) {
      throw new ConfigException(optsPath, "v2ray-plugin cert given without tls");
    }
    return new V2ray(host, wsPath, tls, mux);
  }

  private static Map<String, String> options(
      String opts, Set<String> known, String plugin, String optsPath) {
    Map<String, String> o = PluginOptions.parse(opts);
    for (String k : o.keySet()) {
      if (!known.contains(k)) {
        throw new ConfigException(
            optsPath,
            "unknown "
                + plugin
                + " option '"
                + k
                + "'"
                + (k.equals("server") ? " (server mode is for the server side)" : ""));
      }
    }
    return o;
  }

  /** TLS for the v2ray-plugin carrier: SNI and verification against {@code host}. */
  private static TlsOptions tlsOptions(String host, List<String> certificate, String certPath) {
    return new TlsOptions(
        true,
        host,
        null,
        null,
        null,
        null,
        null,
        certificate,
        certPath,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
