"""A Flask service with the real OpenTelemetry SDK for bench/own_code/run.sh.

Seed 002's O(n^2) similarity (~200 ms of pure Python), its linear twin, a ~1.2 MB JSON
export with and without gzip, and three fast endpoints. CLIENTS threads (default 1) each
run every endpoint in turn ROUNDS times (default 4); spans go to EP (OTLP/HTTP).
"""
import gzip
import json
import os
import random
import sys
import threading
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, Response, jsonify
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from werkzeug.serving import make_server

provider = TracerProvider(resource=Resource.create({"service.name": "flask-check"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=os.environ["EP"])))
trace.set_tracer_provider(provider)
app = Flask(__name__)
FlaskInstrumentor().instrument_app(app)
random.seed(1)
CATALOG = [{"id": i, "category": f"c{i % 8}", "price_cents": random.randint(100, 50000)} for i in range(1100)]
ROWS = [(i, f"cat{i % 20}", f"Product {i}", "desc " * 30 + str(i), random.randint(100, 100000)) for i in range(5000)]
KEYS = ("id", "category", "name", "description", "price_cents")


def band(p):
    return p["price_cents"] // 1000


@app.get("/products/similar-quadratic")
def quad():
    scores = []
    for p1 in CATALOG:
        s = 0
        for p2 in CATALOG:
            if p1 is not p2 and p1["category"] == p2["category"] and band(p1) == band(p2):
                s += 1
        scores.append((s, p1["id"]))
    return jsonify(sorted(scores, reverse=True)[:10])

@app.get("/products/similar-linear")
def linear():
    g = Counter((p["category"], band(p)) for p in CATALOG)
    return jsonify(sorted(((g[(p["category"], band(p))] - 1, p["id"]) for p in CATALOG), reverse=True)[:10])

def rows():
    return json.dumps([dict(zip(KEYS, r)) for r in ROWS]).encode()

@app.get("/products/export")
def export():
    return Response(rows(), mimetype="application/json")

@app.get("/products/export-gzip")
def export_gzip():
    r = Response(gzip.compress(rows(), compresslevel=5), mimetype="application/json")
    r.headers["Content-Encoding"] = "gzip"
    return r

@app.get("/health")
def health():
    return "ok"

@app.get("/items")
def items():
    return jsonify([{"id": i, "sku": f"s{i}"} for i in range(50)])

@app.get("/orders/<int:oid>")
def order(oid):
    return jsonify({"id": oid, "lines": [{"n": n} for n in range(20)]})

server = make_server("127.0.0.1", 0, app, threaded=True)
app.logger.disabled = True
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
PATHS = ["/products/similar-quadratic", "/products/similar-linear", "/products/export",
         "/products/export-gzip", "/health", "/items", "/orders/7"]


def client(_):
    for _ in range(int(os.environ.get("ROUNDS", "4"))):
        for path in PATHS:
            urllib.request.urlopen(base + path).read()


clients = int(os.environ.get("CLIENTS", "1"))
with ThreadPoolExecutor(clients) as pool:
    list(pool.map(client, range(clients)))
ok = provider.force_flush(30_000)
server.shutdown()
sys.exit(0 if ok else 1)
