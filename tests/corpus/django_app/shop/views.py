"""The endpoints: each bottleneck next to its twin (same answer, done the right way)."""

import contextvars
import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from django.db.models import Count
from django.http import JsonResponse

from .models import Event, Order, Product, Setting

DOWNSTREAM = os.environ["DOWNSTREAM_URL"].rstrip("/")
# Seed 001's dashboard: user 120 ms, orders 200 ms, recommendations 150 ms, notifications 80 ms.
DASHBOARD_CALLS = [("user", 120), ("orders", 200), ("recommendations", 150), ("notifications", 80)]
# Seed 002's similarity, sized like the Flask app's (~200 ms of pure Python when quadratic).
SIMILAR_N = 2200
RECENT_ORDERS = 30
CHECKOUT_LINES = 12
IMPORT_ROWS = 100
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled"]
local = threading.local()
catalog_lock = threading.Lock()
catalog = []


def http():
    """One keep-alive requests.Session per server thread."""
    if not hasattr(local, "session"):
        local.session = requests.Session()
    return local.session


def downstream(name, ms):
    return http().get(f"{DOWNSTREAM}/delay/{ms}", params={"part": name}, timeout=10).status_code


def recent_lazy(request):
    """Django's lazy foreign key: one customers query per order (N+1)."""
    orders = Order.objects.order_by("-id")[:RECENT_ORDERS]
    return JsonResponse([{"id": o.id, "customer": o.customer.name, "total": o.total_cents} for o in orders], safe=False)


def recent_eager(request):
    orders = Order.objects.select_related("customer").order_by("-id")[:RECENT_ORDERS]
    return JsonResponse([{"id": o.id, "customer": o.customer.name, "total": o.total_cents} for o in orders], safe=False)


def items_lazy(request):
    """The reverse manager in a loop: one order_items query per order (N+1)."""
    orders = Order.objects.order_by("-id")[:RECENT_ORDERS]
    return JsonResponse([{"id": o.id, "skus": [i.sku for i in o.items.all()]} for o in orders], safe=False)


def items_prefetched(request):
    orders = Order.objects.prefetch_related("items").order_by("-id")[:RECENT_ORDERS]
    return JsonResponse([{"id": o.id, "skus": [i.sku for i in o.items.all()]} for o in orders], safe=False)


def quote_repeated(request):
    """The same setting read once per line: one identical query repeated."""
    total = 0.0
    for line in range(CHECKOUT_LINES):
        rate = float(Setting.objects.get(key="tax_rate").value)
        total += (line + 1) * 100 * (1 + rate)
    return JsonResponse({"total": round(total, 2)})


def quote(request):
    rate = float(Setting.objects.get(key="tax_rate").value)
    total = sum((line + 1) * 100 * (1 + rate) for line in range(CHECKOUT_LINES))
    return JsonResponse({"total": round(total, 2)})


def import_rowwise(request):
    """One INSERT (and, in autocommit, one COMMIT) per row."""
    for i in range(IMPORT_ROWS):
        Event.objects.create(kind="import", payload=f"row {i}")
    return JsonResponse({"imported": IMPORT_ROWS})


def import_batch(request):
    Event.objects.bulk_create([Event(kind="import", payload=f"row {i}") for i in range(IMPORT_ROWS)])
    return JsonResponse({"imported": IMPORT_ROWS})


def by_email(request):
    """A filter on orders.customer_email, which has no index (200k rows)."""
    email = request.GET.get("email", "customer42@example.com")
    orders = Order.objects.filter(customer_email=email).order_by("-id")[:20]
    return JsonResponse([o.id for o in orders], safe=False)


def by_customer(request):
    customer_id = int(request.GET.get("customer_id", "42"))
    orders = Order.objects.filter(customer_id=customer_id).order_by("-id")[:20]
    return JsonResponse([o.id for o in orders], safe=False)


def status_counts_loop(request):
    """One COUNT per status, each a scan of the 200k orders: five queries where one GROUP BY does."""
    return JsonResponse({s: Order.objects.filter(status=s).count() for s in STATUSES})


def status_counts_grouped(request):
    counts = {row["status"]: row["n"] for row in Order.objects.values("status").annotate(n=Count("id"))}
    return JsonResponse({s: counts.get(s, 0) for s in STATUSES})


def dashboard_serial(request):
    """Seed 001: four independent downstream calls, one after another (~550 ms)."""
    return JsonResponse({name: downstream(name, ms) for name, ms in DASHBOARD_CALLS})


def dashboard_parallel(request):
    with ThreadPoolExecutor(max_workers=len(DASHBOARD_CALLS)) as ex:
        futures = {n: ex.submit(contextvars.copy_context().run, downstream, n, ms) for n, ms in DASHBOARD_CALLS}
        return JsonResponse({name: f.result() for name, f in futures.items()})


def products():
    """The catalog, read once per worker and kept in memory."""
    with catalog_lock:
        if not catalog:
            catalog.extend(Product.objects.order_by("id").values("id", "category", "price_cents")[:SIMILAR_N])
    return catalog


def band(p):
    return p["price_cents"] // 2000


def similar_quadratic(request):
    """Seed 002: every product compared with every other, O(n²) pure Python."""
    items = products()
    scores = []
    for p1 in items:
        score = 0
        for p2 in items:
            if p1 is not p2 and p1["category"] == p2["category"] and band(p1) == band(p2):
                score += 1
        scores.append((score, p1["id"]))
    return JsonResponse(sorted(scores, reverse=True)[:10], safe=False)


def similar_linear(request):
    items = products()
    groups = Counter((p["category"], band(p)) for p in items)
    scores = [(groups[(p["category"], band(p))] - 1, p["id"]) for p in items]
    return JsonResponse(sorted(scores, reverse=True)[:10], safe=False)
