package dev.umbra.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Invariants of sing-box's merge on random config-shaped trees. */
class ConfigFilesMergePropertiesTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Provide
  Arbitrary<JsonNode> objects() {
    return tree(3).map(n -> n.isObject() ? n : F.objectNode().set("v", n));
  }

  private static Arbitrary<JsonNode> tree(int depth) {
    Arbitrary<JsonNode> scalar =
        Arbitraries.oneOf(
            Arbitraries.strings().alpha().ofMaxLength(4).map(F::stringNode),
            Arbitraries.integers().between(-5, 5).map(F::numberNode),
            Arbitraries.of(true, false).map(F::booleanNode));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<JsonNode> array =
        tree(depth - 1).list().ofMaxSize(3).map(l -> F.arrayNode().addAll(l));
    Arbitrary<JsonNode> object =
        Arbitraries.maps(Arbitraries.of("a", "b", "c", "d"), tree(depth - 1))
            .ofMaxSize(3)
            .map(m -> {
              ObjectNode o = F.objectNode();
              m.forEach(o::set);
              return o;
            });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalar),
        net.jqwik.api.Tuple.of(1, array),
        net.jqwik.api.Tuple.of(2, object));
  }

  private static JsonNode mergeOrNull(JsonNode later, JsonNode earlier) {
    try {
      return ConfigFiles.merge(later.deepCopy(), earlier.deepCopy(), "");
    } catch (ConfigException e) {
      return null; // an object merged into a non-object
    }
  }

  @Property
  void earlierKeysComeFirstAndAllKeysArePresent(
      @ForAll("objects") JsonNode earlier, @ForAll("objects") JsonNode later) {
    JsonNode m = mergeOrNull(later, earlier);
    if (m == null) {
      return;
    }
    List<String> keys = new ArrayList<>(earlier.propertyNames());
    for (String k : later.propertyNames()) {
      if (!keys.contains(k)) {
        keys.add(k);
      }
    }
    assertThat(new ArrayList<>(m.propertyNames())).isEqualTo(keys);
  }

  @Property
  void arraysConcatenateAndScalarsKeepTheEarlierValue(
      @ForAll("objects") JsonNode earlier, @ForAll("objects") JsonNode later) {
    JsonNode m = mergeOrNull(later, earlier);
    if (m == null) {
      return;
    }
    for (String k : earlier.propertyNames()) {
      JsonNode e = earlier.get(k);
      JsonNode l = later.get(k);
      if (l == null) {
        assertThat(m.get(k)).isEqualTo(e);
      } else if (e.isArray()) {
        assertThat(m.get(k).size()).isEqualTo(e.size() + (l.isArray() ? l.size() : 1));
      } else if (!e.isObject()) {
        assertThat(m.get(k)).isEqualTo(e);
      }
    }
  }

  @Property
  void mergingWithAnEmptyObjectChangesNothing(@ForAll("objects") JsonNode doc) {
    assertThat(ConfigFiles.merge(F.objectNode(), doc.deepCopy(), "")).isEqualTo(doc);
    assertThat(ConfigFiles.merge(doc.deepCopy(), F.objectNode(), "")).isEqualTo(doc);
  }
}
