-- The corpus apps' database, created by the test harness before the app starts (not
-- traced, outside the audit window). Shared by every app of tests/corpus/.
--
-- orders is the large table (200k rows): `customer_id` is indexed, `customer_email` is
-- deliberately NOT (the planted unindexed filter; its twin filters on customer_id).
-- order_items is indexed on order_id, so the N+1's single queries are cheap and correct:
-- the problem is their number, not a missing index.

CREATE TABLE customers (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL
);
INSERT INTO customers
  SELECT i, 'Customer ' || i, 'customer' || i || '@example.com' FROM generate_series(1, 20000) i;

CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  customer_email text NOT NULL,
  status text NOT NULL,
  total_cents integer NOT NULL,
  created_at timestamptz NOT NULL,
  shipping_address text NOT NULL
);
INSERT INTO orders
  SELECT i,
         1 + i % 20000,
         'customer' || (1 + i % 20000) || '@example.com',
         (ARRAY['pending', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + i % 5],
         (i * 37) % 50000,
         timestamptz '2025-01-01' + (i % 365) * interval '1 day' + (i % 86400) * interval '1 second',
         i || ' Long Street, Apartment ' || (i % 300) || ', Springfield, 12345, Country of Examples'
    FROM generate_series(1, 200000) i;
CREATE INDEX orders_customer_id ON orders (customer_id);

CREATE TABLE order_items (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id),
  sku text NOT NULL,
  quantity integer NOT NULL,
  price_cents integer NOT NULL
);
-- Items for the latest 20k orders (the endpoints read the latest orders only).
INSERT INTO order_items (order_id, sku, quantity, price_cents)
  SELECT o, 'SKU-' || ((o * 7 + k) % 5000), 1 + k, 100 + (o * k) % 9000
    FROM generate_series(180001, 200000) o, generate_series(0, 2) k;
CREATE INDEX order_items_order_id ON order_items (order_id);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO settings VALUES ('currency', 'EUR'), ('tax_rate', '0.20'), ('locale', 'en-GB');

CREATE TABLE events (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  id integer PRIMARY KEY,
  category text NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  price_cents integer NOT NULL
);
INSERT INTO products
  SELECT i,
         'category-' || (i % 12),
         'Product ' || i,
         'A sturdy, well-reviewed product number ' || i || ' for everyday use, with a two-year warranty.',
         199 + (i * 7919) % 20000
    FROM generate_series(1, 5000) i;

ANALYZE;
