-- Registers Whyflow's embedding functions for this session.
-- In the SQL client, first make the jar visible:  ADD JAR '/path/to/whyflow-udfs.jar';
-- (or append  USING JAR '/path/to/whyflow-udfs.jar'  to each CREATE FUNCTION).
CREATE TEMPORARY FUNCTION IF NOT EXISTS EMBED AS 'dev.whyflow.udfs.EmbedFunction' LANGUAGE JAVA;
CREATE TEMPORARY FUNCTION IF NOT EXISTS COSINE_SIMILARITY AS 'dev.whyflow.udfs.CosineSimilarityFunction' LANGUAGE JAVA;
CREATE TEMPORARY FUNCTION IF NOT EXISTS EMBEDDING_TEXT_SIMILARITY AS 'dev.whyflow.udfs.EmbeddingTextSimilarityFunction' LANGUAGE JAVA;
