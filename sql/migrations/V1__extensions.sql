-- Whyflow store: PostgreSQL 17 with TimescaleDB (hypertables, time_bucket, drop_chunks) and
-- pgvector (vector(384), HNSW). Only the Apache-licensed TimescaleDB features are used:
-- continuous aggregates, compression and policies are absent from Debian's build, so rollups
-- are computed by Flink and upserted (metrics_1m).
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE EXTENSION IF NOT EXISTS vector;
