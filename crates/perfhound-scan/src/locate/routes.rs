//! Route declarations → (method, path template, handler): Flask/FastAPI/Starlette
//! decorators (`@app.get("/x")`, `@bp.route("/x", methods=["POST"])`), Django `path()` /
//! `re_path()` in urls.py, Express/Fastify/Koa-router calls (`app.get('/x', handler)`,
//! `router.post(...)`). Path parameters (`<int:id>`, `{id}`, `:id`) normalize to `{}`.

use crate::ctx::{Ctx, ROUTE_METHODS};
use crate::rules::call::{call, string_value};
use crate::syntax::Node;

/// A route and the node of its handler function (or the handler's name to look up).
#[derive(Clone, Debug)]
pub struct RouteDecl {
    /// Upper-case method, or `*` for any.
    pub method: String,
    /// Normalized path template (`/users/{}/prefs`).
    pub path: String,
    pub handler: Handler,
}

#[derive(Clone, Debug)]
pub enum Handler {
    /// Byte range of the handler function in the same file.
    Node(usize, usize),
    /// A name to resolve in the project (`views.order_detail` → `order_detail`).
    Name(String),
}

/// Routes declared by `node` (a decorated definition or a call), if any.
pub fn route_of(ctx: &Ctx, node: Node) -> Vec<RouteDecl> {
    match node.kind() {
        "decorated_definition" => decorated(ctx, node),
        "call" | "call_expression" => router_call(ctx, node).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn decorated(ctx: &Ctx, node: Node) -> Vec<RouteDecl> {
    let Some(def) = node.child_by_field_name("definition") else { return Vec::new() };
    let mut out = Vec::new();
    let mut c = node.walk();
    for d in node.children(&mut c).filter(|d| d.kind() == "decorator") {
        let Some(expr) = d.named_child(0) else { continue };
        let Some(dc) = call(ctx, expr) else { continue };
        if !ROUTE_METHODS.contains(&dc.name) || dc.receiver.is_none() {
            continue;
        }
        let Some(path) = dc.first_string(ctx) else { continue };
        for method in methods(ctx, &dc) {
            out.push(RouteDecl {
                method,
                path: normalize(&path),
                handler: Handler::Node(def.start_byte(), def.end_byte()),
            });
        }
    }
    out
}

/// `@app.get` → GET; `@app.route(..., methods=["GET", "POST"])` → each; `route` alone → GET.
fn methods(ctx: &Ctx, c: &crate::rules::call::Call) -> Vec<String> {
    if c.name != "route" && c.name != "api_route" {
        return vec![c.name.to_ascii_uppercase()];
    }
    let Some(list) = c.keyword(ctx, "methods") else { return vec!["GET".into()] };
    let mut cur = list.walk();
    let v: Vec<String> =
        list.named_children(&mut cur).filter_map(|m| string_value(ctx, m)).map(|m| m.to_ascii_uppercase()).collect();
    if v.is_empty() {
        vec!["GET".into()]
    } else {
        v
    }
}

/// `app.get('/x', mw, handler)` / `router.post(...)` / Django `path('x/', view)`.
fn router_call(ctx: &Ctx, node: Node) -> Option<RouteDecl> {
    let c = call(ctx, node)?;
    let args = c.arg_nodes();
    let path = c.first_string(ctx)?;
    let last = *args.last()?;
    if c.receiver.is_none() && matches!(c.name, "path" | "re_path") && ctx.family() == crate::lang::Family::Python {
        let name = ctx.src(last).rsplit('.').next()?.to_string();
        let path = format!("/{}", path.trim_start_matches('^').trim_end_matches('$').trim_start_matches('/'));
        return Some(RouteDecl { method: "*".into(), path: normalize(&path), handler: Handler::Name(name) });
    }
    let recv = ctx.src(c.receiver?).to_ascii_lowercase();
    let routerish = ["app", "router", "fastify", "server", "api", "routes"].iter().any(|w| recv.ends_with(w));
    if !routerish || !ROUTE_METHODS.contains(&c.name) || args.len() < 2 || !path.starts_with('/') {
        return None;
    }
    let method = if c.name == "all" { "*".to_string() } else { c.name.to_ascii_uppercase() };
    let handler = match last.kind() {
        "arrow_function" | "function_expression" | "function" => Handler::Node(last.start_byte(), last.end_byte()),
        "identifier" | "member_expression" => Handler::Name(ctx.src(last).rsplit('.').next()?.to_string()),
        _ => return None,
    };
    Some(RouteDecl { method, path: normalize(&path), handler })
}

/// `/users/<int:id>/x`, `/users/{id}/x`, `/users/:id/x`, `users/<id>/` → `/users/{}/x`.
pub fn normalize(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let segs: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let param = (s.starts_with('<') && s.ends_with('>'))
                || (s.starts_with('{') && s.ends_with('}'))
                || s.starts_with(':')
                || s.starts_with('(');
            if param {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("/{}", segs.join("/"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalizes_templates() {
        for p in ["/users/<int:id>/prefs", "/users/{id}/prefs", "/users/:id/prefs", "users/<id>/prefs/"] {
            assert_eq!(super::normalize(p), "/users/{}/prefs", "{p}");
        }
        assert_eq!(super::normalize("/"), "/");
    }
}
