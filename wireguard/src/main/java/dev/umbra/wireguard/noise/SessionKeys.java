package dev.umbra.wireguard.noise;

/**
 * What a completed handshake yields: the two transport keys and both sides' indices. {@code
 * initiator} tells which side this is (only the initiator rekeys on age).
 */
public record SessionKeys(
    byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, boolean initiator) {}
