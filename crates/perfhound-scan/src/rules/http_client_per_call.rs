//! PH-SCAN006 `client-per-call`: an HTTP client or database connection created per call
//! instead of reused.
//!
//! **What it detects.** In a loop: module-level `requests.get/post/…`, `httpx.get/…`,
//! `urllib.request.urlopen` (a new connection each time), or a new
//! `requests.Session()`/`httpx.Client()`/`aiohttp.ClientSession()`. In a loop or a
//! request handler: a new connection or pool — `psycopg2.connect`, `psycopg.connect`,
//! `pymysql.connect`, `asyncpg.connect`/`create_pool`, `redis.Redis(…)`,
//! `create_engine(…)`; JS `new Pool()`, `new Client()`, `new PrismaClient()`,
//! `new Sequelize()`, `new Redis()`, `createClient()`, `mysql.createConnection/createPool`,
//! `axios.create()`.
//!
//! **Why it matters.** A new connection pays DNS, TCP and TLS handshakes (and database
//! authentication) on every call, and pools created per request never pool.
//!
//! **Example.**
//! ```javascript
//! app.get('/orders', async (req, res) => {
//!   const pool = new Pool();
//!   res.json((await pool.query('SELECT id FROM orders')).rows);
//! });
//! ```
//!
//! **Fix.** Create the client or pool once (module level or app startup) and reuse it:
//! `requests.Session()`, one `httpx.Client`, one `Pool`/`PrismaClient` per process.
//!
//! **Thresholds.** None: structural.

use super::call::call;
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::lang::Family;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN006",
        name: "client-per-call",
        severity: Severity::Warning,
        summary: "An HTTP client or database connection/pool created per request or per loop iteration.",
        why: "Each new connection pays DNS, TCP, TLS and authentication again, and a pool created per request never reuses anything.",
        fix: "Create the client, session or pool once (module level or at startup) and reuse it for every call.",
    },
    families: BOTH,
    kinds: &["call", "call_expression", "new_expression"],
    confidence: Confidence::High,
    check,
};

const PY_ONE_SHOT: &[&str] = &[
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.delete",
    "requests.head",
    "requests.request",
    "httpx.get",
    "httpx.post",
    "httpx.put",
    "httpx.patch",
    "httpx.delete",
    "httpx.request",
    "urllib.request.urlopen",
    "urlopen",
];
const PY_CLIENTS: &[&str] = &["requests.Session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession"];
const PY_CONNECTIONS: &[&str] = &[
    "psycopg2.connect",
    "psycopg.connect",
    "pymysql.connect",
    "asyncpg.connect",
    "asyncpg.create_pool",
    "redis.Redis",
    "redis.StrictRedis",
    "create_engine",
    "sqlalchemy.create_engine",
    "MongoClient",
    "pymongo.MongoClient",
];
const JS_NEW: &[&str] =
    &["Pool", "Client", "PrismaClient", "Sequelize", "Redis", "MongoClient", "pg.Pool", "pg.Client"];
const JS_CALLS: &[&str] =
    &["createClient", "redis.createClient", "mysql.createConnection", "mysql.createPool", "axios.create", "knex"];

fn check(ctx: &mut Ctx, node: Node) {
    let Some(callee) = callee(ctx, node) else { return };
    if in_setup_code(ctx) {
        return;
    }
    let in_loop = ctx.enclosing_loop(node);
    let per_request = || ctx.in_route_handler();
    let what = match ctx.family() {
        Family::Python if PY_ONE_SHOT.contains(&callee) && in_loop.is_some() => "a new HTTP connection",
        Family::Python if PY_CLIENTS.contains(&callee) && in_loop.is_some() => "a new HTTP client",
        Family::Python if PY_CONNECTIONS.contains(&callee) && (in_loop.is_some() || per_request()) => {
            "a new database/cache connection"
        }
        Family::Js
            if node.kind() == "new_expression" && JS_NEW.contains(&callee) && (in_loop.is_some() || per_request()) =>
        {
            "a new client/pool"
        }
        Family::Js if JS_CALLS.contains(&callee) && (in_loop.is_some() || per_request()) => "a new client/pool",
        _ => return,
    };
    let scope = if in_loop.is_some() { "loop iteration" } else { "request" };
    let context = in_loop.or_else(|| ctx.enclosing_function()).unwrap_or(node);
    let new = if node.kind() == "new_expression" { "new " } else { "" };
    let title = format!("`{new}{callee}(…)` opens {what} per {scope}: create it once and reuse it");
    ctx.report(&RULE, node, context, title, callee);
}

/// The constructor or function name of a call / `new` expression.
fn callee<'t>(ctx: &Ctx<'t>, node: Node<'t>) -> Option<&'t str> {
    if node.kind() == "new_expression" {
        return node.child_by_field_name("constructor").map(|c| ctx.src(c));
    }
    call(ctx, node).map(|c| ctx.src(c.callee))
}

/// Constructors and set-up functions (`__init__`, `constructor`, `init_pool`, `setup`)
/// run once: a loop there fills a pool instead of churning connections.
fn in_setup_code(ctx: &Ctx) -> bool {
    let Some(name) = ctx.enclosing_function().and_then(|f| ctx.function_name(f)) else { return false };
    let n = name.to_ascii_lowercase();
    n == "constructor" || n.contains("init") || n.contains("setup") || n.contains("pool") || n.contains("connect")
}
