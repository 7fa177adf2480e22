/**
 * One real Spark standalone cluster (a Master and a Worker in child JVMs on 127.0.0.1) shared by
 * every cluster test of a run, plus {@code spark-submit} run the way an operator would run it.
 */
package nnzip.cluster;
