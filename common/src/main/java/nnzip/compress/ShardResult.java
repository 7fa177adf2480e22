package nnzip.compress;

import java.io.Serializable;
import nnzip.artifact.Chunk;
import nnzip.stats.ErrorStats;

/**
 * What encoding one shard produced: its packed codes' size and digest, and its error.
 *
 * @param shard the shard encoded
 * @param codes bytes and SHA-256 of the shard's packed codes (its part file)
 * @param error reconstruction error of the shard
 */
public record ShardResult(Shard shard, Chunk codes, ErrorStats error) implements Serializable {}
