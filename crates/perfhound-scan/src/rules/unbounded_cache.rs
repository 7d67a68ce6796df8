//! PH-SCAN008 `unbounded-cache`: a cache that never evicts.
//!
//! **What it detects.** `@functools.cache` or `@lru_cache(maxsize=None)` on a method
//! (the cache holds every `self` forever); a module-level dict (Python `_cache = {}`)
//! or Map/object (JS `const cache = new Map()`) whose name says cache, that the file
//! fills (`cache[k] = v`, `cache.set(k, v)`) and never evicts from (`pop`, `del`,
//! `clear`, `popitem`, `.delete`, `delete cache[k]`).
//!
//! **Why it matters.** Memory grows with every distinct key for the life of the
//! process: a slow leak that ends in swapping or an OOM kill, and a method cache keeps
//! every instance (and what it references) alive.
//!
//! **Example.**
//! ```python
//! _price_cache = {}
//! def price(sku):
//!     if sku not in _price_cache:
//!         _price_cache[sku] = load_price(sku)
//!     return _price_cache[sku]
//! ```
//!
//! **Fix.** Bound it: `@lru_cache(maxsize=1024)`, `cachetools.TTLCache`/`LRUCache`, an
//! `lru-cache` package in JS, or Redis with a TTL; for methods, cache on a module-level
//! function of the arguments or use `functools.cached_property`.
//!
//! **Thresholds.** None: structural.

use super::call::call;
use super::{ScanRule, BOTH};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN008",
        name: "unbounded-cache",
        severity: Severity::Warning,
        summary: "A cache without a size bound or eviction (method @cache / lru_cache(maxsize=None), module-level dict/Map cache).",
        why: "Memory grows with every distinct key for the life of the process, and a cache on a method keeps every instance alive.",
        fix: "Bound the cache (lru_cache(maxsize=N), cachetools.TTLCache/LRUCache, lru-cache in JS, Redis with a TTL).",
    },
    families: BOTH,
    kinds: &["decorated_definition", "module", "program"],
    confidence: Confidence::Medium,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    if node.kind() == "decorated_definition" {
        return method_cache(ctx, node);
    }
    let mut c = node.walk();
    for stmt in node.named_children(&mut c) {
        if let Some((name, decl)) = cache_binding(ctx, stmt) {
            if fills(ctx.text, name) && !evicts(ctx.text, name) {
                let title = format!("module-level cache `{name}` grows without bound (never evicted)");
                ctx.report(&RULE, decl, decl, title, name);
            }
        }
    }
}

fn method_cache(ctx: &mut Ctx, node: Node) {
    let Some(def) = node.child_by_field_name("definition") else { return };
    let first_param = def.child_by_field_name("parameters").and_then(|p| p.named_child(0)).map(|p| ctx.src(p));
    if first_param != Some("self") {
        return;
    }
    let mut c = node.walk();
    let decorators: Vec<Node> = node.children(&mut c).filter(|d| d.kind() == "decorator").collect();
    for d in decorators {
        let mut dc = d.walk();
        let Some(expr) = d.named_children(&mut dc).find(|n| n.kind() != "comment") else { continue };
        let text = ctx.src(expr).replace(' ', "");
        let unbounded = matches!(text.as_str(), "cache" | "functools.cache")
            || (text.contains("lru_cache(") && text.contains("maxsize=None"));
        if unbounded {
            let name = def.child_by_field_name("name").map(|n| ctx.src(n)).unwrap_or("?");
            let title = format!("`@{text}` on method `{name}` keeps every instance alive and never evicts");
            ctx.report(&RULE, d, d, title, name);
        }
    }
}

/// `name = {}` / `name = dict()` (Python) or `const name = new Map()` / `{}` (JS) at
/// module level, where the name says cache.
fn cache_binding<'t>(ctx: &Ctx<'t>, stmt: Node<'t>) -> Option<(&'t str, Node<'t>)> {
    let (target, value) = match stmt.kind() {
        "expression_statement" => {
            let a = stmt.named_child(0).filter(|a| a.kind() == "assignment")?;
            (a.child_by_field_name("left")?, a.child_by_field_name("right")?)
        }
        "lexical_declaration" | "variable_declaration" => {
            let d = stmt.named_child(0)?;
            (d.child_by_field_name("name")?, d.child_by_field_name("value")?)
        }
        _ => return None,
    };
    let name = ctx.src(target);
    if target.kind() != "identifier" || !name.to_ascii_lowercase().contains("cache") {
        return None;
    }
    let empty = match value.kind() {
        "dictionary" | "object" => value.named_child_count() == 0,
        "call" => {
            call(ctx, value).is_some_and(|c| c.receiver.is_none() && c.name == "dict" && c.arg_nodes().is_empty())
        }
        "new_expression" => value.child_by_field_name("constructor").is_some_and(|c| ctx.src(c) == "Map"),
        _ => false,
    };
    empty.then_some((name, stmt))
}

fn fills(text: &str, name: &str) -> bool {
    text.contains(&format!("{name}[")) && text.contains("] =")
        || text.contains(&format!("{name}.set("))
        || text.contains(&format!("{name}.setdefault("))
}

fn evicts(text: &str, name: &str) -> bool {
    [".pop(", ".popitem(", ".clear(", ".delete(", ".shift("].iter().any(|m| text.contains(&format!("{name}{m}")))
        || text.contains(&format!("del {name}["))
        || text.contains(&format!("delete {name}["))
        || text.contains(&format!("len({name})"))
        || text.contains(&format!("{name}.size"))
}
