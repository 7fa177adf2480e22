package nnzip.codec.aq;

/**
 * Diagnostics of one training round.
 *
 * @param round 0 for the initial codebooks, then 1, 2, … for each encode → least-squares round
 * @param relativeMse Σ‖x − x̂‖² / Σ‖x − mean‖² of the round's encoding (codes found with the
 *     round's codebooks), ≥ 0
 * @param seconds wall time of the round, ≥ 0
 */
public record IterationStats(int round, double relativeMse, double seconds) {}
