/**
 * The project's HTTP processes outside Flink. Each runs as its own process, started by {@code
 * ./whyflow up}, and talks to the Flink jobs only through Kafka topics.
 */
package dev.whyflow.services;
