package nnzip.artifact;

import java.io.Serializable;

/**
 * A run of stored bytes and its SHA-256, so a reader can check an artifact piece by piece.
 *
 * @param bytes length in bytes
 * @param sha256 lower-case hex digest of those bytes, or null in a format 3 artifact where the
 *     digest of the blob holding the chunk covers it (and where a coded tensor's original bytes are
 *     not digested: the source digest in its provenance covers them)
 */
public record Chunk(long bytes, String sha256) implements Serializable {}
