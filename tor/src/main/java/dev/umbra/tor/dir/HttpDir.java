package dev.umbra.tor.dir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal HTTP/1.0 GET for directory documents, over any byte stream (a DirPort socket or a
 * BEGIN_DIR stream). The answer is bounded in size; "deflate" bodies are inflated (bounded too).
 */
public final class HttpDir {
  public static final int MAX_BODY = 32 << 20;

  private HttpDir() {}

  /** Sends the request and returns the body of a 200 answer; anything else is an IOException. */
  public static String get(InputStream in, OutputStream out, String path) throws IOException {
    return get(in, out, path, java.util.Map.of());
  }

  /** As {@link #get(InputStream, OutputStream, String)} with extra request headers. */
  public static String get(
      InputStream in, OutputStream out, String path, java.util.Map<String, String> headers)
      throws IOException {
    StringBuilder req =
        new StringBuilder("GET ")
            .append(path)
            .append(" HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity, deflate\r\n");
    headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    out.write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    byte[] all = readBounded(in, MAX_BODY + 65536);
    int headerEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    if (headerEnd < 0) {
      throw new DirException("directory answer has no header end");
    }
    String header = new String(all, 0, headerEnd, StandardCharsets.ISO_8859_1);
    String status = header.lines().findFirst().orElse("");
    String[] sp = status.split(" ", 3);
    if (sp.length < 2 || !sp[0].startsWith("HTTP/1.")) {
      throw new DirException("bad directory status line: " + status);
    }
    if (!sp[1].equals("200")) {
      throw new DirException("directory answered " + status.strip() + " for " + path);
    }
    byte[] body = java.util.Arrays.copyOfRange(all, headerEnd + 4, all.length);
    String enc =
        header
            .lines()
            .filter(l -> l.regionMatches(true, 0, "Content-Encoding:", 0, 17))
            .map(l -> l.substring(17).trim().toLowerCase(java.util.Locale.ROOT))
            .findFirst()
            .orElse("identity");
    if (enc.equals("deflate")) {
      body = inflate(body);
    } else if (!enc.equals("identity")) {
      throw new DirException("unsupported Content-Encoding " + enc);
    }
    return new String(body, StandardCharsets.ISO_8859_1);
  }

  static byte[] inflate(byte[] z) throws DirException {
    Inflater inf = new Inflater();
    try {
      inf.setInput(z);
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      byte[] buf = new byte[16384];
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        o.write(buf, 0, n);
        if (o.size() > MAX_BODY) {
          throw new DirException("inflated directory document too large");
        }
      }
      return o.toByteArray();
    } catch (DataFormatException e) {
      throw new DirException("bad deflate data", e);
    } finally {
      inf.end();
    }
  }

  private static byte[] readBounded(InputStream in, int max) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    byte[] buf = new byte[16384];
    int n;
    while ((n = in.read(buf)) > 0) {
      o.write(buf, 0, n);
      if (o.size() > max) {
        throw new DirException("directory answer too large");
      }
    }
    return o.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
