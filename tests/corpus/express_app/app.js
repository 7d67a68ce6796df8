// perfhound corpus: an Express service with planted bottlenecks, each next to a clean twin.
//
// A setup a developer would run locally: Express 5 with keep-alive, `pg` (a Pool) against
// PostgreSQL, `ioredis`, the built-in `fetch` (undici) for downstream calls, and the
// OpenTelemetry Node SDK with the auto-instrumentations (see telemetry.js).
//
// Every bottleneck endpoint has a twin that does the same work the right way and returns
// the same answer; the ground truth is ground_truth.yaml next to this file.
//
// Environment: DATABASE_URL, REDIS_URL, DOWNSTREAM_URL (a server with `/delay/{ms}`, e.g.
// perfhound-testkit's), OTEL_EXPORTER_OTLP_ENDPOINT, PORT (default 0 = a free port).
// Prints `listening on http://127.0.0.1:<port>` once it accepts connections.
'use strict';

const zlib = require('node:zlib');
const express = require('express');
const { Pool } = require('pg');
const Redis = require('ioredis');

const DOWNSTREAM = process.env.DOWNSTREAM_URL.replace(/\/$/, '');
// Seed 001's dashboard: user 120 ms, orders 200 ms, recommendations 150 ms, notifications 80 ms.
const DASHBOARD_CALLS = [['user', 120], ['orders', 200], ['recommendations', 150], ['notifications', 80]];
const PREFS_PER_USER = 30;
const CHECKOUT_LINES = 12;
const IMPORT_ROWS = 100;
// Seed 002's similarity over an in-memory catalog (the products table's formula): ~200 ms
// of pure JavaScript when quadratic.
const CATALOG = Array.from({ length: 4200 }, (_, k) => {
  const id = k + 1;
  return { id, category: `category-${id % 12}`, price_cents: 199 + ((id * 7919) % 20000) };
});

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
const cache = new Redis(process.env.REDIS_URL);
const app = express();

const RECENT_ORDERS = 'SELECT id, status, total_cents FROM orders ORDER BY id DESC LIMIT 30';
const ITEMS_OF_ORDER = 'SELECT order_id, sku, quantity FROM order_items WHERE order_id = $1 ORDER BY id';
const ITEMS_OF_ORDERS = 'SELECT order_id, sku, quantity FROM order_items WHERE order_id = ANY($1) ORDER BY id';

// A summary of the order (small: the N+1 is the point here, not the payload).
const summary = (o, items) => ({ id: Number(o.id), items: items.length, units: items.reduce((n, r) => n + r.quantity, 0) });

// N+1: each order's items are loaded when the order is rendered, one query per order.
app.get('/orders/recent-lazy', async (_req, res) => {
  const orders = (await pool.query(RECENT_ORDERS)).rows;
  const out = [];
  for (const o of orders) {
    out.push(summary(o, (await pool.query(ITEMS_OF_ORDER, [o.id])).rows));
  }
  res.json(out);
});

app.get('/orders/recent-eager', async (_req, res) => {
  const orders = (await pool.query(RECENT_ORDERS)).rows;
  const items = (await pool.query(ITEMS_OF_ORDERS, [orders.map((o) => o.id)])).rows;
  res.json(orders.map((o) => summary(o, items.filter((r) => String(r.order_id) === String(o.id)))));
});

const downstream = async (name, ms) => (await fetch(`${DOWNSTREAM}/delay/${ms}?svc=${name}`)).text();

// Seed 001: four independent downstream calls awaited one after another (~550 ms).
app.get('/dashboard/serial', async (_req, res) => {
  const out = {};
  for (const [name, ms] of DASHBOARD_CALLS) {
    out[name] = await downstream(name, ms);
  }
  res.json(out);
});

app.get('/dashboard/parallel', async (_req, res) => {
  const bodies = await Promise.all(DASHBOARD_CALLS.map(([name, ms]) => downstream(name, ms)));
  res.json(Object.fromEntries(DASHBOARD_CALLS.map(([name], i) => [name, bodies[i]])));
});

// Three independent aggregate queries (each a scan of a large table).
const STATS = {
  byStatus: 'SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY status',
  revenue: 'SELECT sum(total_cents)::bigint AS cents FROM orders',
  items: 'SELECT count(*)::int AS n, sum(quantity)::int AS units FROM order_items',
};

// Sequential awaits of independent work.
app.get('/stats/sequential', async (_req, res) => {
  const out = {};
  for (const [name, sql] of Object.entries(STATS)) {
    out[name] = (await pool.query(sql)).rows;
  }
  res.json(out);
});

app.get('/stats/concurrent', async (_req, res) => {
  const entries = Object.entries(STATS);
  const results = await Promise.all(entries.map(([, sql]) => pool.query(sql)));
  res.json(Object.fromEntries(entries.map(([name], i) => [name, results[i].rows])));
});

const setting = async (key) => (await pool.query('SELECT value FROM settings WHERE key = $1', [key])).rows[0].value;
const quoteLine = (n, currency) => ({ line: n, amount: `${(((n + 1) * 250) / 100).toFixed(2)} ${currency}` });

// The same query with the same parameter, once per line of the quote.
app.get('/checkout/quote-repeated', async (_req, res) => {
  const lines = [];
  for (let n = 0; n < CHECKOUT_LINES; n++) {
    lines.push(quoteLine(n, await setting('currency')));
  }
  res.json(lines);
});

app.get('/checkout/quote', async (_req, res) => {
  const currency = await setting('currency');
  res.json(Array.from({ length: CHECKOUT_LINES }, (_, n) => quoteLine(n, currency)));
});

const events = () => Array.from({ length: IMPORT_ROWS }, (_, n) => ['import', JSON.stringify({ row: n, source: 'csv' })]);

// Row-at-a-time INSERT, each in its own transaction (BEGIN / INSERT / COMMIT per row).
app.post('/events/import-rowwise', async (_req, res) => {
  const rows = events();
  const client = await pool.connect();
  try {
    for (const row of rows) {
      await client.query('BEGIN');
      await client.query('INSERT INTO events (kind, payload) VALUES ($1, $2)', row);
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  res.json({ imported: rows.length });
});

app.post('/events/import-batch', async (_req, res) => {
  const rows = events();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO events (kind, payload) SELECT * FROM unnest($1::text[], $2::text[])', [
      rows.map((r) => r[0]),
      rows.map((r) => r[1]),
    ]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  res.json({ imported: rows.length });
});

const prefKeys = (userId) => Array.from({ length: PREFS_PER_USER }, (_, n) => `user:${userId}:pref:${n + 1}`);

// A cache GET per key in a loop.
app.get('/users/:id/prefs-loop', async (req, res) => {
  const out = {};
  for (const key of prefKeys(Number(req.params.id))) {
    out[key] = await cache.get(key);
  }
  res.json(out);
});

app.get('/users/:id/prefs-mget', async (req, res) => {
  const keys = prefKeys(Number(req.params.id));
  const values = await cache.mget(keys);
  res.json(Object.fromEntries(keys.map((k, i) => [k, values[i]])));
});

const recentOrders = async (column, value) =>
  (await pool.query(`SELECT id, status, total_cents FROM orders WHERE ${column} = $1 ORDER BY id DESC LIMIT 20`, [value]))
    .rows;

// A filter on orders.customer_email: not indexed, 200k rows scanned per call.
app.get('/orders/by-email', async (req, res) => {
  res.json(await recentOrders('customer_email', String(req.query.email)));
});

app.get('/orders/by-customer', async (req, res) => {
  res.json(await recentOrders('customer_id', Number(req.query.customer_id)));
});

const exportBody = async () =>
  Buffer.from(
    JSON.stringify((await pool.query('SELECT id, category, name, description, price_cents FROM products ORDER BY id')).rows),
  );

// A large (~0.9 MB) JSON response, never compressed.
app.get('/products/export', async (_req, res) => {
  res.type('application/json').send(await exportBody());
});

app.get('/products/export-gzip', async (req, res) => {
  const body = await exportBody();
  res.type('application/json').vary('Accept-Encoding');
  if (!/\bgzip\b/.test(req.get('accept-encoding') ?? '')) {
    return res.send(body);
  }
  res.set('Content-Encoding', 'gzip').send(zlib.gzipSync(body, { level: 5 }));
});

const band = (p) => Math.floor(p.price_cents / 1000);

// Seed 002: every product compared with every other, O(n²) pure JavaScript.
app.get('/products/similar-quadratic', (_req, res) => {
  const scores = CATALOG.map((p1) => {
    let score = 0;
    for (const p2 of CATALOG) {
      if (p1 !== p2 && p1.category === p2.category && band(p1) === band(p2)) score += 1;
    }
    return [score, p1.id];
  });
  res.json(top10(scores));
});

app.get('/products/similar-linear', (_req, res) => {
  const groups = new Map();
  for (const p of CATALOG) {
    const key = `${p.category}/${band(p)}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  res.json(top10(CATALOG.map((p) => [groups.get(`${p.category}/${band(p)}`) - 1, p.id])));
});

const top10 = (scores) => scores.sort((a, b) => b[0] - a[0] || b[1] - a[1]).slice(0, 10);

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
