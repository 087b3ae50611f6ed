package dev.umbra.core.config;

import dev.umbra.core.registry.Kind;
import dev.umbra.core.registry.KnownTypes;
import dev.umbra.core.registry.Registry;
import dev.umbra.core.registry.TypeRegistration;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Turns a merged config document into a {@link Config}: binds the root strictly, resolves each
 * polymorphic element's {@code type} through the registry, assigns default tags, and checks tags
 * and {@code detour} references. Route rules are checked by the router when it is built.
 */
public final class ConfigLoader {
  private static final Set<String> POLYMORPHIC_KEYS = Set.of("type", "tag");

  private ConfigLoader() {}

  public static Config load(JsonNode document, Registry registry) {
    RootOptions root = Binder.bind(document, RootOptions.class, "");
    List<ComponentConfig> inbounds = resolve(root.inbounds(), Kind.INBOUND, registry);
    List<ComponentConfig> endpoints = resolve(root.endpoints(), Kind.ENDPOINT, registry);
    List<ComponentConfig> outbounds = resolve(root.outbounds(), Kind.OUTBOUND, registry);
    List<ComponentConfig> services = resolve(root.services(), Kind.SERVICE, registry);

    checkUniqueTags(inbounds);
    List<ComponentConfig> dialables = new ArrayList<>(outbounds);
    dialables.addAll(endpoints);
    checkUniqueTags(dialables);
    checkUniqueTags(services);

    Set<String> outboundTags = new HashSet<>();
    dialables.forEach(c -> outboundTags.add(c.tag()));
    Set<String> inboundTags = new HashSet<>();
    inbounds.forEach(c -> inboundTags.add(c.tag()));
    checkDetours(dialables, outboundTags, inboundTags);
    checkDetours(inbounds, outboundTags, inboundTags);
    checkDetours(services, outboundTags, inboundTags);
    checkDetourCycles(dialables);
    checkListenDetourCycles(inbounds);
    return new Config(root, inbounds, outbounds, endpoints, services);
  }

  private static List<ComponentConfig> resolve(List<JsonNode> items, Kind kind, Registry registry) {
    List<ComponentConfig> out = new ArrayList<>();
    if (items == null) {
      return out;
    }
    for (int i = 0; i < items.size(); i++) {
      String path = JsonPaths.index(kind.jsonKey(), i);
      JsonNode item = items.get(i);
      if (!item.isObject()) {
        throw new ConfigException(path, "expected an object, got " + Binder.describe(item));
      }
      JsonNode typeNode = item.get("type");
      String typePath = JsonPaths.field(path, "type");
      if (typeNode == null || typeNode.isNull()) {
        throw new ConfigException(typePath, "missing " + kind.noun() + " type");
      }
      if (!typeNode.isString()) {
        throw new ConfigException(typePath, "expected a string, got " + Binder.describe(typeNode));
      }
      String type = typeNode.stringValue();
      TypeRegistration<?, ?> reg = registry.find(kind, type).orElse(null);
      if (reg == null) {
        String removed = KnownTypes.removedReason(kind, type);
        if (removed != null) {
          throw new ConfigException(typePath, kind.noun() + " type '" + type + "': " + removed);
        }
        if (KnownTypes.isKnown(kind, type)) {
          throw new ConfigException(
              typePath, kind.noun() + " type '" + type + "' is not supported yet");
        }
        throw new ConfigException(
            typePath,
            "unknown "
                + kind.noun()
                + " type '"
                + type
                + "' (known: "
                + String.join(", ", registry.typeNames(kind))
                + ")");
      }
      JsonNode tagNode = item.get("tag");
      String tag;
      if (tagNode == null || tagNode.isNull()) {
        tag = Integer.toString(i);
      } else if (!tagNode.isString()) {
        throw new ConfigException(
            JsonPaths.field(path, "tag"), "expected a string, got " + Binder.describe(tagNode));
      } else {
        tag = tagNode.stringValue().isEmpty() ? Integer.toString(i) : tagNode.stringValue();
      }
      Record options = Binder.bind(item, reg.optionsType(), path, POLYMORPHIC_KEYS);
      out.add(new ComponentConfig(kind, type, tag, options, path, reg));
    }
    return out;
  }

  private static void checkUniqueTags(List<ComponentConfig> components) {
    Map<String, String> seen = new HashMap<>();
    for (ComponentConfig c : components) {
      String previous = seen.putIfAbsent(c.tag(), c.path());
      if (previous != null) {
        throw new ConfigException(
            JsonPaths.field(c.path(), "tag"),
            "duplicate tag '" + c.tag() + "' (already used by " + previous + ")");
      }
    }
  }

  /** Every flattened DialOptions / ListenOptions of a component, with its JSON path. */
  private static void checkDetours(
      List<ComponentConfig> components, Set<String> outboundTags, Set<String> inboundTags) {
    for (ComponentConfig c : components) {
      String dial = dialDetour(c.options());
      if (dial != null && !outboundTags.contains(dial)) {
        throw new ConfigException(
            JsonPaths.field(c.path(), "detour"), "unknown outbound '" + dial + "'");
      }
      String listen = listenDetour(c.options());
      if (listen != null && !inboundTags.contains(listen)) {
        throw new ConfigException(
            JsonPaths.field(c.path(), "detour"), "unknown inbound '" + listen + "'");
      }
    }
  }

  private static void checkDetourCycles(List<ComponentConfig> dialables) {
    Map<String, ComponentConfig> byTag = new LinkedHashMap<>();
    dialables.forEach(c -> byTag.put(c.tag(), c));
    for (ComponentConfig start : dialables) {
      Set<String> visited = new HashSet<>();
      ComponentConfig c = start;
      while (c != null) {
        if (!visited.add(c.tag())) {
          throw new ConfigException(
              JsonPaths.field(start.path(), "detour"),
              "detour chain loops back to '" + c.tag() + "'");
        }
        String next = dialDetour(c.options());
        c = next == null ? null : byTag.get(next);
      }
    }
  }

  private static void checkListenDetourCycles(List<ComponentConfig> inbounds) {
    Map<String, ComponentConfig> byTag = new LinkedHashMap<>();
    inbounds.forEach(c -> byTag.put(c.tag(), c));
    for (ComponentConfig start : inbounds) {
      Set<String> visited = new HashSet<>();
      ComponentConfig c = start;
      while (c != null) {
        if (!visited.add(c.tag())) {
          throw new ConfigException(
              JsonPaths.field(start.path(), "detour"),
              "detour chain loops back to inbound '" + c.tag() + "'");
        }
        String next = listenDetour(c.options());
        c = next == null ? null : byTag.get(next);
      }
    }
  }

  /** The {@code detour} of a component's flattened dial fields, or null. */
  public static String dialDetour(Record options) {
    DialOptions d = find(options, DialOptions.class);
    return d == null ? null : d.detour();
  }

  private static String listenDetour(Record options) {
    ListenOptions l = find(options, ListenOptions.class);
    return l == null ? null : l.detour();
  }

  /** Finds a flattened component of the given record type. */
  public static <T extends Record> T find(Record options, Class<T> type) {
    if (type.isInstance(options)) {
      return type.cast(options);
    }
    for (RecordComponent rc : options.getClass().getRecordComponents()) {
      if (rc.isAnnotationPresent(Flatten.class) && rc.getType() == type) {
        try {
          var accessor = rc.getAccessor();
          accessor.setAccessible(true);
          return type.cast(accessor.invoke(options));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return null;
  }
}
