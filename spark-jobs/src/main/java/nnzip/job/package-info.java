/** Thin Spark jobs: partition, broadcast, aggregate and commit around the Spark-free core. */
package nnzip.job;
