/**
 * The model zoo ({@code nnzip zoo}): a HOCON manifest of many models compressed in one Spark
 * application, incrementally (by source, recipe and nnzip digests), each model isolated from the
 * others' failures, with an append-only history and a static dashboard.
 */
package nnzip.zoo;
