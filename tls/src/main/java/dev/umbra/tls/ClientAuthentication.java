package dev.umbra.tls;

import dev.umbra.core.config.JsonEnum;

/** sing-box's {@code client_authentication}: whether a TLS server asks for client certificates. */
public enum ClientAuthentication implements JsonEnum {
  NO("no"),
  REQUEST("request"),
  REQUIRE_ANY("require-any"),
  VERIFY_IF_GIVEN("verify-if-given"),
  REQUIRE_AND_VERIFY("require-and-verify");

  private final String jsonName;

  ClientAuthentication(String jsonName) {
    this.jsonName = jsonName;
  }

  @Override
  public String jsonName() {
    return jsonName;
  }

  boolean verifies() {
    return this == VERIFY_IF_GIVEN || this == REQUIRE_AND_VERIFY;
  }

  boolean requires() {
    return this == REQUIRE_ANY || this == REQUIRE_AND_VERIFY;
  }
}
