package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Unsupported;
import dev.umbra.core.config.Validated;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code shadowsocks} inbound. */
public record ShadowsocksInboundOptions(
    @Flatten ListenOptions listen,
    String network,
    String method,
    String password,
    List<ShadowsocksUser> users,
    @Unsupported("shadowsocks relay (destinations) is not implemented yet")
        List<ShadowsocksDestination> destinations,
    Boolean managed,
    @Unsupported("multiplex needs the sing-mux transport") JsonNode multiplex)
    implements Validated {

  @Override
  public void validate(String path) {
    Method m = Options.method(path, method);
    if (m instanceof Method.Aead2022) {
      throw new ConfigException(
          JsonPaths.field(path, "method"), "method '" + method + "' is not implemented yet");
    }
    Options.networks(path, network);
    List<ShadowsocksUser> us = users == null ? List.of() : users;
    switch (m) {
      case Method.None n -> {
        if (!us.isEmpty()) {
          throw new ConfigException(
              JsonPaths.field(path, "users"), "method 'none' has no keys to tell users apart");
        }
      }
      case Method.Aead a -> {
        if (us.isEmpty()) {
          Options.key(m, password, JsonPaths.field(path, "password"));
        } else if (password != null && !password.isEmpty()) {
          throw new ConfigException(
              JsonPaths.field(path, "password"),
              "with 'users', method " + a.name() + " takes each user's password; remove this one");
        }
      }
      case Method.Aead2022 a -> Options.key(m, password, JsonPaths.field(path, "password"));
    }
    for (int i = 0; i < us.size(); i++) {
      String p = JsonPaths.index(JsonPaths.field(path, "users"), i);
      ShadowsocksUser u = us.get(i);
      if (u.name() == null || u.name().isEmpty()) {
        throw new ConfigException(JsonPaths.field(p, "name"), "missing user name");
      }
      Options.key(m, u.password(), JsonPaths.field(p, "password"));
    }
  }

  public Method methodValue() {
    return Method.of(method);
  }

  public List<ShadowsocksUser> usersOrEmpty() {
    return users == null ? List.of() : users;
  }
}
