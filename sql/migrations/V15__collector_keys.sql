-- The HTTP collector's API keys, one or more per source (a source may hold a new key and an old one
-- while its clients move over). Only a salted PBKDF2 hash of each key's secret is kept: the key
-- itself is printed once by `./whyflow source add NAME` and never stored. key_id is the public part
-- of the key (it is written in the key, before the secret), so a request's key is found by it and
-- then verified against the hash. A revoked key keeps its row (revoked_at set), for the record.
CREATE TABLE collector_keys (
    key_id      text        PRIMARY KEY,
    source      text        NOT NULL,
    salt        bytea       NOT NULL,
    iterations  integer     NOT NULL,
    hash        bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX collector_keys_source ON collector_keys (source);

-- The query side reads the store through whyflow_reader (V5, default privileges): it has no
-- business with credentials, even hashed.
REVOKE ALL ON collector_keys FROM whyflow_reader;
