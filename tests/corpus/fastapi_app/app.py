"""perfhound corpus: an async FastAPI service with planted bottlenecks, each next to a clean twin.

The asyncio shape of a Python service: FastAPI on uvicorn (one event loop), asyncpg's
connection pool against PostgreSQL and httpx.AsyncClient for downstream calls, with the
official OpenTelemetry SDK and the fastapi, asyncpg and httpx instrumentations from PyPI,
exporting OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. Written after perfhound's calibration,
as an app it was not tuned on.

Every bottleneck endpoint has a twin that does the same work the right way and returns
the same answer; the ground truth is ground_truth.yaml next to this file.

Environment: DATABASE_URL (postgresql://…), DOWNSTREAM_URL (a server with `/delay/{ms}`),
OTEL_EXPORTER_OTLP_ENDPOINT, PORT (0 = a free port). Prints
`listening on http://127.0.0.1:<port>` once uvicorn accepts connections.
"""

import asyncio
import os
import socket
from collections import Counter
from contextlib import asynccontextmanager

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

DATABASE_URL = os.environ["DATABASE_URL"].split("?")[0]
DOWNSTREAM = os.environ["DOWNSTREAM_URL"].rstrip("/")
RECENT_ORDERS = 30
CHECKOUT_LINES = 12
IMPORT_ROWS = 100
SIMILAR_N = 2200
# Three independent calls of 100 ms each.
PARTS = [("reviews", 100), ("stock", 100), ("shipping", 100)]
# Three independent aggregates, each a scan of the 200k orders.
AGGREGATES = [
    "SELECT count(*) FROM orders WHERE status = 'paid'",
    "SELECT avg(total_cents) FROM orders",
    "SELECT max(created_at) FROM orders",
]

provider = TracerProvider(resource=Resource.create({"service.name": "corpus-fastapi"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
trace.set_tracer_provider(provider)
AsyncPGInstrumentor().instrument()
HTTPXClientInstrumentor().instrument()

state = {}


@asynccontextmanager
async def lifespan(_app):
    state["pool"] = await asyncpg.create_pool(DATABASE_URL, min_size=4, max_size=8)
    state["http"] = httpx.AsyncClient(timeout=10)
    async with state["pool"].acquire() as conn:  # the catalog, read once (before the load)
        rows = await conn.fetch("SELECT id, category, price_cents FROM products ORDER BY id LIMIT $1", SIMILAR_N)
    state["catalog"] = [dict(r) for r in rows]
    yield
    await state["http"].aclose()
    await state["pool"].close()


app = FastAPI(lifespan=lifespan)


def pool():
    return state["pool"]


async def recent_orders(conn):
    return await conn.fetch("SELECT id, customer_id, total_cents FROM orders ORDER BY id DESC LIMIT $1", RECENT_ORDERS)


@app.get("/orders/items-loop")
async def items_loop():
    """One order_items query per order, awaited in turn (N+1)."""
    async with pool().acquire() as conn:
        orders = await recent_orders(conn)
        out = []
        for o in orders:
            items = await conn.fetch("SELECT sku, quantity FROM order_items WHERE order_id = $1 ORDER BY id", o["id"])
            out.append({"id": o["id"], "skus": [i["sku"] for i in items]})
    return out


@app.get("/orders/items-any")
async def items_any():
    async with pool().acquire() as conn:
        orders = await recent_orders(conn)
        items = await conn.fetch(
            "SELECT order_id, sku FROM order_items WHERE order_id = ANY($1::bigint[]) ORDER BY id",
            [o["id"] for o in orders],
        )
    by_order = {}
    for i in items:
        by_order.setdefault(i["order_id"], []).append(i["sku"])
    return [{"id": o["id"], "skus": by_order.get(o["id"], [])} for o in orders]


@app.get("/orders/items-gather")
async def items_gather():
    """The same N+1, issued concurrently over the pool: still 30 round trips and 30 queries."""
    async with pool().acquire() as conn:
        orders = await recent_orders(conn)

    async def items(order_id):
        return await pool().fetch("SELECT sku, quantity FROM order_items WHERE order_id = $1 ORDER BY id", order_id)

    results = await asyncio.gather(*(items(o["id"]) for o in orders))
    return [{"id": o["id"], "skus": [i["sku"] for i in r]} for o, r in zip(orders, results)]


@app.get("/checkout/quote-repeated")
async def quote_repeated():
    """The same setting read once per line: one identical query repeated."""
    total = 0.0
    async with pool().acquire() as conn:
        for line in range(CHECKOUT_LINES):
            rate = float(await conn.fetchval("SELECT value FROM settings WHERE key = $1", "tax_rate"))
            total += (line + 1) * 100 * (1 + rate)
    return {"total": round(total, 2)}


@app.get("/checkout/quote")
async def quote():
    rate = float(await pool().fetchval("SELECT value FROM settings WHERE key = $1", "tax_rate"))
    return {"total": round(sum((line + 1) * 100 * (1 + rate) for line in range(CHECKOUT_LINES)), 2)}


@app.post("/events/import-rowwise")
async def import_rowwise():
    """One INSERT per row (autocommit: one commit per row)."""
    async with pool().acquire() as conn:
        for i in range(IMPORT_ROWS):
            await conn.execute("INSERT INTO events (kind, payload) VALUES ($1, $2)", "import", f"row {i}")
    return {"imported": IMPORT_ROWS}


@app.post("/events/import-batch")
async def import_batch():
    payloads = [f"row {i}" for i in range(IMPORT_ROWS)]
    await pool().execute("INSERT INTO events (kind, payload) SELECT 'import', unnest($1::text[])", payloads)
    return {"imported": IMPORT_ROWS}


@app.get("/orders/by-email")
async def by_email(email: str = "customer42@example.com"):
    """A filter on orders.customer_email, which has no index (200k rows)."""
    rows = await pool().fetch("SELECT id FROM orders WHERE customer_email = $1 ORDER BY id DESC LIMIT 20", email)
    return [r["id"] for r in rows]


@app.get("/orders/by-customer")
async def by_customer(customer_id: int = 42):
    rows = await pool().fetch("SELECT id FROM orders WHERE customer_id = $1 ORDER BY id DESC LIMIT 20", customer_id)
    return [r["id"] for r in rows]


async def part(name, ms):
    return (await state["http"].get(f"{DOWNSTREAM}/delay/{ms}", params={"part": name})).status_code


@app.get("/product/sequential")
async def product_sequential():
    """Three independent downstream calls awaited one after another (~300 ms)."""
    return {name: await part(name, ms) for name, ms in PARTS}


@app.get("/product/gathered")
async def product_gathered():
    codes = await asyncio.gather(*(part(name, ms) for name, ms in PARTS))
    return {name: code for (name, _), code in zip(PARTS, codes)}


@app.get("/stats/sequential")
async def stats_sequential():
    """Three independent aggregates, each a scan of the 200k orders, awaited in turn."""
    async with pool().acquire() as conn:
        return [str(await conn.fetchval(q)) for q in AGGREGATES]


@app.get("/stats/concurrent")
async def stats_concurrent():
    return [str(v) for v in await asyncio.gather(*(pool().fetchval(q) for q in AGGREGATES))]


def band(p):
    return p["price_cents"] // 2000


@app.get("/products/similar-quadratic")
async def similar_quadratic():
    """Seed 002: every product compared with every other, O(n²) pure Python (it blocks the loop too)."""
    items = state["catalog"]
    scores = []
    for p1 in items:
        score = 0
        for p2 in items:
            if p1 is not p2 and p1["category"] == p2["category"] and band(p1) == band(p2):
                score += 1
        scores.append((score, p1["id"]))
    return sorted(scores, reverse=True)[:10]


@app.get("/products/similar-linear")
async def similar_linear():
    items = state["catalog"]
    groups = Counter((p["category"], band(p)) for p in items)
    return sorted(((groups[(p["category"], band(p))] - 1, p["id"]) for p in items), reverse=True)[:10]


FastAPIInstrumentor.instrument_app(app)


async def main():
    sock = socket.socket()
    sock.bind(("127.0.0.1", int(os.environ.get("PORT", "0"))))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    await serving
    provider.shutdown()


if __name__ == "__main__":
    asyncio.run(main())  # uvicorn handles SIGTERM: it stops serving, then the spans are flushed
