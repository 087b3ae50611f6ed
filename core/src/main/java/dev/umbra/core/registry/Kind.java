package dev.umbra.core.registry;

/** The polymorphic lists of a config, by their JSON key. */
public enum Kind {
  INBOUND("inbound", "inbounds"),
  OUTBOUND("outbound", "outbounds"),
  ENDPOINT("endpoint", "endpoints"),
  SERVICE("service", "services");

  private final String noun;
  private final String jsonKey;

  Kind(String noun, String jsonKey) {
    this.noun = noun;
    this.jsonKey = jsonKey;
  }

  public String noun() {
    return noun;
  }

  public String jsonKey() {
    return jsonKey;
  }
}
