-- The query engine's vocabulary of dimensions, defined once for every SQL template of
-- jobs/src/main/resources/whyflow/query/sql: a question filters or groups by a dimension named by a
-- bound parameter ('device', 'platform', 'page', ...), never by SQL text it brings. The functions
-- are plain SQL so the planner inlines them into each query.

-- The kind of a storefront page from its path: product, category, campaign, checkout_<step>, home, …
CREATE FUNCTION page_kind(page text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN page LIKE '/p/%' THEN 'product' WHEN page LIKE '/c/%' THEN 'category'
                WHEN page LIKE '/campaign/%' THEN 'campaign'
                WHEN page LIKE '/checkout/%' THEN 'checkout_' || split_part(page, '/', 3)
                WHEN page = '/' THEN 'home' WHEN page LIKE '/order/%' THEN 'order_confirmation'
                ELSE ltrim(split_part(page, '?', 1), '/') END
$$;

-- A dimension of an event; '' when the dimension is null (no grouping) or unknown.
CREATE FUNCTION event_dimension(e events, dimension text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE dimension WHEN 'device' THEN e.device WHEN 'os' THEN e.os WHEN 'app_version' THEN e.app_version
                WHEN 'channel' THEN e.channel WHEN 'country' THEN e.country WHEN 'category' THEN e.category
                WHEN 'payment_method' THEN e.payment_method WHEN 'customer_segment' THEN e.customer_segment
                WHEN 'product' THEN e.product_id WHEN 'platform' THEN replace(e.source, 'storefront-', '')
                WHEN 'page' THEN page_kind(e.page) ELSE '' END
$$;

-- A dimension of a per-minute rollup row (the rollups carry fewer dimensions than events).
CREATE FUNCTION rollup_dimension(m metrics_1m, dimension text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE dimension WHEN 'device' THEN m.device WHEN 'os' THEN m.os WHEN 'app_version' THEN m.app_version
                WHEN 'channel' THEN m.channel WHEN 'country' THEN m.country WHEN 'category' THEN m.category
                WHEN 'payment_method' THEN m.payment_method ELSE '' END
$$;

-- The platform of a session (web, ios, android: the storefront that sent its events), from its
-- first storefront event.
CREATE FUNCTION session_platform(id text, started timestamptz, ended timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT replace(e.source, 'storefront-', '') FROM events e
     WHERE e.session_id = id AND e.occurred_at >= started AND e.occurred_at <= ended AND e.source LIKE 'storefront-%'
     ORDER BY e.occurred_at LIMIT 1
$$;

-- A dimension of a session; the platform is looked up only when asked for.
CREATE FUNCTION session_dimension(s sessions, dimension text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE dimension WHEN 'device' THEN s.device WHEN 'os' THEN s.os WHEN 'app_version' THEN s.app_version
                WHEN 'channel' THEN s.channel WHEN 'country' THEN s.country WHEN 'customer_segment' THEN s.customer_segment
                WHEN 'platform' THEN session_platform(s.session_id, s.started_at, s.ended_at)
                ELSE '' END
$$;

-- Similarity questions name an order by id.
CREATE INDEX events_order_id ON events (order_id) WHERE order_id IS NOT NULL;
