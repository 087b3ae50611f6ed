package dev.umbra.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The SOCKS and HTTP proxy peers from Debian, each on a free 127.0.0.1 port. */
public final class Peers {
  private static final Duration START = Duration.ofSeconds(15);

  private Peers() {}

  /** A started peer and its port. */
  public record Peer(PeerProcess process, int port) implements AutoCloseable {
    @Override
    public void close() {
      process.close();
    }
  }

  /** microsocks (SOCKS5), optionally with a username and password. */
  public static Peer microsocks(String user, String password) throws IOException {
    int port = FreePort.tcp();
    PeerProcess p =
        user == null
            ? PeerProcess.start(
                "microsocks",
                port,
                START,
                "microsocks",
                "-i",
                "127.0.0.1",
                "-p",
                Integer.toString(port))
            : PeerProcess.start(
                "microsocks",
                port,
                START,
                "microsocks",
                "-i",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-u",
                user,
                "-P",
                password);
    return new Peer(p, port);
  }

  /** dante (SOCKS4 and SOCKS5 with UDP ASSOCIATE), no authentication, loopback only. */
  public static Peer dante(Path dir) throws IOException {
    int port = FreePort.tcp();
    Path conf = dir.resolve("danted.conf");
    Files.writeString(
        conf,
        """
        logoutput: %s
        internal: 127.0.0.1 port = %d
        external: 127.0.0.1
        clientmethod: none
        socksmethod: none
        user.privileged: root
        user.unprivileged: nobody
        client pass {
          from: 127.0.0.0/8 to: 127.0.0.0/8
        }
        socks pass {
          from: 127.0.0.0/8 to: 127.0.0.0/8
          command: connect bind bindreply udpassociate udpreply
          log: error
        }
        socks block {
          from: 0.0.0.0/0 to: 0.0.0.0/0
          log: connect error
        }
        """
            .formatted(dir.resolve("danted.log"), port));
    PeerProcess p =
        PeerProcess.start(
            "danted",
            port,
            START,
            PeerProcess.which("danted"),
            "-f",
            conf.toString(),
            "-p",
            dir.resolve("danted.pid").toString(),
            "-N",
            "1");
    return new Peer(p, port);
  }

  /** tinyproxy (HTTP proxy with CONNECT to any port), loopback only, in the foreground. */
  public static Peer tinyproxy(Path dir) throws IOException {
    int port = FreePort.tcp();
    Path conf = dir.resolve("tinyproxy.conf");
    dir.toFile().setWritable(true, false);
    Files.writeString(
        conf,
        """
        Port %d
        Listen 127.0.0.1
        Timeout 60
        MaxClients 200
        LogLevel Warning
        Allow 127.0.0.1
        DisableViaHeader Yes
        """
            .formatted(port));
    PeerProcess p =
        PeerProcess.start("tinyproxy", port, START, "tinyproxy", "-d", "-c", conf.toString());
    return new Peer(p, port);
  }
}
