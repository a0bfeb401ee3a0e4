-- The simulated shop's ERP: a plain normalized schema of the kind a shop already runs, which
-- stores states (an order row, a stock quantity) updated in place, not events. It lives in a
-- database of its own ("erp" on the local stack), never in the store; Whyflow reads it only
-- through Debezium (change data capture) and, for ./whyflow reconcile, with read-only queries.
CREATE SCHEMA IF NOT EXISTS erp;

CREATE TABLE erp.customers (
    customer_id   text PRIMARY KEY,
    country       char(2),
    created_at    timestamptz NOT NULL
);

CREATE TABLE erp.products (
    product_id    text PRIMARY KEY,
    sku           text NOT NULL UNIQUE,
    name          text NOT NULL,
    category      text NOT NULL
);

-- one current list price per product, updated in place; row_version counts its changes
CREATE TABLE erp.prices (
    product_id    text PRIMARY KEY REFERENCES erp.products,
    price_minor   bigint NOT NULL,
    currency      char(3) NOT NULL,
    row_version   integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL
);

-- quantity on hand per product and warehouse, updated in place; the last movement's reason and
-- order are kept on the row (as ERPs do), row_version counts its changes
CREATE TABLE erp.stock_levels (
    product_id    text NOT NULL REFERENCES erp.products,
    warehouse     text NOT NULL,
    quantity      integer NOT NULL CHECK (quantity >= 0),
    last_reason   text,
    last_order_id text,
    row_version   integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (product_id, warehouse)
);

-- the stock ledger: one row per movement (what a warehouse query needs for a past day's stock)
CREATE TABLE erp.stock_movements (
    movement_id   bigserial PRIMARY KEY,
    product_id    text NOT NULL,
    warehouse     text NOT NULL,
    delta         integer NOT NULL,
    reason        text NOT NULL,
    order_id      text,
    moved_at      timestamptz NOT NULL
);
CREATE INDEX stock_movements_time ON erp.stock_movements (moved_at);

-- orders with a status column: new -> paid -> shipped (-> refunded), or cancelled.
-- web_order_no: the storefront's order id when the order came from the web shop (the storefront
-- reports those itself); null for orders entered in the ERP (phone, B2B).
CREATE TABLE erp.orders (
    order_id       text PRIMARY KEY,
    web_order_no   text UNIQUE,
    customer_id    text REFERENCES erp.customers,
    channel        text NOT NULL,
    status         text NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'refunded', 'cancelled')),
    currency       char(3) NOT NULL,
    total_minor    bigint NOT NULL,
    payment_method text,
    created_at     timestamptz NOT NULL,
    paid_at        timestamptz,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX orders_paid_at ON erp.orders (paid_at);

CREATE TABLE erp.order_lines (
    order_id         text NOT NULL REFERENCES erp.orders ON DELETE CASCADE,
    line_no          integer NOT NULL,
    product_id       text NOT NULL REFERENCES erp.products,
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_minor bigint NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE erp.shipments (
    shipment_id   text PRIMARY KEY,
    order_id      text NOT NULL REFERENCES erp.orders,
    customer_id   text,
    carrier       text NOT NULL,
    tracking_no   text,
    warehouse     text,
    shipped_at    timestamptz NOT NULL
);

CREATE TABLE erp.refunds (
    refund_id     text PRIMARY KEY,
    order_id      text NOT NULL REFERENCES erp.orders,
    customer_id   text,
    amount_minor  bigint NOT NULL CHECK (amount_minor >= 0),
    currency      char(3) NOT NULL,
    reason        text NOT NULL,
    refunded_at   timestamptz NOT NULL
);
CREATE INDEX refunds_time ON erp.refunds (refunded_at);

-- Updates and deletes carry the whole old row in the WAL, so that a change says what it changed
-- (a stock delta, an order's previous status, a deleted line's order).
ALTER TABLE erp.orders REPLICA IDENTITY FULL;
ALTER TABLE erp.order_lines REPLICA IDENTITY FULL;
ALTER TABLE erp.stock_levels REPLICA IDENTITY FULL;
ALTER TABLE erp.prices REPLICA IDENTITY FULL;

-- The capture's heartbeat (Debezium's heartbeat.action.query updates its row every heartbeat): a change
-- in this database even when the shop is quiet, so that the slot's confirmed position keeps up with the
-- server's WAL (which other databases of the server write too), the WAL can be recycled, and
-- ./whyflow reconcile can tell that the capture has read up to its cut-off.
CREATE TABLE erp.capture_heartbeat (
    id       integer PRIMARY KEY,
    beat_at  timestamptz NOT NULL
);
INSERT INTO erp.capture_heartbeat VALUES (1, now());

-- What Debezium captures: one publication (pgoutput), the tables whose changes become events, and the heartbeat.
CREATE PUBLICATION whyflow_erp FOR TABLE erp.orders, erp.order_lines, erp.stock_levels, erp.prices,
    erp.shipments, erp.refunds, erp.capture_heartbeat;

-- The capture's login: replication, reading the captured tables (the initial snapshot) and beating its
-- heartbeat, no more.
-- Roles belong to the cluster, so a second ERP database on it reuses the role.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'whyflow_cdc') THEN
        CREATE ROLE whyflow_cdc LOGIN REPLICATION PASSWORD 'whyflow_cdc';
    END IF;
END
$$;
GRANT USAGE ON SCHEMA erp TO whyflow_cdc;
GRANT SELECT ON erp.orders, erp.order_lines, erp.stock_levels, erp.prices, erp.shipments, erp.refunds TO whyflow_cdc;
GRANT SELECT, UPDATE ON erp.capture_heartbeat TO whyflow_cdc;
