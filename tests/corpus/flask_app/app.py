"""perfhound corpus: a Flask service with planted bottlenecks, each next to a clean twin.

A production-ish setup a developer would run locally: Flask on werkzeug's threaded
server (HTTP/1.1, but it sends `Connection: close` on every response — a true
server-wide finding, listed in the ground truth), SQLAlchemy ORM and raw psycopg 3 against PostgreSQL,
redis-py, `requests` and `httpx` for downstream calls, and the official OpenTelemetry SDK
with the flask, sqlalchemy, psycopg, requests, httpx and redis instrumentations from PyPI,
exporting OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT.

Every bottleneck endpoint has a twin that does the same work the right way and returns
the same answer; the ground truth is ground_truth.yaml next to this file.

Environment: DATABASE_URL (postgresql://…), REDIS_URL, DOWNSTREAM_URL (a server with
`/delay/{ms}`, e.g. perfhound-testkit's), OTEL_EXPORTER_OTLP_ENDPOINT. Prints
`listening on http://127.0.0.1:<port>` once it accepts connections (port 0 = free port).
"""

import asyncio
import contextvars
import gzip
import json
import logging
import os
import queue
import signal
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import psycopg
import redis
import requests
from flask import Flask, Response, jsonify, request
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy import ForeignKey, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload
from werkzeug.serving import make_server

DATABASE_URL = os.environ["DATABASE_URL"]
REDIS_URL = os.environ["REDIS_URL"]
DOWNSTREAM = os.environ["DOWNSTREAM_URL"].rstrip("/")
# Seed 001's dashboard: user 120 ms, orders 200 ms, recommendations 150 ms, notifications 80 ms.
DASHBOARD_CALLS = [("user", 120), ("orders", 200), ("recommendations", 150), ("notifications", 80)]
# Seed 002's similarity over the in-memory catalog: ~200 ms of pure Python when quadratic
# on an idle machine (1,600 items took 98 ms there).
SIMILAR_N = 2200
PREFS_PER_USER = 30
CHECKOUT_LINES = 12
IMPORT_ROWS = 100


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int]
    status: Mapped[str]
    total_cents: Mapped[int]
    items: Mapped[list["OrderItem"]] = relationship(lazy="select", order_by="OrderItem.id")


class OrderItem(Base):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    sku: Mapped[str]
    quantity: Mapped[int]


class Pool:
    """A fixed set of instrumented autocommit psycopg connections (the raw-SQL paths)."""

    def __init__(self, url, size):
        self.free = queue.Queue()
        for _ in range(size):
            conn = psycopg.connect(url, autocommit=True)
            self.free.put(PsycopgInstrumentor().instrument_connection(conn))

    @contextmanager
    def connection(self):
        conn = self.free.get(timeout=30)
        try:
            yield conn
        finally:
            self.free.put(conn)


def setup_telemetry():
    provider = TracerProvider(resource=Resource.create({"service.name": "corpus-flask"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    RequestsInstrumentor().instrument()
    HTTPXClientInstrumentor().instrument()
    RedisInstrumentor().instrument()
    return provider


def load_catalog():
    """The product catalog, read once at start-up (not traced) and kept in memory."""
    with psycopg.connect(DATABASE_URL) as conn:
        rows = conn.execute("SELECT id, category, price_cents FROM products ORDER BY id LIMIT %s", (SIMILAR_N,))
        return [{"id": r[0], "category": r[1], "price_cents": r[2]} for r in rows]


provider = setup_telemetry()
CATALOG = load_catalog()
engine = create_engine(DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=8)
SQLAlchemyInstrumentor().instrument(engine=engine)
pool = Pool(DATABASE_URL, 8)
cache = redis.Redis.from_url(REDIS_URL, decode_responses=True)
local = threading.local()
app = Flask(__name__)
FlaskInstrumentor().instrument_app(app)


def http():
    """One keep-alive requests.Session per server thread."""
    if not hasattr(local, "session"):
        local.session = requests.Session()
    return local.session


def order_json(order):
    """A summary of the order (small: the N+1 is the point here, not the payload)."""
    return {"id": order.id, "items": len(order.items), "units": sum(i.quantity for i in order.items)}


RECENT = select(Order).order_by(Order.id.desc()).limit(30)


@app.get("/orders/recent-lazy")
def recent_lazy():
    """N+1: each order's items are lazy-loaded, one query per order."""
    with Session(engine) as s:
        return jsonify([order_json(o) for o in s.scalars(RECENT)])


@app.get("/orders/recent-eager")
def recent_eager():
    with Session(engine) as s:
        return jsonify([order_json(o) for o in s.scalars(RECENT.options(selectinload(Order.items)))])


def downstream(name, ms):
    return http().get(f"{DOWNSTREAM}/delay/{ms}", params={"svc": name}, timeout=10).text


@app.get("/dashboard/serial")
def dashboard_serial():
    """Seed 001: four independent downstream calls, one after another (~550 ms)."""
    return jsonify({name: downstream(name, ms) for name, ms in DASHBOARD_CALLS})


@app.get("/dashboard/parallel")
def dashboard_parallel():
    with ThreadPoolExecutor(max_workers=len(DASHBOARD_CALLS)) as ex:
        futures = {n: ex.submit(contextvars.copy_context().run, downstream, n, ms) for n, ms in DASHBOARD_CALLS}
        return jsonify({name: f.result() for name, f in futures.items()})


ASYNC_PARTS = [("reviews", 100), ("stock", 100), ("shipping", 100)]


@app.get("/async/sequential")
async def async_sequential():
    """Independent awaits run one after another in async code."""
    async with httpx.AsyncClient(base_url=DOWNSTREAM, timeout=10) as client:
        out = {}
        for name, ms in ASYNC_PARTS:
            out[name] = (await client.get(f"/delay/{ms}", params={"svc": name})).text
        return jsonify(out)


@app.get("/async/gathered")
async def async_gathered():
    async with httpx.AsyncClient(base_url=DOWNSTREAM, timeout=10) as client:
        calls = [client.get(f"/delay/{ms}", params={"svc": name}) for name, ms in ASYNC_PARTS]
        responses = await asyncio.gather(*calls)
        return jsonify({name: r.text for (name, _), r in zip(ASYNC_PARTS, responses)})


def setting(conn, key):
    return conn.execute("SELECT value FROM settings WHERE key = %s", (key,)).fetchone()[0]


def quote_lines(currency_of):
    return [{"line": n, "amount": f"{(n + 1) * 250 / 100:.2f} {currency_of(n)}"} for n in range(CHECKOUT_LINES)]


@app.get("/checkout/quote-repeated")
def quote_repeated():
    """The same query with the same parameter, once per line of the quote."""
    with pool.connection() as conn:
        return jsonify(quote_lines(lambda _n: setting(conn, "currency")))


@app.get("/checkout/quote")
def quote():
    with pool.connection() as conn:
        currency = setting(conn, "currency")
        return jsonify(quote_lines(lambda _n: currency))


INSERT_EVENT = "INSERT INTO events (kind, payload) VALUES (%s, %s)"


def events():
    return [("import", json.dumps({"row": n, "source": "csv"})) for n in range(IMPORT_ROWS)]


@app.post("/events/import-rowwise")
def import_rowwise():
    """Row-at-a-time INSERT, each in its own transaction (a COMMIT per row)."""
    rows = events()
    with pool.connection() as conn:
        for row in rows:
            with conn.transaction():
                conn.execute(INSERT_EVENT, row)
    return jsonify({"imported": len(rows)})


@app.post("/events/import-batch")
def import_batch():
    rows = events()
    with pool.connection() as conn, conn.transaction():
        conn.execute(
            "INSERT INTO events (kind, payload) SELECT * FROM unnest(%s::text[], %s::text[])",
            ([r[0] for r in rows], [r[1] for r in rows]),
        )
    return jsonify({"imported": len(rows)})


def pref_keys(user_id):
    return [f"user:{user_id}:pref:{n}" for n in range(1, PREFS_PER_USER + 1)]


@app.get("/users/<int:user_id>/prefs-loop")
def prefs_loop(user_id):
    """A cache GET per key in a loop."""
    return jsonify({k: cache.get(k) for k in pref_keys(user_id)})


@app.get("/users/<int:user_id>/prefs-mget")
def prefs_mget(user_id):
    keys = pref_keys(user_id)
    return jsonify(dict(zip(keys, cache.mget(keys))))


def recent_orders(column, value):
    sql = f"SELECT id, status, total_cents FROM orders WHERE {column} = %s ORDER BY id DESC LIMIT 20"
    with pool.connection() as conn:
        return [{"id": r[0], "status": r[1], "total_cents": r[2]} for r in conn.execute(sql, (value,))]


@app.get("/orders/by-email")
def orders_by_email():
    """A filter on orders.customer_email: not indexed, 200k rows scanned per call."""
    return jsonify(recent_orders("customer_email", request.args["email"]))


@app.get("/orders/by-customer")
def orders_by_customer():
    return jsonify(recent_orders("customer_id", int(request.args["customer_id"])))


def export_rows():
    with pool.connection() as conn:
        rows = conn.execute("SELECT id, category, name, description, price_cents FROM products ORDER BY id")
        keys = ("id", "category", "name", "description", "price_cents")
        return json.dumps([dict(zip(keys, r)) for r in rows]).encode()


@app.get("/products/export")
def export_plain():
    """A large (~0.9 MB) JSON response, never compressed."""
    return Response(export_rows(), mimetype="application/json")


@app.get("/products/export-gzip")
def export_gzip():
    body = export_rows()
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return Response(body, mimetype="application/json")
    resp = Response(gzip.compress(body, compresslevel=5), mimetype="application/json")
    resp.headers["Content-Encoding"] = "gzip"
    resp.headers["Vary"] = "Accept-Encoding"
    return resp


def band(p):
    return p["price_cents"] // 1000


@app.get("/products/similar-quadratic")
def similar_quadratic():
    """Seed 002: every product compared with every other, O(n²) pure Python."""
    scores = []
    for p1 in CATALOG:
        score = 0
        for p2 in CATALOG:
            if p1 is not p2 and p1["category"] == p2["category"] and band(p1) == band(p2):
                score += 1
        scores.append((score, p1["id"]))
    return jsonify(sorted(scores, reverse=True)[:10])


@app.get("/products/similar-linear")
def similar_linear():
    groups = Counter((p["category"], band(p)) for p in CATALOG)
    scores = [(groups[(p["category"], band(p))] - 1, p["id"]) for p in CATALOG]
    return jsonify(sorted(scores, reverse=True)[:10])


def main():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", int(os.environ.get("PORT", "0")), app, threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # flush the spans on `kill`
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        provider.shutdown()


if __name__ == "__main__":
    sys.exit(main())
