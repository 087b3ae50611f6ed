package dev.umbra.core.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.umbra.core.config.LogOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the sing-box {@code log} block to Logback. */
public final class LogSetup {
  private LogSetup() {}

  public static void apply(LogOptions options) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return; // another SLF4J binding: leave it alone
    }
    LogOptions o = options == null ? new LogOptions(null, null, null, null) : options;
    ctx.reset();
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    if (Boolean.TRUE.equals(o.disabled())) {
      root.setLevel(Level.OFF);
      return;
    }
    root.setLevel(level(o.level()));
    // Library chatter stays at warn unless the user asks for trace.
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    boolean timestamp = o.timestamp() == null || o.timestamp();
    encoder.setPattern(
        (timestamp ? "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} " : "") + "%-5level %logger{0}: %msg%n");
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender;
    if (o.output() != null && !o.output().isEmpty()) {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setFile(o.output());
      file.setAppend(true);
      appender = file;
    } else {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      appender = console;
    }
    appender.setContext(ctx);
    appender.setEncoder(encoder);
    appender.setName("umbra");
    appender.start();
    root.addAppender(appender);
  }

  static Level level(LogOptions.LogLevel level) {
    if (level == null) {
      return Level.INFO;
    }
    return switch (level) {
      case TRACE -> Level.TRACE;
      case DEBUG -> Level.DEBUG;
      case INFO -> Level.INFO;
      case WARN -> Level.WARN;
      case ERROR, FATAL, PANIC -> Level.ERROR;
    };
  }
}
