package dev.umbra.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A legacy field that sing-box removed: present in a config, it is an error carrying this
 * explanation (when it was removed and what replaces it). The component is always null.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Removed {
  String value();
}
