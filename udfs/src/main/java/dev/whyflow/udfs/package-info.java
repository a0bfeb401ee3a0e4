/** Flink SQL functions over Whyflow's embeddings. */
package dev.whyflow.udfs;
