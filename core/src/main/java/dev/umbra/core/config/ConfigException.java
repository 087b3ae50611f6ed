package dev.umbra.core.config;

/**
 * A configuration error, naming the JSON path where it was found ({@code outbounds[2].server_port})
 * and what was expected there.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String path;
  private final String problem;

  public ConfigException(String path, String problem) {
    super(path == null || path.isEmpty() ? problem : path + ": " + problem);
    this.path = path == null ? "" : path;
    this.problem = problem;
  }

  public ConfigException(String path, String problem, Throwable cause) {
    this(path, problem);
    initCause(cause);
  }

  /** The JSON path, empty for the document itself. */
  public String path() {
    return path;
  }

  /** The message without the path. */
  public String problem() {
    return problem;
  }
}
