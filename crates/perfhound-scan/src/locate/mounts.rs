//! Where routers are mounted, so a route's full path is known: FastAPI
//! `APIRouter(prefix=…)` + `app.include_router(r, prefix=…)`, Flask
//! `Blueprint(url_prefix=…)` + `app.register_blueprint(bp, url_prefix=…)`, Starlette
//! `app.mount("/x", sub)`, Express `app.use('/x', router)`, Fastify
//! `app.register(plugin, { prefix: '/x' })` and Django
//! `path("api/", include("shop.urls"))` (nested at any depth). A route is declared on a
//! *mount* — the router variable, or the Django pattern list it sits in — and its path is
//! every chain of prefixes leading to that mount, plus its own.

use crate::ctx::Ctx;
use crate::rules::call::{call, string_value, Call};
use crate::syntax::Node;

/// A router or pattern list: the variable `name` in file `file`.
pub type MountKey = (usize, String);

/// What one node says about mounts, before names are resolved across files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// `name = APIRouter(prefix="/x")`: the mount's own prefix.
    Prefix { name: String, prefix: String },
    /// `parent.include_router(child, prefix=…)`, `path("x/", include(child))`, …: `child`
    /// is an expression (`router`, `orders.router`) or a Django module (`"shop.urls"`).
    Include { parent: String, child: Child, prefix: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Child {
    /// A name or attribute chain as written (`router`, `views.router`).
    Expr(String),
    /// A dotted module whose `urlpatterns` are included (Django's `include("a.urls")`).
    UrlConf(String),
    /// A JS module whose default export is the child (`require('./routes/orders')`).
    Module(String),
}

/// Mount facts of a call node.
pub fn facts(ctx: &Ctx, node: Node) -> Vec<Fact> {
    let Some(c) = call(ctx, node) else { return Vec::new() };
    match c.name {
        "APIRouter" | "Blueprint" | "APIBlueprint" => own_prefix(ctx, node, &c).into_iter().collect(),
        "include_router" | "register_blueprint" => {
            let (Some(parent), Some(child)) = (c.receiver, c.arg_nodes().first().copied()) else { return Vec::new() };
            let prefix = keyword_string(ctx, &c, &["prefix", "url_prefix"]).unwrap_or_default();
            vec![Fact::Include { parent: ctx.src(parent).into(), child: Child::Expr(ctx.src(child).into()), prefix }]
        }
        "mount" | "use" => mounted(ctx, &c).into_iter().collect(),
        "register" if ctx.family() == crate::lang::Family::Js => fastify_register(ctx, &c).into_iter().collect(),
        "path" | "re_path" | "url" if c.receiver.is_none() => django_include(ctx, node, &c).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn keyword_string(ctx: &Ctx, c: &Call, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| c.keyword(ctx, n)).and_then(|v| string_value(ctx, v))
}

/// `router = APIRouter(prefix="/orders")` / `bp = Blueprint("x", __name__, url_prefix="/x")`.
fn own_prefix(ctx: &Ctx, node: Node, c: &Call) -> Option<Fact> {
    let prefix = keyword_string(ctx, c, &["prefix", "url_prefix"])?;
    let assignment = node.parent().filter(|p| p.kind() == "assignment")?;
    let name = ctx.src(assignment.child_by_field_name("left")?).to_string();
    Some(Fact::Prefix { name, prefix })
}

/// `app.mount("/static", sub_app)` / `app.use('/api', router)`: a prefix and a child.
fn mounted(ctx: &Ctx, c: &Call) -> Option<Fact> {
    let parent = ctx.src(c.receiver?).to_string();
    let args = c.arg_nodes();
    let prefix = string_value(ctx, *args.first()?)?;
    let child = *args.last().filter(|_| args.len() >= 2)?;
    matches!(child.kind(), "identifier" | "attribute" | "member_expression").then(|| Fact::Include {
        parent,
        child: Child::Expr(ctx.src(child).into()),
        prefix,
    })
}

/// Fastify `app.register(orders, { prefix: '/orders' })` /
/// `app.register(require('./routes/orders'), { prefix: … })`: the plugin is a child mount.
fn fastify_register(ctx: &Ctx, c: &Call) -> Option<Fact> {
    let args = c.arg_nodes();
    let plugin = *args.first()?;
    let child = match call(ctx, plugin) {
        Some(r) if r.name == "require" && r.receiver.is_none() => Child::Module(r.first_string(ctx)?),
        _ if plugin.kind() == "identifier" || plugin.kind() == "member_expression" => {
            Child::Expr(ctx.src(plugin).into())
        }
        _ => return None,
    };
    let prefix = args.get(1).and_then(|o| object_string(ctx, *o, "prefix")).unwrap_or_default();
    Some(Fact::Include { parent: ctx.src(c.receiver?).into(), child, prefix })
}

/// The string value of `key` in a JS object literal (`{ prefix: '/x' }`).
fn object_string(ctx: &Ctx, obj: Node, key: &str) -> Option<String> {
    let mut cur = obj.walk();
    let pairs: Vec<Node> = obj.named_children(&mut cur).filter(|p| p.kind() == "pair").collect();
    let pair = pairs.into_iter().find(|p| p.child_by_field_name("key").is_some_and(|k| ctx.src(k) == key))?;
    string_value(ctx, pair.child_by_field_name("value")?)
}

/// `path("api/", include("shop.urls"))`, `include(("shop.urls", "shop"))`,
/// `include(shop_urls)`, `include(extra_patterns)`, in the pattern list it is part of.
fn django_include(ctx: &Ctx, node: Node, c: &Call) -> Option<Fact> {
    let args = c.arg_nodes();
    let prefix = string_value(ctx, *args.first()?)?;
    let inc = call(ctx, *args.get(1)?).filter(|i| i.name == "include" && i.receiver.is_none())?;
    let mut arg = *inc.arg_nodes().first()?;
    if matches!(arg.kind(), "tuple" | "list") {
        arg = arg.named_child(0)?;
    }
    let child = match string_value(ctx, arg) {
        Some(module) => Child::UrlConf(module),
        None => Child::Expr(ctx.src(arg).to_string()),
    };
    let prefix = prefix.trim_start_matches('^').trim_end_matches('$').to_string();
    Some(Fact::Include { parent: pattern_list(ctx, node), child, prefix })
}

/// The variable a Django `path()` is assigned into (`urlpatterns = [...]`,
/// `extra = [...]`, `urlpatterns += [...]`); `urlpatterns` when it is not assigned.
pub fn pattern_list(ctx: &Ctx, node: Node) -> String {
    let mut n = node.parent();
    while let Some(p) = n {
        if matches!(p.kind(), "assignment" | "augmented_assignment") {
            if let Some(left) = p.child_by_field_name("left").filter(|l| l.kind() == "identifier") {
                return ctx.src(left).to_string();
            }
        }
        n = p.parent();
    }
    "urlpatterns".into()
}

/// Joins path prefixes: `/api` + `items/` + `/{id}` → `/api/items/{id}` (before
/// normalization).
pub fn join(parts: &[&str]) -> String {
    let segs: Vec<&str> = parts.iter().flat_map(|p| p.split('/')).filter(|s| !s.is_empty()).collect();
    format!("/{}", segs.join("/"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_prefixes() {
        assert_eq!(super::join(&["/api", "items/", "/{id}"]), "/api/items/{id}");
        assert_eq!(super::join(&["", "", "/"]), "/");
        assert_eq!(super::join(&["api/", "v1/", "orders/<int:pk>/"]), "/api/v1/orders/<int:pk>");
    }
}
