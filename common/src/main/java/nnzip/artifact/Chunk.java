package nnzip.artifact;

import java.io.Serializable;

/**
 * A run of stored bytes and its SHA-256, so a reader can check an artifact piece by piece.
 *
 * @param bytes length in bytes
 * @param sha256 lower-case hex digest of those bytes
 */
public record Chunk(long bytes, String sha256) implements Serializable {}
