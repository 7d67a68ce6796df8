//! Reading calls, member chains and string literals the same way in both grammars
//! (Python `call`/`attribute`/`string`; JS `call_expression`/`member_expression`/`string`).

use crate::ctx::Ctx;
use crate::syntax::Node;

/// Call node kinds a rule asks for.
pub const CALLS: &[&str] = &["call", "call_expression"];

/// A call `receiver.method(args)` or `name(args)`.
#[derive(Clone, Copy, Debug)]
pub struct Call<'t> {
    pub node: Node<'t>,
    pub callee: Node<'t>,
    /// The object of a method call (`session` in `session.query(...)`).
    pub receiver: Option<Node<'t>>,
    /// The method or function name (`query`, `get`, `print`).
    pub name: &'t str,
    pub args: Option<Node<'t>>,
}

/// Reads a call node of either grammar.
pub fn call<'t>(ctx: &Ctx<'t>, node: Node<'t>) -> Option<Call<'t>> {
    if !matches!(node.kind(), "call" | "call_expression") {
        return None;
    }
    let callee = node.child_by_field_name("function")?;
    let args = node.child_by_field_name("arguments");
    let (receiver, name) = match callee.kind() {
        "attribute" => (callee.child_by_field_name("object"), callee.child_by_field_name("attribute")?),
        "member_expression" => (callee.child_by_field_name("object"), callee.child_by_field_name("property")?),
        "identifier" => (None, callee),
        _ => return None,
    };
    Some(Call { node, callee, receiver, name: ctx.src(name), args })
}

impl<'t> Call<'t> {
    /// The receiver's source text (`''` for a plain function call).
    pub fn receiver_text(&self, ctx: &Ctx<'t>) -> &'t str {
        self.receiver.map(|r| ctx.src(r)).unwrap_or("")
    }

    /// The last name of the receiver chain: `session` for `db.session.query`.
    pub fn receiver_last(&self, ctx: &Ctx<'t>) -> &'t str {
        let text = self.receiver_text(ctx);
        text.rsplit(['.', ')', '(']).next().unwrap_or(text)
    }

    /// The positional arguments (comments and punctuation skipped).
    pub fn arg_nodes(&self) -> Vec<Node<'t>> {
        let Some(args) = self.args else { return Vec::new() };
        let mut c = args.walk();
        args.named_children(&mut c).filter(|n| n.kind() != "comment").collect()
    }

    /// The first argument's string value, when it is a plain string literal.
    pub fn first_string(&self, ctx: &Ctx<'t>) -> Option<String> {
        self.arg_nodes().first().and_then(|a| string_value(ctx, *a))
    }

    /// A keyword argument `name=value` (Python).
    pub fn keyword(&self, ctx: &Ctx<'t>, name: &str) -> Option<Node<'t>> {
        self.arg_nodes().into_iter().find_map(|a| {
            (a.kind() == "keyword_argument" && a.child_by_field_name("name").is_some_and(|n| ctx.src(n) == name))
                .then(|| a.child_by_field_name("value"))
                .flatten()
        })
    }
}

/// The text of a string literal (quotes and Python prefixes removed; f-strings and
/// templates keep their `{…}` parts verbatim). `None` for anything else.
pub fn string_value(ctx: &Ctx, node: Node) -> Option<String> {
    match node.kind() {
        "string" | "template_string" => {}
        "concatenated_string" => {
            let mut c = node.walk();
            let parts: Vec<String> = node.named_children(&mut c).filter_map(|n| string_value(ctx, n)).collect();
            return Some(parts.concat());
        }
        _ => return None,
    }
    let text = ctx.src(node);
    let body = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let quote = body.chars().next()?;
    let q = if body.starts_with("\"\"\"") || body.starts_with("'''") { 3 } else { 1 };
    let inner = body.get(q..body.len().saturating_sub(q)).unwrap_or("");
    (quote == '"' || quote == '\'' || quote == '`').then(|| inner.to_string())
}

/// True when `name` appears as an identifier anywhere under `node`.
pub fn mentions(ctx: &Ctx, node: Node, name: &str) -> bool {
    if matches!(node.kind(), "identifier" | "shorthand_property_identifier") && ctx.src(node) == name {
        return true;
    }
    let mut c = node.walk();
    let found = node.children(&mut c).any(|ch| mentions(ctx, ch, name));
    found
}

/// The statement (direct child of a block/module) that contains the innermost ancestor
/// chain ending at `node`; the node itself when the stack is empty.
pub fn statement_of<'t>(ctx: &Ctx<'t>, node: Node<'t>) -> Node<'t> {
    let mut child = node;
    for n in ctx.stack.iter().rev() {
        if matches!(n.kind(), "block" | "module" | "statement_block" | "program") {
            return child;
        }
        child = *n;
    }
    child
}

/// The values assigned to `name` in `scope` (nested functions excluded): Python
/// `name = v`, JS `let/const name = v` and `name = v`.
pub fn assigned_values<'t>(ctx: &Ctx<'t>, scope: Node<'t>, name: &str, out: &mut Vec<Node<'t>>) {
    let mut c = scope.walk();
    for ch in scope.named_children(&mut c) {
        if crate::ctx::is_function(ch) {
            continue;
        }
        let (l, r) = match ch.kind() {
            "assignment" | "assignment_expression" => ("left", "right"),
            "variable_declarator" => ("name", "value"),
            _ => ("", ""),
        };
        if !l.is_empty() && ch.child_by_field_name(l).is_some_and(|n| ctx.src(n) == name) {
            if let Some(v) = ch.child_by_field_name(r) {
                out.push(v);
            }
        }
        assigned_values(ctx, ch, name, out);
    }
}

/// The values assigned to `name` in the innermost enclosing function (then the next one
/// out, then the module) that assigns it at all.
pub fn binding_values<'t>(ctx: &Ctx<'t>, name: &str) -> Vec<Node<'t>> {
    let scopes = ctx.stack.iter().rev().filter(|n| crate::ctx::is_function(**n)).chain(ctx.stack.first());
    for scope in scopes {
        let body = scope.child_by_field_name("body").unwrap_or(*scope);
        let mut out = Vec::new();
        assigned_values(ctx, body, name, &mut out);
        if !out.is_empty() {
            return out;
        }
    }
    Vec::new()
}
