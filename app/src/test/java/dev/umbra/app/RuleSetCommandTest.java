package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.route.srs.Srs;
import dev.umbra.core.route.srs.SrsJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code umbra rule-set compile | decompile | match} through the real command line. */
class RuleSetCommandTest {
  @TempDir Path dir;

  private static final String SOURCE =
      """
      {
        // comments are fine, as everywhere in Umbra
        "version": 3,
        "rules": [
          {"domain_suffix": ["example.com", ".ads.test"], "domain": "exact.org"},
          {"ip_cidr": ["10.0.0.0/8", "2001:db8::/32"]},
          {"type": "logical", "mode": "and", "rules": [{"domain_keyword": "shop"}, {"domain_regex": "\\\\.net$"}]}
        ]
      }
      """;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void compileWritesTheBinaryNextToTheSource() throws IOException {
    Path src = write("geo.json", SOURCE);
    var r = CliRunner.run("rule-set", "compile", src.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    byte[] srs = Files.readAllBytes(dir.resolve("geo.srs"));
    // version 3 without network items is written as version 2, as sing-box does
    assertThat(srs).startsWith('S', 'R', 'S', 2);
    assertThat(Srs.encodeBody(Srs.read(srs)))
        .isEqualTo(Srs.encodeBody(SrsJson.downgraded(SrsJson.parse(SOURCE, "t"))));

    var o =
        CliRunner.run("rule-set", "compile", src.toString(), "-o", dir.resolve("x.bin").toString());
    assertThat(o.code()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("x.bin"))).isEqualTo(srs);
  }

  @Test
  void decompileWritesSourceJson() throws IOException {
    Path src = write("geo.json", SOURCE);
    assertThat(CliRunner.run("rule-set", "compile", src.toString()).code()).isZero();
    Files.delete(src);
    var r = CliRunner.run("rule-set", "decompile", dir.resolve("geo.srs").toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(Files.readString(dir.resolve("geo.json")))
        .isEqualTo(
            """
            {
              "version": 2,
              "rules": [
                {
                  "domain": "exact.org",
                  "domain_suffix": [
                    ".ads.test",
                    "example.com"
                  ]
                },
                {
                  "ip_cidr": [
                    "10.0.0.0/8",
                    "2001:db8::/32"
                  ]
                },
                {
                  "type": "logical",
                  "mode": "and",
                  "rules": [
                    {
                      "domain_keyword": "shop"
                    },
                    {
                      "domain_regex": "\\\\.net$"
                    }
                  ]
                }
              ]
            }
            """);
    // and it compiles back to the same bytes
    var again =
        CliRunner.run(
            "rule-set",
            "compile",
            dir.resolve("geo.json").toString(),
            "-o",
            dir.resolve("again.srs").toString());
    assertThat(again.code()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("again.srs")))
        .isEqualTo(Files.readAllBytes(dir.resolve("geo.srs")));
  }

  @Test
  void matchListsTheMatchingRules() throws IOException {
    Path src = write("geo.json", SOURCE);
    assertThat(CliRunner.run("rule-set", "compile", src.toString()).code()).isZero();
    String srs = dir.resolve("geo.srs").toString();
    for (String file : new String[] {src.toString(), srs}) {
      var www = CliRunner.run("rule-set", "match", file, "www.example.com");
      assertThat(www.code()).as(www.stderr()).isZero();
      assertThat(www.out()).startsWith("match rules.[0]: {").contains("example.com");
      assertThat(www.out().lines()).hasSize(1);

      assertThat(CliRunner.run("rule-set", "match", file, "10.9.8.7").out())
          .startsWith("match rules.[1]: ");
      assertThat(CliRunner.run("rule-set", "match", file, "2001:db8::1").out())
          .startsWith("match rules.[1]: ");
      assertThat(CliRunner.run("rule-set", "match", file, "myshop.net").out())
          .startsWith("match rules.[2]: ");
      assertThat(CliRunner.run("rule-set", "match", file, "ads.test").out()).isEmpty();
      assertThat(CliRunner.run("rule-set", "match", file, "11.0.0.1").out()).isEmpty();
    }
    Files.copy(dir.resolve("geo.srs"), dir.resolve("noext"));
    var forced =
        CliRunner.run(
            "rule-set", "match", "-f", "binary", dir.resolve("noext").toString(), "x.ads.test");
    assertThat(forced.out()).startsWith("match rules.[0]: ");
  }

  @Test
  void errorsAreOneLineWithTheFileAndPath() throws IOException {
    Path bad = write("bad.json", "{\"version\": 2, \"rules\": [{\"ip_cidr\": \"300.1.1.1\"}]}");
    var r = CliRunner.run("rule-set", "compile", bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.stderr())
        .contains("rules[0].ip_cidr[0]")
        .contains("bad.json")
        .doesNotContain("\tat ");
    assertThat(Files.exists(dir.resolve("bad.srs"))).isFalse();

    Path junk = dir.resolve("junk.srs");
    Files.write(junk, new byte[] {'S', 'R', 'S', 2, 1, 2, 3});
    var d = CliRunner.run("rule-set", "decompile", junk.toString());
    assertThat(d.code()).isEqualTo(1);
    assertThat(d.stderr()).contains("junk.srs").doesNotContain("\tat ");
    var m = CliRunner.run("rule-set", "match", junk.toString(), "a.com");
    assertThat(m.code()).isEqualTo(1);
    assertThat(m.stderr()).contains("junk.srs");
  }
}
