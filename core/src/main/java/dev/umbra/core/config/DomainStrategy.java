package dev.umbra.core.config;

/** Which address families to use when a domain resolves to both, as sing-box names them. */
public enum DomainStrategy implements JsonEnum {
  AS_IS(""),
  PREFER_IPV4("prefer_ipv4"),
  PREFER_IPV6("prefer_ipv6"),
  IPV4_ONLY("ipv4_only"),
  IPV6_ONLY("ipv6_only");

  private final String jsonName;

  DomainStrategy(String jsonName) {
    this.jsonName = jsonName;
  }

  @Override
  public String jsonName() {
    return jsonName;
  }
}
