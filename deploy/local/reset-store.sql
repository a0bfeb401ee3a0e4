-- ./whyflow reset: empties every data table of the store, in the database psql is connected to.
-- The tables are those the migrations (sql/migrations) created in schema public, found in the catalog
-- so that a table added by a later migration is emptied too: events, metrics_1m, sessions,
-- semantic_vectors, order_vectors, alerts, failed_events, ... The schema stays as it is: Flyway's
-- history (flyway_schema_history), the functions, the roles and the extensions are kept. It refuses
-- to run in the evaluation database whyflow_eval (loaded once by ./whyflow eval, reused for weeks).
\set ON_ERROR_STOP on
SELECT current_database() = 'whyflow_eval' AS is_eval,
       count(*) > 0 AS has_tables,
       coalesce(string_agg(format('%I', tablename), ', ' ORDER BY tablename), '') AS data_tables
  FROM pg_tables
 WHERE schemaname = 'public' AND tablename <> 'flyway_schema_history' \gset
\if :is_eval
  DO $$ BEGIN RAISE EXCEPTION 'reset-store.sql does not empty the evaluation database whyflow_eval'; END $$;
\endif
\if :has_tables
  -- one statement: one lock on all of them, and hypertables drop their chunks
  TRUNCATE :data_tables;
  \echo 'emptied in database' :DBNAME 'the tables' :data_tables
\else
  \echo 'database' :DBNAME 'has no tables to empty (./whyflow migrate creates them)'
\endif
