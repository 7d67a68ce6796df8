//! PH-SCAN007 `blocking-call-in-async`: synchronous I/O or sleep inside an async
//! function.
//!
//! **What it detects.** Inside `async def`: `time.sleep`, `requests.*`,
//! `urllib.request.urlopen`, `subprocess.run/call/check_output`, `psycopg2.connect`,
//! `sqlite3.connect`, `socket.create_connection`. Inside an `async` JS function:
//! `fs.readFileSync`/`writeFileSync`/`appendFileSync`, `child_process.execSync`/`spawnSync`
//! (also called without the module prefix).
//!
//! **Why it matters.** The event loop runs one thing at a time: a blocking call stalls
//! every other request on the process for its whole duration, so latency of unrelated
//! requests rises with the blocked time.
//!
//! **Example.**
//! ```python
//! async def handler(request):
//!     r = requests.get(URL)      # blocks the loop
//! ```
//!
//! **Fix.** Use the async equivalent (`await asyncio.sleep`, `httpx.AsyncClient`,
//! `asyncio.create_subprocess_exec`, `fs.promises`, `asyncpg`/`aiosqlite`) or move the call
//! to a thread (`await asyncio.to_thread(f)`).
//!
//! **Thresholds.** None: structural.

use super::call::{call, CALLS};
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::lang::Family;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN007",
        name: "blocking-call-in-async",
        severity: Severity::Warning,
        summary: "Synchronous I/O or sleep inside an async function blocks the event loop.",
        why: "The event loop runs one task at a time: a blocking call stalls every other request on the process for as long as it lasts.",
        fix: "Use the async equivalent (asyncio.sleep, httpx.AsyncClient, aiosqlite/asyncpg, fs.promises) or run it in a thread (asyncio.to_thread).",
    },
    families: BOTH,
    kinds: CALLS,
    confidence: Confidence::High,
    check,
};

const PY_BLOCKING: &[&str] = &[
    "time.sleep",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.delete",
    "requests.request",
    "requests.head",
    "urllib.request.urlopen",
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_output",
    "subprocess.check_call",
    "psycopg2.connect",
    "sqlite3.connect",
    "socket.create_connection",
];
const JS_BLOCKING: &[&str] =
    &["readFileSync", "writeFileSync", "appendFileSync", "execSync", "spawnSync", "execFileSync"];

fn check(ctx: &mut Ctx, node: Node) {
    let Some(c) = call(ctx, node) else { return };
    let callee = ctx.src(c.callee);
    let blocking = match ctx.family() {
        Family::Python => PY_BLOCKING.contains(&callee),
        Family::Js => {
            JS_BLOCKING.contains(&c.name) && matches!(c.receiver_text(ctx), "" | "fs" | "child_process" | "cp")
        }
    };
    if !blocking || !ctx.in_async_function() {
        return;
    }
    let Some(f) = ctx.enclosing_function() else { return };
    let title = format!("blocking `{callee}(…)` inside an async function stalls the event loop");
    ctx.report(&RULE, node, statement_line(ctx, node, f), title, callee);
}

/// The statement holding the call (the excerpt), not the whole function.
fn statement_line<'t>(ctx: &Ctx<'t>, node: Node<'t>, _f: Node<'t>) -> Node<'t> {
    super::call::statement_of(ctx, node)
}
