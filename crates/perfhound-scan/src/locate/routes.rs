//! Route declarations → (method, path template, handler): Flask/FastAPI/Starlette
//! decorators (`@app.get("/x")`, `@bp.route("/x", methods=["POST"])`), Flask
//! `add_url_rule` and FastAPI `add_api_route`, Django `path()` / `re_path()` / `url()` in
//! urls.py (function views, wrapped views like `login_required(views.x)` and class-based
//! `views.X.as_view()`), Django REST framework `router.register("x", XViewSet)`, Express/Fastify/Koa-router calls (`app.get('/x', handler)`,
//! `router.post(...)`). Path parameters (`<int:id>`, `{id}`, `:id`) normalize to `{}`.
//! The path is relative to the route's *mount* (its router or pattern list); the full
//! path is joined from the mount's prefixes once the whole project is read (mounts.rs).

use crate::ctx::{Ctx, ROUTE_METHODS};
use crate::rules::call::{call, string_value};
use crate::syntax::Node;

/// A route and the node of its handler function (or the handler's name to look up).
#[derive(Clone, Debug)]
pub struct RouteDecl {
    /// Upper-case method, or `*` for any.
    pub method: String,
    /// Normalized path template (`/users/{}/prefs`), relative to the mount until the
    /// index joins the mount's prefixes.
    pub path: String,
    pub handler: Handler,
    /// The router or pattern list the route is declared on, as written (`app`,
    /// `router`, `urlpatterns`).
    pub mount: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handler {
    /// Byte range of the handler function in the same file.
    Node(usize, usize),
    /// A function to resolve in the project: `views.order_detail` → qualifier `views`,
    /// name `order_detail`.
    Name { qual: Option<String>, name: String },
    /// A class-based view (`views.OrderList.as_view()`): its method for the request's
    /// verb (`get`, `post`), or the whole class when it has none of its own.
    Class { qual: Option<String>, name: String },
    /// A Django REST framework viewset (`router.register("orders", OrderViewSet)`): its
    /// action for the verb on the list (`list`, `create`) or detail route (`retrieve`,
    /// `update`, `partial_update`, `destroy`), or the whole class.
    ViewSet { qual: Option<String>, name: String, detail: bool },
}

impl Handler {
    /// `views.order_detail` → `Name { qual: "views", name: "order_detail" }`.
    fn named(text: &str, class: bool) -> Handler {
        let (qual, name) = match text.rsplit_once('.') {
            Some((q, n)) => (Some(q.to_string()), n.to_string()),
            None => (None, text.to_string()),
        };
        if class {
            Handler::Class { qual, name }
        } else {
            Handler::Name { qual, name }
        }
    }
}

/// Routes declared by `node` (a decorated definition or a call), if any.
pub fn route_of(ctx: &Ctx, node: Node) -> Vec<RouteDecl> {
    match node.kind() {
        "decorated_definition" => decorated(ctx, node),
        "call" if is_drf_register(ctx, node) => drf_routes(ctx, node),
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
        let mount = ctx.src(dc.receiver.unwrap_or(expr)).to_string();
        for method in methods(ctx, &dc) {
            out.push(RouteDecl {
                method,
                path: normalize(&path),
                handler: Handler::Node(def.start_byte(), def.end_byte()),
                mount: mount.clone(),
            });
        }
    }
    out
}

/// `@app.get` → GET; `@app.route(..., methods=["GET", "POST"])` → each; `route` alone → GET.
fn methods(ctx: &Ctx, c: &crate::rules::call::Call) -> Vec<String> {
    if !matches!(c.name, "route" | "api_route" | "add_url_rule" | "add_api_route") {
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

/// `app.get('/x', mw, handler)` / `router.post(...)` / Django `path('x/', view)` /
/// `app.add_url_rule("/x", view_func=v)` / `app.add_api_route("/x", endpoint)`.
fn router_call(ctx: &Ctx, node: Node) -> Option<RouteDecl> {
    let c = call(ctx, node)?;
    let args = c.arg_nodes();
    let path = c.first_string(ctx)?;
    let last = *args.last()?;
    let python = ctx.family() == crate::lang::Family::Python;
    if c.receiver.is_none() && matches!(c.name, "path" | "re_path" | "url") && python {
        let handler = django_view(ctx, *args.get(1)?)?;
        let path = path.trim_start_matches('^').trim_end_matches('$');
        let mount = super::mounts::pattern_list(ctx, node);
        return Some(RouteDecl { method: "*".into(), path: normalize(path), handler, mount });
    }
    if matches!(c.name, "add_url_rule" | "add_api_route") && python {
        let view = match c.name {
            "add_url_rule" => c.keyword(ctx, "view_func").or(args.get(2).copied()),
            _ => c.keyword(ctx, "endpoint").or(args.get(1).copied()),
        }?;
        let method = if c.keyword(ctx, "methods").is_some() { methods(ctx, &c) } else { vec!["*".into()] };
        let handler = django_view(ctx, view)?;
        let mount = ctx.src(c.receiver?).to_string();
        return Some(RouteDecl { method: method.first()?.clone(), path: normalize(&path), handler, mount });
    }
    let recv = ctx.src(c.receiver?).to_ascii_lowercase();
    let routerish = ["app", "router", "fastify", "server", "api", "routes"].iter().any(|w| recv.ends_with(w));
    if !routerish || !ROUTE_METHODS.contains(&c.name) || args.len() < 2 || !path.starts_with('/') {
        return None;
    }
    let method = if c.name == "all" { "*".to_string() } else { c.name.to_ascii_uppercase() };
    let handler = match last.kind() {
        "arrow_function" | "function_expression" | "function" => Handler::Node(last.start_byte(), last.end_byte()),
        "identifier" | "member_expression" => Handler::named(ctx.src(last), false),
        _ => return None,
    };
    let mount = plugin_of(ctx, node, ctx.src(c.receiver?)).unwrap_or_else(|| ctx.src(c.receiver.unwrap()).into());
    Some(RouteDecl { method, path: normalize(&path), handler, mount })
}

/// A Fastify plugin (`async function orders(fastify, opts) { fastify.get(...) }`): the
/// routes declared on its first parameter are mounted where the plugin is registered, so
/// their mount is the plugin function's name.
fn plugin_of(ctx: &Ctx, node: Node, recv: &str) -> Option<String> {
    let mut n = node.parent();
    while let Some(f) = n {
        if crate::ctx::is_function(f) {
            let params = f.child_by_field_name("parameters")?;
            let first = params.named_child(0)?;
            return (ctx.src(first) == recv).then(|| ctx.function_name(f)).flatten();
        }
        n = f.parent();
    }
    None
}

/// `router.register(r"orders", views.OrderViewSet)` on a DRF `DefaultRouter`/`SimpleRouter`.
fn is_drf_register(ctx: &Ctx, node: Node) -> bool {
    call(ctx, node).is_some_and(|c| {
        c.name == "register"
            && c.receiver.is_some_and(|r| ctx.src(r).to_ascii_lowercase().ends_with("router"))
            && c.first_string(ctx).is_some()
            && c.arg_nodes().get(1).is_some_and(|v| matches!(v.kind(), "identifier" | "attribute"))
    })
}

/// The list route (`orders/`) and the detail route (`orders/{pk}/`) of a registered viewset.
fn drf_routes(ctx: &Ctx, node: Node) -> Vec<RouteDecl> {
    let Some(c) = call(ctx, node) else { return Vec::new() };
    let (Some(prefix), Some(view), Some(recv)) = (c.first_string(ctx), c.arg_nodes().get(1).copied(), c.receiver)
    else {
        return Vec::new();
    };
    let Handler::Name { qual, name } = Handler::named(ctx.src(view), false) else { return Vec::new() };
    let prefix = prefix.trim_start_matches('^').trim_end_matches('$');
    [(false, normalize(prefix)), (true, normalize(&format!("{prefix}/{{pk}}")))]
        .into_iter()
        .map(|(detail, path)| RouteDecl {
            method: "*".into(),
            path,
            handler: Handler::ViewSet { qual: qual.clone(), name: name.clone(), detail },
            mount: ctx.src(recv).to_string(),
        })
        .collect()
}

/// The view of a Django `path()`: `views.x`, `x`, `views.X.as_view()`, or a wrapped view
/// (`login_required(views.x)`, `cache_page(60)(views.x)`). `include(…)` is no view.
fn django_view(ctx: &Ctx, node: Node) -> Option<Handler> {
    match node.kind() {
        "identifier" | "attribute" => Some(Handler::named(ctx.src(node), false)),
        "call" => {
            let c = call(ctx, node);
            if let Some(c) = c.filter(|c| c.name == "as_view") {
                return Some(Handler::named(ctx.src(c.receiver?), true));
            }
            if c.is_some_and(|c| c.name == "include" && c.receiver.is_none()) {
                return None;
            }
            let wrapped =
                call_args(node).into_iter().rev().find(|a| matches!(a.kind(), "identifier" | "attribute" | "call"))?;
            django_view(ctx, wrapped)
        }
        _ => None,
    }
}

/// Positional arguments of any call node (also `f(x)(y)`, whose callee is a call).
fn call_args(node: Node) -> Vec<Node> {
    let Some(args) = node.child_by_field_name("arguments") else { return Vec::new() };
    let mut c = args.walk();
    args.named_children(&mut c).filter(|a| a.kind() != "comment" && a.kind() != "keyword_argument").collect()
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
