//! Route forms of real projects, each in a small project written to a temporary
//! directory: Django `include()` nested two deep (module strings, imported urls modules,
//! local pattern lists, `urlpatterns +=`), class-based views and wrapped views; FastAPI
//! `APIRouter(prefix=…)` included with a prefix and nested in another router, `Depends`,
//! async handlers with asyncpg and `httpx.AsyncClient`; Express `app.use('/x', router)`
//! with the router in its own module. Each finding must land on the loop that causes it,
//! and a route or view that cannot be resolved must be "not found", never a guess.

use perfhound_model::{Finding, Rule, Severity};
use perfhound_scan::locate::SourceIndex;

/// Writes `files` under a temporary directory and indexes it.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, SourceIndex) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let index = SourceIndex::build(&[dir.path().to_path_buf()]);
    (dir, index)
}

fn finding(code: &'static str, endpoint: &str, query: &str) -> Finding {
    let rule = Rule { code, name: "runtime", severity: Severity::Warning, summary: "", why: "", fix: "" };
    let mut f = Finding::new(&rule, endpoint, "t");
    f.evidence.query = Some(query.into());
    f
}

/// `file:lines (function)` of the finding, or `not found: why`.
fn locate(index: &SourceIndex, code: &'static str, endpoint: &str, query: &str) -> String {
    match index.locate(&finding(code, endpoint, query)) {
        Ok(l) => l.location(),
        Err(e) => format!("not found: {}", e.0),
    }
}

fn assert_at(got: String, expected: &str) {
    assert!(got.ends_with(expected), "got {got}, expected …{expected}");
}

fn assert_not_found(got: String, why: &str) {
    assert!(got.starts_with("not found: ") && got.contains(why), "got {got}, expected not found ({why})");
}

const DJANGO_ROOT_URLS: &str = r#"from django.urls import include, path

tools = [
    path("ping/", include("tools.urls")),
]

urlpatterns = [
    path("api/", include("api.urls")),
    path("tools/", include(tools)),
]
"#;

const DJANGO_API_URLS: &str = r#"from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from shop import urls as shop_urls

urlpatterns = [
    path("v1/", include(shop_urls)),
    re_path(r"^v2/", include(("shop.urls", "shop"), namespace="v2")),
    path("login/", auth_views.LoginView.as_view()),
]
"#;

const DJANGO_SHOP_URLS: &str = r#"from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views
from .views import OrderList

urlpatterns = [
    path("orders/", OrderList.as_view()),
    path("orders/<int:pk>/", views.order_detail),
]
urlpatterns += [
    path("orders/<int:pk>/items/", login_required(views.order_items)),
    path("orphans/", stray_view),
]
"#;

const DJANGO_SHOP_VIEWS: &str = r#"from django.http import JsonResponse
from django.views import View

from .models import Order, OrderItem


class OrderList(View):
    def get(self, request):
        out = []
        for o in Order.objects.all()[:30]:
            out.append(o.customer.name)
        return JsonResponse(out, safe=False)

    def post(self, request):
        for i in range(10):
            Order.objects.create(status="new")
        return JsonResponse({})


def order_detail(request, pk):
    order = Order.objects.get(pk=pk)
    lines = [OrderItem.objects.get(pk=i).sku for i in range(5)]
    return JsonResponse({"id": order.id, "lines": lines})


def order_items(request, pk):
    skus = []
    for i in range(5):
        skus.append(OrderItem.objects.filter(order_id=pk, line=i).first())
    return JsonResponse(skus, safe=False)
"#;

/// A decoy: the same view names in another app, doing other work.
const DJANGO_OTHER_VIEWS: &str = r#"from .models import OrderItem


def order_detail(request, pk):
    return OrderItem.objects.filter(order_id=pk).count()


def stray_view(request):
    for i in range(3):
        OrderItem.objects.get(pk=i)


def order_items(request, pk):
    return []
"#;

const DJANGO_LEGACY_VIEWS: &str = r#"from shop.models import OrderItem


def stray_view(request):
    return OrderItem.objects.count()
"#;

const DJANGO_TOOLS_URLS: &str = r#"from django.urls import path

from .views import ping

urlpatterns = [path("", ping)]
"#;

const DJANGO_TOOLS_VIEWS: &str = r#"import requests

SESSION = requests.Session()


def ping(request):
    return [SESSION.get(f"http://inventory/status/{n}").status_code for n in range(3)]
"#;

fn django() -> (tempfile::TempDir, SourceIndex) {
    project(&[
        ("proj/urls.py", DJANGO_ROOT_URLS),
        ("api/urls.py", DJANGO_API_URLS),
        ("shop/urls.py", DJANGO_SHOP_URLS),
        ("shop/views.py", DJANGO_SHOP_VIEWS),
        ("other/views.py", DJANGO_OTHER_VIEWS),
        ("legacy/views.py", DJANGO_LEGACY_VIEWS),
        ("tools/urls.py", DJANGO_TOOLS_URLS),
        ("tools/views.py", DJANGO_TOOLS_VIEWS),
    ])
}

#[test]
fn django_include_nests_prefixes_and_resolves_views_through_imports() {
    let (_dir, index) = django();
    let items = "SELECT \"order_items\".\"id\" FROM \"order_items\" WHERE \"order_items\".\"id\" = %s LIMIT 21";
    // api/ → v1/ (an imported urls module) → orders/<int:pk>/: views.order_detail of
    // shop/views.py, not the decoy of the same name in other/views.py.
    assert_at(locate(&index, "PH-TRACE001", "GET /api/v1/orders/{pk}", items), "shop/views.py:22 (order_detail)");
    // The same urls module included a second time, by module string in a tuple, re_path.
    assert_at(locate(&index, "PH-TRACE001", "GET /api/v2/orders/{pk}", items), "shop/views.py:22 (order_detail)");
    // `urlpatterns +=` and a wrapped view (login_required(views.order_items)).
    assert_at(
        locate(&index, "PH-TRACE001", "GET /api/v1/orders/{pk}/items", items),
        "shop/views.py:28-29 (order_items)",
    );
    // A pattern list of the same file, included by name; a view imported by name.
    assert_at(
        locate(&index, "PH-TRACE002", "GET /tools/ping", "GET http://inventory/status/{n}"),
        "tools/views.py:7 (ping)",
    );
}

#[test]
fn django_class_based_views_use_the_method_of_the_verb() {
    let (_dir, index) = django();
    let customers = "SELECT \"customers\".\"name\" FROM \"customers\" WHERE \"customers\".\"id\" = %s LIMIT 21";
    assert_at(locate(&index, "PH-TRACE001", "GET /api/v1/orders", customers), "shop/views.py:10-11 (get)");
    let insert = "INSERT INTO \"orders\" (\"status\") VALUES (%s) RETURNING \"orders\".\"id\"";
    assert_at(locate(&index, "PH-TRACE009", "POST /api/v1/orders", insert), "shop/views.py:15-16 (post)");
}

#[test]
fn django_routes_that_do_not_resolve_are_not_found() {
    let (_dir, index) = django();
    let items = "SELECT \"order_items\".\"id\" FROM \"order_items\" WHERE \"order_items\".\"id\" = %s";
    // shop/urls.py is only reachable under api/: its path alone is no route.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /orders/{pk}", items), "no route handler for GET /orders/{}");
    // A bare name neither defined nor imported in shop/urls.py, defined in two other apps.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/v1/orphans", items), "`stray_view` has 2 definitions");
    // A view of Django itself.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/login", items), "imported from outside the source");
}

const FASTAPI_MAIN: &str = r#"from fastapi import FastAPI

from app.routers import orders
from .routers.users import router as users_router

app = FastAPI()
app.include_router(orders.router, prefix="/api")
app.include_router(users_router)
"#;

const FASTAPI_ORDERS: &str = r#"from fastapi import APIRouter, Depends

from app.db import get_conn, load_flags

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/{order_id}/items")
async def order_items(order_id: int, conn=Depends(get_conn)):
    orders = await conn.fetch("SELECT id FROM orders WHERE customer_id = $1", order_id)
    out = []
    for o in orders:
        out.append(await conn.fetchrow("SELECT sku FROM order_items WHERE order_id = $1", o["id"]))
    return out


@router.get("/flags")
async def flags(values=Depends(load_flags)):
    return values
"#;

const FASTAPI_DB: &str = r#"KEYS = ["tax", "ship", "gift"]


async def get_conn():
    async with POOL.acquire() as conn:
        yield conn


async def load_flags(conn=Depends(get_conn)):
    out = {}
    for k in KEYS:
        out[k] = await conn.fetchval("SELECT value FROM settings WHERE key = $1", k)
    return out
"#;

const FASTAPI_USERS: &str = r#"import httpx
from fastapi import APIRouter

router = APIRouter(prefix="/users")
admin = APIRouter(prefix="/admin")


@admin.get("/audit")
async def audit(ids: list[int]):
    async with httpx.AsyncClient() as c:
        for u in ids:
            await c.get(f"http://profiles/v1/profile/{u}")


router.include_router(admin)
"#;

fn fastapi() -> (tempfile::TempDir, SourceIndex) {
    project(&[
        ("app/main.py", FASTAPI_MAIN),
        ("app/__init__.py", ""),
        ("app/routers/__init__.py", ""),
        ("app/routers/orders.py", FASTAPI_ORDERS),
        ("app/routers/users.py", FASTAPI_USERS),
        ("app/db.py", FASTAPI_DB),
    ])
}

#[test]
fn fastapi_router_prefixes_join_include_prefixes() {
    let (_dir, index) = fastapi();
    let items = "SELECT sku FROM order_items WHERE order_id = $1";
    assert_at(
        locate(&index, "PH-TRACE001", "GET /api/orders/{order_id}/items", items),
        "app/routers/orders.py:12-13 (order_items)",
    );
    // A router included into another router, itself included without a prefix; the
    // client is bound by `async with httpx.AsyncClient() as c`.
    assert_at(
        locate(&index, "PH-TRACE002", "GET /users/admin/audit", "GET http://profiles/v1/profile/{u}"),
        "app/routers/users.py:11-12 (audit)",
    );
}

#[test]
fn fastapi_depends_is_followed() {
    let (_dir, index) = fastapi();
    let q = "SELECT value FROM settings WHERE key = $1";
    assert_at(locate(&index, "PH-TRACE001", "GET /api/orders/flags", q), "app/db.py:11-12 (load_flags)");
}

#[test]
fn fastapi_paths_without_their_prefixes_are_not_found() {
    let (_dir, index) = fastapi();
    let items = "SELECT sku FROM order_items WHERE order_id = $1";
    assert_not_found(locate(&index, "PH-TRACE001", "GET /orders/{id}/items", items), "no route handler");
    assert_not_found(locate(&index, "PH-TRACE001", "GET /admin/audit", "GET http://profiles/v1/x"), "no route");
    // The handler's one query outside the loop is no N+1 location.
    let orders = "SELECT id FROM orders WHERE customer_id = $1";
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/orders/{id}/items", orders), "no query on orders");
}

const EXPRESS_APP: &str = r#"const express = require('express');
const orders = require('./routes/orders');

const app = express();
app.use(express.json());
app.use('/api/orders', orders);
app.listen(3000);
"#;

const EXPRESS_ORDERS: &str = r#"const express = require('express');
const { pool } = require('../db');

const router = express.Router();

router.get('/:id/items', async (req, res) => {
  const out = [];
  for (const id of req.body.ids) {
    out.push(await pool.query('SELECT sku FROM order_items WHERE order_id = $1', [id]));
  }
  res.json(out);
});

module.exports = router;
"#;

#[test]
fn express_use_mounts_a_router_module() {
    let (_dir, index) =
        project(&[("src/app.js", EXPRESS_APP), ("src/routes/orders.js", EXPRESS_ORDERS), ("src/db.js", "")]);
    let items = "SELECT sku FROM order_items WHERE order_id = $1";
    assert_at(locate(&index, "PH-TRACE001", "GET /api/orders/{id}/items", items), "src/routes/orders.js:8-10");
    assert_not_found(locate(&index, "PH-TRACE001", "GET /{id}/items", items), "no route handler");
}

const FLASK_APP: &str = r#"from flask import Flask

from shop.orders import bp as orders_bp

app = Flask(__name__)
app.register_blueprint(orders_bp, url_prefix="/api")
"#;

const FLASK_ORDERS: &str = r#"from flask import Blueprint
from flask.views import MethodView

from .models import Event, db

bp = Blueprint("orders", __name__, url_prefix="/orders")


class Import(MethodView):
    def post(self):
        for row in ROWS:
            db.session.add(Event(kind=row))
            db.session.commit()
        return {}


bp.add_url_rule("/import", view_func=Import.as_view("import"))
"#;

#[test]
fn flask_blueprint_prefixes_and_method_views() {
    let (_dir, index) = project(&[("app.py", FLASK_APP), ("shop/orders.py", FLASK_ORDERS)]);
    let insert = "INSERT INTO events (kind) VALUES (%s)";
    assert_at(locate(&index, "PH-TRACE009", "POST /api/orders/import", insert), "shop/orders.py:11-13 (post)");
    assert_not_found(locate(&index, "PH-TRACE009", "POST /orders/import", insert), "no route handler");
}

const DRF_URLS: &str = r#"from django.urls import include, path
from rest_framework.routers import DefaultRouter

from orders import views

router = DefaultRouter()
router.register(r"orders", views.OrderViewSet, basename="order")

urlpatterns = [path("api/", include(router.urls))]
"#;

const DRF_VIEWS: &str = r#"from rest_framework import viewsets

from .models import Order, OrderItem


class CustomerViewSet(viewsets.ModelViewSet):
    def lines(self, pk):
        return OrderItem.objects.count()


class OrderViewSet(viewsets.ModelViewSet):
    def list(self, request):
        return [o.customer.name for o in Order.objects.all()]

    def retrieve(self, request, pk=None):
        return self.lines(pk)

    def lines(self, pk):
        return [OrderItem.objects.get(pk=i).sku for i in range(3)]
"#;

#[test]
fn drf_router_registers_list_and_detail_actions() {
    let (_dir, index) = project(&[("proj/urls.py", DRF_URLS), ("orders/views.py", DRF_VIEWS)]);
    let customers = "SELECT \"customers\".\"name\" FROM \"customers\" WHERE \"customers\".\"id\" = %s";
    assert_at(locate(&index, "PH-TRACE001", "GET /api/orders/", customers), "orders/views.py:13 (list)");
    let items = "SELECT \"order_items\".\"sku\" FROM \"order_items\" WHERE \"order_items\".\"id\" = %s";
    // `self.lines(pk)` is OrderViewSet's own `lines`, not CustomerViewSet's (defined first).
    assert_at(locate(&index, "PH-TRACE001", "GET /api/orders/{pk}/", items), "orders/views.py:19 (lines)");
    // The list action loads customers, not order items: the detail query is not there.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/orders", items), "no query on order_items");
}

const FASTIFY_APP: &str = r#"const fastify = require('fastify')();
const users = require('./routes/users');

fastify.register(require('./routes/orders'), { prefix: '/api/orders' });
fastify.register(users, { prefix: '/api/users' });
fastify.listen({ port: 3000 });
"#;

const FASTIFY_ORDERS: &str = r#"const db = require('../db');

async function orderRoutes(fastify, opts) {
  fastify.get('/:id/items', async (request) => {
    const out = [];
    for (const line of request.body.lines) {
      out.push(await db.query('SELECT sku FROM order_items WHERE order_id = $1', [line]));
    }
    return out;
  });
}

module.exports = orderRoutes;
"#;

const FASTIFY_USERS: &str = r#"async function userRoutes(app) {
  app.get('/:id', async (request) => {
    return db.query('SELECT name FROM users WHERE id = $1', [request.params.id]);
  });
}

module.exports = userRoutes;
"#;

#[test]
fn fastify_plugins_registered_with_a_prefix() {
    let (_dir, index) = project(&[
        ("server.js", FASTIFY_APP),
        ("routes/orders.js", FASTIFY_ORDERS),
        ("routes/users.js", FASTIFY_USERS),
    ]);
    let items = "SELECT sku FROM order_items WHERE order_id = $1";
    assert_at(locate(&index, "PH-TRACE001", "GET /api/orders/{id}/items", items), "routes/orders.js:6-8");
    assert_not_found(locate(&index, "PH-TRACE001", "GET /{id}/items", items), "no route handler");
    // The users plugin's route is there (under its prefix), but issues one query, unlooped.
    let users = "SELECT name FROM users WHERE id = $1";
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/users/{id}", users), "no query on users");
}
