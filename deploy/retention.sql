-- Data retention for the Whyflow store. Run it once a day (cron, a Kubernetes CronJob), e.g.
--   psql "postgresql://whyflow@db.example.com:5432/whyflow" -v ON_ERROR_STOP=1 -f deploy/retention.sql
-- Debian's TimescaleDB is the Apache-licensed build: add_retention_policy and background jobs are not
-- available, so retention is this script, run from outside. Change the intervals to your needs
-- (deploy/README.md, "Data retention"); every statement is safe to run again at any time.

-- The hypertables: drop_chunks drops whole chunks whose every row is older than the cutoff, which
-- frees the space at once (no VACUUM) and costs nothing per row. events has 1-day chunks and
-- metrics_1m 7-day chunks, so up to a day (a week) more than the interval is kept.
SELECT drop_chunks('events', older_than => now() - INTERVAL '90 days');
SELECT drop_chunks('metrics_1m', older_than => now() - INTERVAL '400 days');   -- 13 months: year-over-year comparisons

-- Plain tables: row by row, through their time indexes.
DELETE FROM sessions WHERE started_at < now() - INTERVAL '90 days';
DELETE FROM alerts WHERE detected_at < now() - INTERVAL '365 days';
-- As long as the dead-letter topic keeps them (whyflow.events.dlq: 30 days in deploy/local/topics.tsv).
DELETE FROM failed_events WHERE failed_at < now() - INTERVAL '30 days';
