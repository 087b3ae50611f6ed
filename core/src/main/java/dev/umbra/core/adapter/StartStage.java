package dev.umbra.core.adapter;

/**
 * The stages every component passes through at start, in order, each for all components before the
 * next. Close runs once, in reverse order of creation.
 */
public enum StartStage {
  /** Resolve references to other components (outbound tags, rule-sets). No I/O. */
  INITIALIZE,
  /** Open listeners and sockets. */
  START,
  /** Work that needs every component started (group health checks, rule-set downloads). */
  POST_START,
  /** Everything is running. */
  STARTED
}
