-- The query job reads through this role only: SELECT on the store, nothing else. Login users are
-- granted it (the local stack creates whyflow_query); roles are cluster-wide, hence IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'whyflow_reader') THEN
        CREATE ROLE whyflow_reader NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO whyflow_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO whyflow_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO whyflow_reader;
