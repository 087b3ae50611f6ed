package dev.umbra.core.relay;

/** Receives byte counts of relayed traffic: up = client to remote, down = remote to client. */
public interface TrafficCounter {
  void addUp(long bytes);

  void addDown(long bytes);
}
