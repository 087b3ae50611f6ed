package dev.umbra.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record component whose own fields sit in the enclosing JSON object, as sing-box shares its
 * listen and dial fields: {@code record SocksOutboundOptions(@Flatten DialOptions dial, String
 * server, ...)}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Flatten {}
