"""A tiny instrumented Python service for perfhound's `audit.profile` test.

Real OpenTelemetry Python SDK (target/otel-venv, tests/otel_app/requirements.txt),
exporting OTLP/HTTP protobuf to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the audit's receiver).
Every request continues the caller's W3C traceparent in a SERVER span named after its
route. Two routes:

- GET /api/similar: seed 002's `find_similar_products`, an O(n^2) pairwise loop in pure
  Python over ITEMS products (~100 ms of CPU): a CPU-bound own-code endpoint;
- GET /api/ping: answers at once.

Prints `PORT <n>` once listening on 127.0.0.1:0, then serves until killed.
"""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind

ITEMS = int(os.environ.get("ITEMS", "1000"))
PRODUCTS = [{"id": i, "category": i % 7, "price": (i * 37) % 101} for i in range(ITEMS)]

provider = TracerProvider(resource=Resource.create({"service.name": "audit-profile-app"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(), schedule_delay_millis=200))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("audit-profile-app")


def find_similar_products(products):
    """Seed 002's planted bottleneck: every product compared with every other."""
    similar = []
    for a in products:
        for b in products:
            if a["id"] != b["id"] and a["category"] == b["category"] and abs(a["price"] - b["price"]) < 3:
                similar.append((a["id"], b["id"]))
    return similar


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server naming)
        route = self.path.split("?")[0]
        context = propagate.extract({k.lower(): v for k, v in self.headers.items()})
        attributes = {"http.request.method": "GET", "http.route": route, "url.path": route}
        with tracer.start_as_current_span(f"GET {route}", context=context, kind=SpanKind.SERVER, attributes=attributes) as span:
            if route == "/api/similar":
                body = json.dumps({"pairs": len(find_similar_products(PRODUCTS))}).encode()
            else:
                body = b'{"ok": true}'
            span.set_attribute("http.response.status_code", 200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
