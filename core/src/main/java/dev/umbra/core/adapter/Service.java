package dev.umbra.core.adapter;

/** A long-running component that is neither inbound nor outbound (DERP server, SSM API...). */
public interface Service extends Lifecycle {
  String type();

  String tag();
}
