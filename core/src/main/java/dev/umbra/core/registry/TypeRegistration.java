package dev.umbra.core.registry;

/** One registered type: its options record and the factory building it. */
public record TypeRegistration<O extends Record, T>(
    Kind kind, String type, Class<O> optionsType, Factory<O, T> factory) {}
