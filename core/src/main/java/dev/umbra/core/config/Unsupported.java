package dev.umbra.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A sing-box field that Umbra does not implement yet: present in a config, it is an error saying
 * so, never silently ignored. The component is always null. The value, if any, explains more.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Unsupported {
  String value() default "";
}
