package dev.umbra.proxy.auth;

/** A username/password pair from an inbound's {@code users} list. */
public record User(String username, String password) {
  @Override
  public String toString() {
    return "User[" + username + "]"; // never the password
  }
}
