package dev.umbra.core.registry;

import dev.umbra.core.adapter.Endpoint;
import dev.umbra.core.adapter.Inbound;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.Service;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Type name to (options record, factory), per {@link Kind}. Filled by {@link ProtocolProvider}s.
 */
public final class Registry {
  private final Map<Kind, Map<String, TypeRegistration<?, ?>>> types = new EnumMap<>(Kind.class);

  public Registry() {
    for (Kind k : Kind.values()) {
      types.put(k, new TreeMap<>());
    }
  }

  /** A registry with every provider on the class path. */
  public static Registry loadAll() {
    Registry r = new Registry();
    for (ProtocolProvider p : ServiceLoader.load(ProtocolProvider.class)) {
      p.register(r);
    }
    return r;
  }

  public <O extends Record> void inbound(
      String type, Class<O> options, Factory<O, ? extends Inbound> factory) {
    add(new TypeRegistration<>(Kind.INBOUND, type, options, factory));
  }

  public <O extends Record> void outbound(
      String type, Class<O> options, Factory<O, ? extends Outbound> factory) {
    add(new TypeRegistration<>(Kind.OUTBOUND, type, options, factory));
  }

  public <O extends Record> void endpoint(
      String type, Class<O> options, Factory<O, ? extends Endpoint> factory) {
    add(new TypeRegistration<>(Kind.ENDPOINT, type, options, factory));
  }

  public <O extends Record> void service(
      String type, Class<O> options, Factory<O, ? extends Service> factory) {
    add(new TypeRegistration<>(Kind.SERVICE, type, options, factory));
  }

  private DnsServiceFactory dns;

  /** The DNS module's factory (at most one). */
  public void dns(DnsServiceFactory factory) {
    if (dns != null) {
      throw new IllegalStateException("DNS service registered twice");
    }
    dns = factory;
  }

  public Optional<DnsServiceFactory> dnsFactory() {
    return Optional.ofNullable(dns);
  }

  private void add(TypeRegistration<?, ?> registration) {
    var previous = types.get(registration.kind()).putIfAbsent(registration.type(), registration);
    if (previous != null) {
      throw new IllegalStateException(
          registration.kind().noun() + " type '" + registration.type() + "' registered twice");
    }
  }

  public Optional<TypeRegistration<?, ?>> find(Kind kind, String type) {
    return Optional.ofNullable(types.get(kind).get(type));
  }

  /** Registered type names of a kind, sorted. */
  public java.util.Set<String> typeNames(Kind kind) {
    return types.get(kind).keySet();
  }
}
