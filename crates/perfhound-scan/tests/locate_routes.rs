//! FastAPI, Flask, Express and Fastify route forms, each in a small project written to a
//! temporary directory: `APIRouter(prefix=…)` included with a prefix and nested in another
//! router, `Depends`, async handlers with asyncpg and `httpx.AsyncClient`; blueprints with
//! `url_prefix` and `MethodView`s; Express `app.use('/x', router)` with the router in its
//! own module; Fastify plugins registered with a prefix. Each finding must land on the
//! loop that causes it; a path without its prefix is "not found", never a guess.

mod locate_project;

use locate_project::{assert_at, assert_not_found, locate, project};
use perfhound_scan::locate::SourceIndex;

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

const SERVICE_A: &str = r#"from flask import Flask

app = Flask(__name__)


@app.get("/orders")
def orders():
    return [db.execute("SELECT sku FROM order_items WHERE order_id = %s", (i,)) for i in range(5)]
"#;

const SERVICE_B: &str = r#"from fastapi import FastAPI

api = FastAPI()


@api.get("/orders")
async def orders():
    out = []
    for i in range(5):
        out.append(await conn.fetch("SELECT sku FROM order_items WHERE order_id = $1", i))
    return out


@api.get("/health")
async def health():
    return {"ok": True}
"#;

#[test]
fn two_services_with_the_same_route_are_not_chosen_between() {
    let (_dir, index) = project(&[("svc_a/app.py", SERVICE_A), ("svc_b/main.py", SERVICE_B)]);
    let items = "SELECT sku FROM order_items WHERE order_id = $1";
    let got = locate(&index, "PH-TRACE001", "GET /orders", items);
    assert_not_found(got.clone(), "2 handlers of GET /orders match");
    assert!(got.contains("svc_a/app.py:8 (orders)") && got.contains("svc_b/main.py:9-10 (orders)"), "{got}");
}
