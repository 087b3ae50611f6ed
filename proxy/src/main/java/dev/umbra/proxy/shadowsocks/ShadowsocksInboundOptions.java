package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexInboundOptions;
import java.util.List;

/** The sing-box {@code shadowsocks} inbound. */
public record ShadowsocksInboundOptions(
    @Flatten ListenOptions listen,
    String network,
    String method,
    String password,
    List<ShadowsocksUser> users,
    List<ShadowsocksDestination> destinations,
    Boolean managed,
    MultiplexInboundOptions multiplex)
    implements Validated {

  @Override
  public void validate(String path) {
    Method m = Options.method(path, method);
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
      case Method.Aead2022 a -> {
        Options.key(m, password, JsonPaths.field(path, "password"));
        if (!us.isEmpty() && !a.supportsIdentityHeaders()) {
          throw new ConfigException(
              JsonPaths.field(path, "users"),
              a.name() + " has no identity headers, so it cannot tell users apart");
        }
      }
    }
    validateDestinations(path, m);
    for (int i = 0; i < us.size(); i++) {
      String p = JsonPaths.index(JsonPaths.field(path, "users"), i);
      ShadowsocksUser u = us.get(i);
      if (u.name() == null || u.name().isEmpty()) {
        throw new ConfigException(JsonPaths.field(p, "name"), "missing user name");
      }
      Options.key(m, u.password(), JsonPaths.field(p, "password"));
    }
  }

  private void validateDestinations(String path, Method m) {
    List<ShadowsocksDestination> ds = destinationsOrEmpty();
    if (ds.isEmpty()) {
      return;
    }
    String field = JsonPaths.field(path, "destinations");
    if (!(m instanceof Method.Aead2022 a) || !a.supportsIdentityHeaders()) {
      throw new ConfigException(field, "relay needs a 2022-blake3-aes method");
    }
    if (users != null && !users.isEmpty()) {
      throw new ConfigException(field, "an inbound is either a relay or has users, not both");
    }
    if (!"tcp".equals(network)) {
      throw new ConfigException(
          field, "UDP relay is not implemented yet: set \"network\": \"tcp\" for a relay");
    }
    for (int i = 0; i < ds.size(); i++) {
      String p = JsonPaths.index(field, i);
      ShadowsocksDestination d = ds.get(i);
      if (d.name() == null || d.name().isEmpty()) {
        throw new ConfigException(JsonPaths.field(p, "name"), "missing destination name");
      }
      if (d.server() == null || d.server().isEmpty()) {
        throw new ConfigException(JsonPaths.field(p, "server"), "missing server address");
      }
      if (d.serverPort() == null || d.serverPort() < 1 || d.serverPort() > 65535) {
        throw new ConfigException(
            JsonPaths.field(p, "server_port"), "expected a port 1-65535, got " + d.serverPort());
      }
      Options.key(m, d.password(), JsonPaths.field(p, "password"));
    }
  }

  public List<ShadowsocksDestination> destinationsOrEmpty() {
    return destinations == null ? List.of() : destinations;
  }

  public Method methodValue() {
    return Method.of(method);
  }

  public List<ShadowsocksUser> usersOrEmpty() {
    return users == null ? List.of() : users;
  }
}
