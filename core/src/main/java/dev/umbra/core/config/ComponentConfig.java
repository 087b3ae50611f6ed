package dev.umbra.core.config;

import dev.umbra.core.registry.Kind;
import dev.umbra.core.registry.TypeRegistration;

/**
 * One validated element of {@code inbounds}, {@code outbounds}, {@code endpoints} or {@code
 * services}.
 *
 * @param tag the configured tag, or its index as text when it had none (as sing-box does)
 * @param path its JSON path, e.g. {@code outbounds[2]}
 */
public record ComponentConfig(
    Kind kind,
    String type,
    String tag,
    Record options,
    String path,
    TypeRegistration<?, ?> registration) {}
