"""perfhound corpus: a Django service on gunicorn with planted bottlenecks, each next to a clean twin.

The most common Python production shape: Django's ORM over psycopg 3 against PostgreSQL,
served by gunicorn (2 pre-forked workers, gthread, keep-alive), `requests` for downstream
calls, and the official OpenTelemetry SDK with the django, psycopg and requests
instrumentations from PyPI, set up after the fork in each worker (the SDK's export thread
does not survive a fork), exporting OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT.

Written without looking at what perfhound reports: the ORM idioms are Django's own
(lazy foreign keys, reverse managers, `.get()` per lookup, `.create()` per row), and its
SQL mixes placeholders and literals (`… WHERE id = %s LIMIT 21`).

Every bottleneck endpoint has a twin that does the same work the right way and returns
the same answer; the ground truth is ground_truth.yaml next to this file.

Environment: DATABASE_URL (postgresql://…), DOWNSTREAM_URL (a server with `/delay/{ms}`),
OTEL_EXPORTER_OTLP_ENDPOINT, PORT (0 = a free port). Prints
`listening on http://127.0.0.1:<port>` once gunicorn accepts connections.
"""

import os
import sys
from urllib.parse import urlparse

import django
from django.conf import settings
from gunicorn.app.base import BaseApplication

DB = urlparse(os.environ["DATABASE_URL"])

settings.configure(
    DEBUG=False,
    SECRET_KEY="corpus-only",
    ROOT_URLCONF="urls",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=["shop"],
    MIDDLEWARE=[],
    USE_TZ=True,
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DB.path.lstrip("/"),
            "USER": DB.username or "",
            "PASSWORD": DB.password or "",
            "HOST": DB.hostname,
            "PORT": str(DB.port),
            "CONN_MAX_AGE": 600,
        }
    },
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    LOGGING_CONFIG=None,
)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def setup_telemetry():
    """In each worker, after the fork: the SDK, then the instrumentations, then Django."""
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "corpus-django"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument()
    PsycopgInstrumentor().instrument()
    RequestsInstrumentor().instrument()
    django.setup()
    return provider


class Server(BaseApplication):
    def __init__(self):
        self.providers = []
        super().__init__()

    def load_config(self):
        self.cfg.set("bind", f"127.0.0.1:{os.environ.get('PORT', '0')}")
        self.cfg.set("workers", 2)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", 4)
        self.cfg.set("accesslog", None)
        self.cfg.set("loglevel", "warning")
        self.cfg.set("graceful_timeout", 5)
        self.cfg.set("post_fork", lambda server, worker: self.providers.append(setup_telemetry()))
        self.cfg.set("worker_exit", lambda server, worker: [p.shutdown() for p in self.providers])
        self.cfg.set("when_ready", when_ready)

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def when_ready(server):
    port = server.LISTENERS[0].sock.getsockname()[1]
    print(f"listening on http://127.0.0.1:{port}", flush=True)


if __name__ == "__main__":
    Server().run()
