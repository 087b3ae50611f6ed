package dev.umbra.crypto;

/**
 * Whether the SIMD (Vector API) implementations may be used: only when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}. Embedders who do not add the incubator module get the
 * scalar code, and the vector classes are then never loaded (they are only named behind this flag,
 * in static calls whose arguments are arrays and primitives, so the verifier needs not load them
 * either). {@code -Dumbra.crypto.simd=false} turns the vector code off.
 */
final class Simd {
  static final boolean AVAILABLE =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
          && !"false".equals(System.getProperty("umbra.crypto.simd"));

  private Simd() {}
}
