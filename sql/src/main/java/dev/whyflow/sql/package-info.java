/** Applies the store's Flyway migrations. */
package dev.whyflow.sql;
