/**
 * Dirichlet pruning (Adamczewski and Park): per prunable layer a Dirichlet over its channels whose
 * concentrations train by reparameterized gradients with the model's weights frozen, a closed-form
 * KL to the prior, and the choice of channels to keep under a parameter budget, with the L1 and
 * random baselines. Pure Java over {@code nnzip.train}'s parameters; removing the channels from a
 * graph is {@code nnzip.prune}'s.
 */
package nnzip.prune.dirichlet;
