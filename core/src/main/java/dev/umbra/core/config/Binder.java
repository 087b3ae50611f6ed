package dev.umbra.core.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Binds JSON to options records, strictly: every key must belong to a component, every value must
 * have the component's type, and each error names its JSON path.
 *
 * <p>Component types: String, int/Integer, long/Long, boolean/Boolean, double/Double, {@link
 * Duration} (Go syntax), enums implementing {@link JsonEnum}, {@code List<T>} (a scalar is read as
 * a one-element list, as sing-box's Listable does), {@code Map<String,T>}, nested records, and
 * {@link JsonNode} (kept raw for later, e.g. polymorphic objects). A missing key or JSON null gives
 * null (0/false for primitives). {@link Flatten} components read from the same object; {@link
 * Unsupported} and {@link Removed} components are errors when present.
 */
public final class Binder {
  private Binder() {}

  /** Binds an object node to {@code type}; no keys other than the record's are allowed. */
  public static <R extends Record> R bind(JsonNode node, Class<R> type, String path) {
    return bind(node, type, path, Set.of());
  }

  /**
   * Binds an object node to {@code type}, allowing the extra keys {@code consumedElsewhere} (such
   * as {@code type} and {@code tag} of a polymorphic object) to be present without belonging to it.
   */
  public static <R extends Record> R bind(
      JsonNode node, Class<R> type, String path, Set<String> consumedElsewhere) {
    if (!node.isObject()) {
      throw new ConfigException(path, "expected an object, got " + describe(node));
    }
    Set<String> consumed = new HashSet<>(consumedElsewhere);
    R value = bindObject(node, type, path, consumed);
    List<String> unknown = new ArrayList<>();
    for (String key : node.propertyNames()) {
      if (!consumed.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      String key = unknown.getFirst();
      throw new ConfigException(
          JsonPaths.field(path, key),
          "unknown field '"
              + key
              + "' (known fields here: "
              + String.join(", ", keysOf(type))
              + ")");
    }
    return value;
  }

  /** The JSON keys a record type reads, flattened components included, in declaration order. */
  public static List<String> keysOf(Class<? extends Record> type) {
    List<String> keys = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      if (c.isAnnotationPresent(Flatten.class)) {
        keys.addAll(keysOf(recordClass(c.getType(), c)));
      } else if (!c.isAnnotationPresent(Removed.class)) {
        keys.add(jsonName(c));
      }
    }
    return keys;
  }

  /** The JSON key of a component: {@link JsonName} if present, else the name in snake_case. */
  public static String jsonName(RecordComponent c) {
    JsonName n = c.getAnnotation(JsonName.class);
    return n != null ? n.value() : snakeCase(c.getName());
  }

  static String snakeCase(String camel) {
    StringBuilder b = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char ch = camel.charAt(i);
      if (Character.isUpperCase(ch)) {
        b.append('_').append(Character.toLowerCase(ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  private static <R extends Record> R bindObject(
      JsonNode node, Class<R> type, String path, Set<String> consumed) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      if (c.isAnnotationPresent(Flatten.class)) {
        args[i] = bindObject(node, recordClass(c.getType(), c), path, consumed);
        continue;
      }
      String key = jsonName(c);
      JsonNode child = node.get(key);
      consumed.add(key);
      String childPath = JsonPaths.field(path, key);
      Removed removed = c.getAnnotation(Removed.class);
      Unsupported unsupported = c.getAnnotation(Unsupported.class);
      if (child != null && removed != null) {
        throw new ConfigException(childPath, "legacy field removed: " + removed.value());
      }
      if (child != null && unsupported != null) {
        String more = unsupported.value().isEmpty() ? "" : " (" + unsupported.value() + ")";
        throw new ConfigException(childPath, "field '" + key + "' is not supported yet" + more);
      }
      if (child == null || child.isNull()) {
        args[i] = defaultFor(c.getType());
      } else {
        args[i] = bindValue(child, c.getGenericType(), childPath);
      }
    }
    R result;
    try {
      var ctor =
          type.getDeclaredConstructor(
              Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      ctor.setAccessible(true);
      result = ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException(path, cause.getMessage(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
    if (result instanceof Validated v) {
      v.validate(path);
    }
    return result;
  }

  /** Binds any supported value type (see the class comment). */
  public static Object bindValue(JsonNode node, Type type, String path) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      if (List.class.isAssignableFrom(raw) || Collection.class.equals(raw)) {
        Type element = p.getActualTypeArguments()[0];
        List<Object> out = new ArrayList<>();
        if (node.isArray()) {
          for (int i = 0; i < node.size(); i++) {
            out.add(
                requireNonNull(bindValue(node.get(i), element, JsonPaths.index(path, i)), path));
          }
        } else {
          out.add(bindValue(node, element, path));
        }
        return List.copyOf(out);
      }
      if (Map.class.isAssignableFrom(raw)) {
        if (!node.isObject()) {
          throw new ConfigException(path, "expected an object, got " + describe(node));
        }
        Type valueType = p.getActualTypeArguments()[1];
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : node.properties()) {
          out.put(
              e.getKey(), bindValue(e.getValue(), valueType, JsonPaths.field(path, e.getKey())));
        }
        return java.util.Collections.unmodifiableMap(out);
      }
      throw new IllegalStateException("unsupported options type " + type);
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      if (!node.isString()) {
        throw new ConfigException(path, "expected a string, got " + describe(node));
      }
      return node.stringValue();
    }
    if (c == Integer.class || c == int.class) {
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw new ConfigException(path, "expected an integer, got " + describe(node));
      }
      return node.intValue();
    }
    if (c == Long.class || c == long.class) {
      if (!node.isIntegralNumber() || !node.canConvertToLong()) {
        throw new ConfigException(path, "expected an integer, got " + describe(node));
      }
      return node.longValue();
    }
    if (c == Boolean.class || c == boolean.class) {
      if (!node.isBoolean()) {
        throw new ConfigException(path, "expected true or false, got " + describe(node));
      }
      return node.booleanValue();
    }
    if (c == Double.class || c == double.class) {
      if (!node.isNumber()) {
        throw new ConfigException(path, "expected a number, got " + describe(node));
      }
      return node.doubleValue();
    }
    if (c == Duration.class) {
      if (!node.isString()) {
        throw new ConfigException(
            path, "expected a duration string such as \"30s\", got " + describe(node));
      }
      try {
        return GoDuration.parse(node.stringValue());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(path, e.getMessage(), e);
      }
    }
    if (c == JsonNode.class) {
      return node;
    }
    if (c.isEnum() && JsonEnum.class.isAssignableFrom(c)) {
      return bindEnum(node, c, path);
    }
    if (c.isRecord()) {
      @SuppressWarnings("unchecked")
      Class<? extends Record> rc = (Class<? extends Record>) c;
      return bind(node, rc, path);
    }
    throw new IllegalStateException("unsupported options type " + c.getName());
  }

  private static Object bindEnum(JsonNode node, Class<?> c, String path) {
    Object[] constants = c.getEnumConstants();
    String names =
        Arrays.stream(constants)
            .map(k -> "'" + ((JsonEnum) k).jsonName() + "'")
            .collect(Collectors.joining(", "));
    if (!node.isString()) {
      throw new ConfigException(path, "expected one of " + names + ", got " + describe(node));
    }
    String s = node.stringValue();
    for (Object k : constants) {
      if (((JsonEnum) k).jsonName().equals(s)) {
        return k;
      }
    }
    throw new ConfigException(path, "unknown value '" + s + "' (expected one of " + names + ")");
  }

  private static Object requireNonNull(Object o, String path) {
    if (o == null) {
      throw new ConfigException(path, "null is not allowed in a list");
    }
    return o;
  }

  private static Object defaultFor(Class<?> c) {
    if (c == int.class) {
      return 0;
    }
    if (c == long.class) {
      return 0L;
    }
    if (c == boolean.class) {
      return false;
    }
    if (c == double.class) {
      return 0.0;
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends Record> recordClass(Class<?> c, RecordComponent owner) {
    if (!c.isRecord()) {
      throw new IllegalStateException("@Flatten on non-record component " + owner);
    }
    return (Class<? extends Record>) c;
  }

  /** How a JSON value is named in errors: "a string (\"x\")", "a number (5)", "an array"... */
  public static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string (\"" + abbreviate(node.stringValue()) + "\")";
      case NUMBER -> "a number (" + node + ")";
      case BOOLEAN -> "a boolean (" + node + ")";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }
}
