/** Whyflow: event contract, shop simulator and Flink jobs. */
package dev.whyflow;
