package dev.umbra.tor.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hand-built ed diffs against a consensus of a C tor test network. */
class ConsensusDiffTest {
  static String base;
  static List<String> lines;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in =
        ConsensusDiffTest.class.getResourceAsStream("/dev/umbra/tor/dir/consensus-microdesc.txt")) {
      base = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    lines = List.of(base.substring(0, base.length() - 1).split("\n", -1));
    assertThat(lines.get(74)).startsWith("directory-signature "); // line 75
    assertThat(lines.get(24)).startsWith("r auth2 "); // line 25
  }

  static String text(List<String> ls) {
    return String.join("\n", ls) + "\n";
  }

  static String diff(String from, String to, String... commands) throws DirException {
    return "network-status-diff-version 1\nhash "
        + ConsensusDiff.signedDigest(from)
        + " "
        + ConsensusDiff.fullDigest(to)
        + "\n"
        + (commands.length == 0 ? "" : String.join("\n", commands) + "\n");
  }

  /** The target built independently: new signatures, a changed line, a router replaced. */
  static List<String> target() {
    List<String> t = new ArrayList<>(lines.subList(0, 74));
    t.add("directory-signature sha256 AAAA BBBB");
    t.add("-----BEGIN SIGNATURE-----");
    t.add("c2lnbmF0dXJl");
    t.add("-----END SIGNATURE-----");
    t.set(30, "r relay0 R7FdR3yX5w2m1jSK0kbKccWoKHg 2038-01-01 00:00:00 127.0.0.1 27010 9030");
    t.remove(26); // auth2's "pr" line
    t.add(2, "extra-header-line 1");
    return t;
  }

  @Test
  void appliesAnEdScriptFromBackToFront() throws Exception {
    List<String> t = target();
    String d =
        diff(
            base,
            text(t),
            "75,$d",
            "74a",
            "directory-signature sha256 AAAA BBBB",
            "-----BEGIN SIGNATURE-----",
            "c2lnbmF0dXJl",
            "-----END SIGNATURE-----",
            ".",
            "31c",
            "r relay0 R7FdR3yX5w2m1jSK0kbKccWoKHg 2038-01-01 00:00:00 127.0.0.1 27010 9030",
            ".",
            "27d",
            "2a",
            "extra-header-line 1",
            ".");
    assertThat(ConsensusDiff.isDiff(d)).isTrue();
    assertThat(ConsensusDiff.apply(base, d)).isEqualTo(text(t));
  }

  @Test
  void rangesAndAnEmptyDiff() throws Exception {
    List<String> t = new ArrayList<>(lines);
    t.subList(30, 36).clear(); // relay0's block, lines 31-36
    t.subList(1, 3).clear();
    t.set(0, "network-status-version 3 microdesc");
    String d =
        diff(base, text(t), "31,36d", "2,3c", ".", "1c", "network-status-version 3 microdesc", ".");
    assertThat(ConsensusDiff.apply(base, d)).isEqualTo(text(t));
    assertThat(ConsensusDiff.apply(base, diff(base, base))).isEqualTo(base);
    assertThat(ConsensusDiff.apply(base, diff(base, text(lines.subList(0, 10)), "11,$d")))
        .isEqualTo(text(lines.subList(0, 10)));
  }

  @Test
  void digestMismatchesAreRefused() throws Exception {
    String other = base.replace("r relay0", "r relayX");
    assertThatThrownBy(() -> ConsensusDiff.apply(other, diff(base, base)))
        .isInstanceOf(DirException.class)
        .hasMessageContaining("does not apply");
    String wrongResult = diff(base, base + "x\n", "75,$d");
    assertThatThrownBy(() -> ConsensusDiff.apply(base, wrongResult))
        .hasMessageContaining("wrong digest");
    // the signature part does not enter the base's digest: another encoding of it is fine
    String resigned =
        text(lines.subList(0, 75)) + "-----BEGIN SIGNATURE-----\nAAAA\n-----END SIGNATURE-----\n";
    assertThat(ConsensusDiff.signedDigest(resigned)).isEqualTo(ConsensusDiff.signedDigest(base));
  }

  @Test
  void malformedScriptsAreRefused() throws Exception {
    String to = text(lines);
    for (String[] bad :
        new String[][] {
          {"2d", "5d"}, // not back to front
          {"5d", "5d"},
          {"3a", "x", ".", "4d"},
          {"0d"},
          {"200d"},
          {"5,3d"},
          {"5,$c", "x", "."},
          {"5,6a", "x", "."},
          {"5c", "never terminated"},
          {"5x"},
          {"s/a/b/"},
          {"1,2,3d"},
          {""},
        }) {
      assertThatThrownBy(() -> ConsensusDiff.apply(base, diff(base, to, bad)))
          .as(String.join("|", bad))
          .isInstanceOf(DirException.class);
    }
    assertThatThrownBy(() -> ConsensusDiff.apply(base, "network-status-diff-version 2\nhash a b\n"))
        .isInstanceOf(DirException.class);
    assertThatThrownBy(() -> ConsensusDiff.apply(base, "network-status-diff-version 1\nhash x y\n"))
        .isInstanceOf(DirException.class);
    assertThat(ConsensusDiff.isDiff(base)).isFalse();
  }
}
