package dev.umbra.core.relay;

/**
 * An output stream that cuts what it is given into frames of at most {@link #framePayload()} bytes
 * each (a Shadowsocks AEAD chunk, for instance). The relay then reads in whole multiples of it, so
 * a bulk write never ends in a runt frame that costs a whole frame's overhead (two AEAD operations
 * for a few bytes) and a second, tiny, carrier segment.
 */
public interface FramedOutput {
  /** Most payload bytes one frame carries, or 0 when this stream passes bytes on unframed. */
  int framePayload();
}
