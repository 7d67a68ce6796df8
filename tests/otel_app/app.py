"""A small instrumented service for perfhound's real-SDK trace test.

It uses the real OpenTelemetry Python SDK with the SQLAlchemy and requests
instrumentations from PyPI, exporting OTLP/HTTP protobuf to the endpoint given in
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (perfhound's receiver). It simulates `REQUESTS`
requests to `GET /orders`, each with two planted problems:

- an N+1: one query for the orders, then one query per order for its items;
- serial calls: three independent HTTP GETs to a local server (127.0.0.1:0) made
  one after another.

And one clean request, `GET /orders/batched`, that loads the items with one IN query
and makes its three HTTP calls concurrently: it must produce no finding.

Usage: python app.py  (exits 0 after flushing every span)
"""

import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

ORDERS = 8
REQUESTS = int(os.environ.get("REQUESTS", "3"))
DELAY_S = float(os.environ.get("UPSTREAM_DELAY_S", "0.03"))


class Upstream(BaseHTTPRequestHandler):
    """Answers every GET after a fixed delay (a slow dependency)."""

    def do_GET(self):  # noqa: N802 (http.server naming)
        time.sleep(DELAY_S)
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> int:
    endpoint = os.environ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
    provider = TracerProvider(resource=Resource.create({"service.name": "otel-shop"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    tracer = trace.get_tracer("otel-shop")

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{upstream.server_address[1]}"

    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT)"))
        conn.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, order_id INTEGER, sku TEXT)"))
        for o in range(1, ORDERS + 1):
            conn.execute(text("INSERT INTO orders (id, customer) VALUES (:id, 'c')"), {"id": o})
            for i in range(3):
                conn.execute(text("INSERT INTO items (order_id, sku) VALUES (:o, :s)"), {"o": o, "s": f"sku-{i}"})
    # Instrument after seeding: only the simulated requests are traced.
    SQLAlchemyInstrumentor().instrument(engine=engine)
    RequestsInstrumentor().instrument()
    session = requests.Session()

    for _ in range(REQUESTS):
        attrs = {"http.request.method": "GET", "http.route": "/orders"}
        with tracer.start_as_current_span("GET /orders", kind=trace.SpanKind.SERVER, attributes=attrs):
            with engine.connect() as conn:
                orders = conn.execute(text("SELECT id, customer FROM orders")).fetchall()
                for (order_id, _) in orders:
                    conn.execute(text("SELECT id, sku FROM items WHERE order_id = :id"), {"id": order_id}).fetchall()
            for path in ("/pricing", "/inventory", "/shipping"):
                session.get(base + path, timeout=10).raise_for_status()

    attrs = {"http.request.method": "GET", "http.route": "/orders/batched"}
    with tracer.start_as_current_span("GET /orders/batched", kind=trace.SpanKind.SERVER, attributes=attrs):
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id, customer FROM orders")).fetchall()]
            marks = ", ".join(str(i) for i in ids)
            conn.execute(text(f"SELECT id, sku FROM items WHERE order_id IN ({marks})")).fetchall()
        ctx = trace.set_span_in_context(trace.get_current_span())

        def fetch(path):
            from opentelemetry import context

            token = context.attach(ctx)
            try:
                return requests.get(base + path, timeout=10).status_code
            finally:
                context.detach(token)

        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(fetch, ["/pricing", "/inventory", "/shipping"]))

    ok = provider.force_flush(timeout_millis=30_000)
    provider.shutdown()
    upstream.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
