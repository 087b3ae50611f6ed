package dev.umbra.transport.quic;

import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.log.BaseLogger;

/**
 * kwik's logger sent to SLF4J: kwik's errors (a connection aborted on an internal failure, a thread
 * that died) at WARN, its warnings at DEBUG; packet and secret logging stays off.
 */
final class KwikLog extends BaseLogger {
  private final Logger log;

  KwikLog(String name) {
    this.log = LoggerFactory.getLogger("tech.kwik." + name);
    logWarning(log.isDebugEnabled());
  }

  @Override
  public void error(String message) {
    log.warn("{}", message);
  }

  @Override
  public void error(String message, Throwable error) {
    log.warn("{}", message, error);
  }

  @Override
  protected void log(String message) {
    log.debug("{}", message);
  }

  @Override
  protected void log(String message, Throwable ex) {
    log.debug("{}", message, ex);
  }

  @Override
  protected void logWithHexDump(String message, byte[] data, int length) {
    log.debug("{}", message);
  }

  @Override
  protected void logWithHexDump(String message, ByteBuffer data, int offset, int length) {
    log.debug("{}", message);
  }
}
