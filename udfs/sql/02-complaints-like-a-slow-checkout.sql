-- Which customer complaints are about the same thing as "the checkout is slow", best match first?
-- Needs 01-register-functions.sql. The complaints are inline here; in a job they come from a table.
-- ORDER BY … LIMIT runs in batch and in streaming mode (a Top-N there).
SELECT
  complaint,
  ROUND(COSINE_SIMILARITY(EMBED(complaint), EMBED('the checkout is slow')), 3) AS similarity
FROM (VALUES
  ('payment page takes forever to load on my phone'),
  ('the checkout hangs for ten seconds before confirming'),
  ('I love the new summer collection'),
  ('my parcel arrived damaged'),
  ('where can I change my delivery address?')
) AS complaints(complaint)
ORDER BY similarity DESC
LIMIT 5;
