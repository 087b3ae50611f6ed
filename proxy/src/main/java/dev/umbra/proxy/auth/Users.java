package dev.umbra.proxy.auth;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/** Checks credentials against a user list in constant time per entry. */
public final class Users {
  private final List<User> users;

  public Users(List<User> users, String path) {
    this.users = users == null ? List.of() : users;
    for (int i = 0; i < this.users.size(); i++) {
      User u = this.users.get(i);
      String p = JsonPaths.index(JsonPaths.field(path, "users"), i);
      if (u.username() == null || u.username().isEmpty()) {
        throw new ConfigException(JsonPaths.field(p, "username"), "missing username");
      }
      if (u.password() == null) {
        throw new ConfigException(JsonPaths.field(p, "password"), "missing password");
      }
    }
  }

  public boolean required() {
    return !users.isEmpty();
  }

  /** The matching user's name, or null. Every entry is compared, so timing reveals nothing. */
  public String authenticate(byte[] username, byte[] password) {
    String found = null;
    for (User u : users) {
      boolean nameOk =
          MessageDigest.isEqual(username, u.username().getBytes(StandardCharsets.UTF_8));
      boolean passOk =
          MessageDigest.isEqual(password, u.password().getBytes(StandardCharsets.UTF_8));
      if (nameOk && passOk && found == null) {
        found = u.username();
      }
    }
    return found;
  }
}
