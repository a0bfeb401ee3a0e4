-- Question: which sessions are most like "gave up at checkout because the payment page was too slow"?
--
-- Semantic search over the sessions' narratives (the plain-language summary CaptureJob writes for
-- each closed session) with the EMBED and COSINE_SIMILARITY functions of udfs/: the five sessions
-- whose narrative means the closest thing to the question's text, whatever words they use.
-- Change the text to search for something else.
-- EMBED runs the embedding model on every narrative scanned (a few ms each): narrow the scan with a
-- WHERE on started_at for a large store. (The query job uses the stored narrative_embedding
-- column and its HNSW index instead; the JDBC connector cannot read vector columns.)
SELECT session_id, outcome, device, similarity, narrative
FROM (
  SELECT
    session_id,
    outcome,
    device,
    narrative,
    CAST(COSINE_SIMILARITY(EMBED(narrative),
         EMBED('gave up at checkout because the payment page was too slow')) AS DECIMAL(4, 3)) AS similarity
  FROM store.sessions
)
ORDER BY similarity DESC, session_id
LIMIT 5;
