package dev.umbra.proxy.vmess;

/** The request option bits. */
final class Options {
  static final int CHUNK_STREAM = 1;
  static final int CHUNK_MASKING = 4;
  static final int GLOBAL_PADDING = 8;
  static final int AUTHENTICATED_LENGTH = 16;

  private Options() {}
}
