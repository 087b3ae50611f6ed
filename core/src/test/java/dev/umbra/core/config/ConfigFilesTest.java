package dev.umbra.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class ConfigFilesTest {
  @TempDir Path dir;

  private static final InputStream NO_STDIN = new ByteArrayInputStream(new byte[0]);

  private void write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private JsonNode merged(List<String> files, List<String> dirs) {
    return ConfigFiles.readAndMerge(files, dirs, dir, NO_STDIN);
  }

  @Test
  void arraysConcatenateInPathOrderAndObjectsMergeRecursively() throws IOException {
    write(
        "b.json",
        """
        {"outbounds": [{"type": "block", "tag": "b"}], "route": {"final": "b", "rules": [{"port": 1}]}}
        """);
    write(
        "a.json",
        """
        // comments and trailing commas are fine
        {"log": {"level": "info"}, "outbounds": [{"type": "direct", "tag": "a"},],
         "route": {"final": "a"}}
        """);
    // given in the order b, a: sing-box sorts by path, so a.json is the base
    JsonNode m = merged(List.of("b.json", "a.json"), List.of());
    assertThat(m.get("outbounds").findValuesAsString("tag")).containsExactly("a", "b");
    // scalars: the earlier file wins
    assertThat(m.get("route").get("final").stringValue()).isEqualTo("a");
    assertThat(m.get("route").get("rules")).hasSize(1);
    assertThat(m.propertyNames()).containsExactly("log", "outbounds", "route");
  }

  @Test
  void directoryReadsOnlyJsonFilesSortedByName() throws IOException {
    write("conf/20-out.json", "{\"outbounds\": [{\"type\": \"direct\", \"tag\": \"two\"}]}");
    write("conf/10-out.json", "{\"outbounds\": [{\"type\": \"direct\", \"tag\": \"one\"}]}");
    write("conf/notes.txt", "not json");
    Files.createDirectories(dir.resolve("conf/sub.json"));
    List<ConfigFiles.Entry> entries = ConfigFiles.read(List.of(), List.of("conf"), dir, NO_STDIN);
    assertThat(entries)
        .extracting(ConfigFiles.Entry::path)
        .containsExactly("conf/10-out.json", "conf/20-out.json");
    assertThat(merged(List.of(), List.of("conf")).get("outbounds").findValuesAsString("tag"))
        .containsExactly("one", "two");
  }

  @Test
  void scalarMergedIntoArrayIsAppended() throws IOException {
    write("a.json", "{\"route\": {\"rules\": [{\"port\": 1}]}}");
    write("b.json", "{\"route\": {\"rules\": {\"port\": 2}}}");
    JsonNode m = merged(List.of("a.json", "b.json"), List.of());
    assertThat(m.get("route").get("rules")).hasSize(2);
  }

  @Test
  void objectIntoScalarIsAnErrorNamingFileAndPath() throws IOException {
    write("a.json", "{\"route\": {\"final\": \"x\"}}");
    write("b.json", "{\"route\": {\"final\": {\"oops\": 1}}}");
    // the earlier value is a string, the later an object: badjson's "cannot merge" case is the
    // reverse (object destination, non-object source)
    write("c.json", "{\"route\": \"scalar\"}");
    assertThat(
            merged(List.of("a.json", "b.json"), List.of()).get("route").get("final").stringValue())
        .isEqualTo("x");
    assertThatThrownBy(() -> merged(List.of("a.json", "c.json"), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("route")
        .hasMessageContaining("c.json")
        .hasMessageContaining("cannot merge a string");
  }

  @Test
  void syntaxErrorNamesFileLineAndColumn() throws IOException {
    write("bad.json", "{\n  \"log\": {\n    \"level\": \"info\"\n  \n}\n");
    assertThatThrownBy(() -> merged(List.of("bad.json"), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageMatching("(?s).*bad\\.json:\\d+:\\d+: invalid JSON.*");
  }

  @Test
  void missingFileAndNonObjectAreErrorsNamingTheFile() throws IOException {
    assertThatThrownBy(() -> merged(List.of("nope.json"), List.of()))
        .hasMessageContaining("read config at nope.json: no such file");
    write("arr.json", "[1, 2]");
    assertThatThrownBy(() -> merged(List.of("arr.json"), List.of()))
        .hasMessageContaining("arr.json: expected a JSON object, got an array");
    assertThatThrownBy(() -> merged(List.of(), List.of("missing-dir")))
        .hasMessageContaining("missing-dir");
  }

  @Test
  void stdinIsReadForThePathStdin() {
    var in =
        new ByteArrayInputStream(
            "{\"log\": {\"level\": \"warn\"}}".getBytes(StandardCharsets.UTF_8));
    JsonNode m = ConfigFiles.readAndMerge(List.of("stdin"), List.of(), dir, in);
    assertThat(m.get("log").get("level").stringValue()).isEqualTo("warn");
  }

  @Test
  void toJsonIsGoStyleWithTwoSpaces() {
    JsonNode n =
        Jsonc.parse(
            "{\"a\": [1, {\"b\": \"<&>\"}], \"c\": {}, \"d\": [], \"e\": null, \"f\": true}", "t");
    assertThat(ConfigFiles.toJson(n))
        .isEqualTo(
            """
            {
              "a": [
                1,
                {
                  "b": "\\u003c\\u0026\\u003e"
                }
              ],
              "c": {},
              "d": [],
              "e": null,
              "f": true
            }
            """);
    assertThat(ConfigFiles.toJson(ConfigFiles.omitEmpty(n)))
        .isEqualTo(
            """
            {
              "a": [
                1,
                {
                  "b": "\\u003c\\u0026\\u003e"
                }
              ],
              "f": true
            }
            """);
  }
}
