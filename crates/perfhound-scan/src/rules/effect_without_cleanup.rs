//! PH-SCAN010 `effect-without-cleanup`: a React `useEffect` that subscribes to
//! something and returns no cleanup.
//!
//! **What it detects.** `useEffect(() => { … })` / `React.useEffect` whose callback
//! body calls `addEventListener`, `setInterval`, `.subscribe(`, `.observe(`, `.on(`, or
//! creates a `WebSocket`/`EventSource`/`*Observer`, and has no `return` at its top level.
//!
//! **Why it matters.** Every re-render or remount adds another listener, timer or
//! socket and none is removed: memory and CPU grow while the page stays open (the
//! seeds' dashboard memory leak), and handlers run against unmounted components.
//!
//! **Example.**
//! ```jsx
//! useEffect(() => {
//!   const ws = new WebSocket(url);
//!   ws.onmessage = (e) => setData(JSON.parse(e.data));
//! }, [url]);
//! ```
//!
//! **Fix.** Return a cleanup that undoes the subscription:
//! `return () => ws.close();`, `removeEventListener`, `clearInterval`, `unsubscribe()`,
//! `observer.disconnect()`.
//!
//! **Thresholds.** None: structural.

use super::call::{call, CALLS};
use super::{ScanRule, JS};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN010",
        name: "effect-without-cleanup",
        severity: Severity::Warning,
        summary: "A useEffect subscribes (listener, interval, WebSocket, observer) without returning a cleanup.",
        why: "Each render or remount adds another listener, timer or socket that is never removed: memory and CPU grow while the page is open.",
        fix: "Return a cleanup from the effect: removeEventListener, clearInterval, ws.close(), unsubscribe(), observer.disconnect().",
    },
    families: JS,
    kinds: CALLS,
    confidence: Confidence::High,
    check,
};

const SUBSCRIBE_CALLS: &[&str] = &["addEventListener", "setInterval", "subscribe", "observe", "on", "addListener"];
const SUBSCRIBE_NEW: &[&str] =
    &["WebSocket", "EventSource", "IntersectionObserver", "ResizeObserver", "MutationObserver", "BroadcastChannel"];

fn check(ctx: &mut Ctx, node: Node) {
    let Some(c) = call(ctx, node) else { return };
    if !matches!(ctx.src(c.callee), "useEffect" | "React.useEffect" | "useLayoutEffect" | "React.useLayoutEffect") {
        return;
    }
    let Some(body) = c.arg_nodes().first().and_then(|f| f.child_by_field_name("body")) else { return };
    if body.kind() != "statement_block" || has_return(body) {
        return;
    }
    let Some(what) = subscription(ctx, body) else { return };
    let title = format!("useEffect subscribes (`{what}`) without returning a cleanup: it leaks on every remount");
    ctx.report(&RULE, node, node, title, &what);
}

fn has_return(block: Node) -> bool {
    let mut c = block.walk();
    let found = block.named_children(&mut c).any(|s| s.kind() == "return_statement");
    found
}

/// The first subscribing call or construction in the effect body.
fn subscription(ctx: &Ctx, node: Node) -> Option<String> {
    match node.kind() {
        "call_expression" => {
            if let Some(c) = call(ctx, node) {
                if SUBSCRIBE_CALLS.contains(&c.name) {
                    return Some(format!("{}()", ctx.src(c.callee)));
                }
            }
        }
        "new_expression" => {
            let ctor = node.child_by_field_name("constructor").map(|c| ctx.src(c)).unwrap_or("");
            if SUBSCRIBE_NEW.contains(&ctor) {
                return Some(format!("new {ctor}()"));
            }
        }
        _ => {}
    }
    let mut c = node.walk();
    let children: Vec<Node> = node.named_children(&mut c).collect();
    children.into_iter().find_map(|ch| subscription(ctx, ch))
}
