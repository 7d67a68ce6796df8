//! What a rule sees while the one tree walk visits a node: the file's text, its language
//! and the node's ancestors (innermost last), with the questions most rules ask — "is this
//! inside a loop of the same function?", "which function is this in?", "is it async?".

use crate::lang::{Family, Lang};
use crate::rules::ScanRule;
use crate::syntax::Node;
use perfhound_model::Severity;

/// One match of a rule, before it becomes a model finding.
#[derive(Clone, Debug)]
pub struct Hit {
    pub rule: &'static ScanRule,
    pub severity: Severity,
    pub title: String,
    /// 1-based line and column of the offending node.
    pub line: usize,
    pub column: usize,
    /// 1-based first and last line of the context shown as "current implementation".
    pub context: (usize, usize),
    /// The enclosing function's name, when there is one.
    pub function: Option<String>,
    /// What identifies the problem independently of line numbers (for the fingerprint).
    pub key: String,
}

/// The state of the walk at one node.
pub struct Ctx<'t> {
    pub text: &'t str,
    pub lang: Lang,
    /// Ancestors of the visited node, root first.
    pub stack: &'t [Node<'t>],
    pub hits: &'t mut Vec<Hit>,
}

/// Array methods whose callback runs once per element (a JS "loop").
const ITER_METHODS: &[&str] = &["forEach", "map", "flatMap", "filter", "reduce", "some", "every", "find", "findIndex"];

impl<'t> Ctx<'t> {
    pub fn family(&self) -> Family {
        self.lang.family()
    }

    /// The source text of a node.
    pub fn src(&self, n: Node) -> &'t str {
        n.utf8_text(self.text.as_bytes()).unwrap_or("")
    }

    /// The innermost loop around `node` within the same function (a Python `for`/`while`
    /// or comprehension; a JS loop statement or the callback of `forEach`/`map`/…). The
    /// iterable of a `for` runs once, so a node inside it is not "in" that loop.
    pub fn enclosing_loop(&self, node: Node<'t>) -> Option<Node<'t>> {
        for (i, n) in self.stack.iter().enumerate().rev() {
            let child = self.stack.get(i + 1).copied().unwrap_or(node);
            if is_loop(*n) && !self.in_iterable(*n, child, i, node) {
                return Some(*n);
            }
            if is_function(*n) {
                return self.iteration_callback(i);
            }
        }
        None
    }

    /// True when `child` (of `stack[i]`, the loop) is the loop's iterable.
    fn in_iterable(&self, lp: Node<'t>, child: Node<'t>, i: usize, node: Node<'t>) -> bool {
        if matches!(lp.kind(), "for_statement" | "for_in_statement") {
            return lp.child_by_field_name("right").is_some_and(|r| r.id() == child.id());
        }
        if child.kind() == "for_in_clause" {
            let grand = self.stack.get(i + 2).copied().unwrap_or(node);
            return child.child_by_field_name("right").is_some_and(|r| r.id() == grand.id());
        }
        false
    }

    /// The call `xs.forEach(fn)` whose callback is the function at `stack[i]`, if it is one.
    fn iteration_callback(&self, i: usize) -> Option<Node<'t>> {
        let args = self.stack.get(i.checked_sub(1)?)?;
        let call = self.stack.get(i.checked_sub(2)?)?;
        if args.kind() != "arguments" || call.kind() != "call_expression" {
            return None;
        }
        let prop = call.child_by_field_name("function")?.child_by_field_name("property")?;
        ITER_METHODS.contains(&self.src(prop)).then_some(*call)
    }

    /// The innermost function around the node.
    pub fn enclosing_function(&self) -> Option<Node<'t>> {
        self.stack.iter().rev().find(|n| is_function(**n)).copied()
    }

    /// True when the innermost function is `async`.
    pub fn in_async_function(&self) -> bool {
        self.enclosing_function().is_some_and(|f| is_async(f, self.text))
    }

    /// The name of a function node (`def name`, `function name`, a method, or the variable
    /// an arrow function is assigned to).
    pub fn function_name(&self, f: Node) -> Option<String> {
        if let Some(name) = f.child_by_field_name("name") {
            return Some(self.src(name).to_string());
        }
        let parent = f.parent()?;
        let name = parent.child_by_field_name("name").or_else(|| parent.child_by_field_name("left"))?;
        Some(self.src(name).to_string())
    }

    /// Records a hit on `node`, showing `context` (e.g. the loop) as the current code.
    pub fn report(&mut self, rule: &'static ScanRule, node: Node, context: Node, title: String, key: &str) {
        self.report_with(rule, rule.rule.severity, node, context, title, key);
    }

    pub fn report_with(
        &mut self,
        rule: &'static ScanRule,
        severity: Severity,
        node: Node,
        context: Node,
        title: String,
        key: &str,
    ) {
        let function = self.enclosing_function().and_then(|f| self.function_name(f));
        let start = node.start_position();
        self.hits.push(Hit {
            rule,
            severity,
            title,
            line: start.row + 1,
            column: start.column + 1,
            context: (context.start_position().row + 1, context.end_position().row + 1),
            function,
            key: key.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
}

/// Loop constructs of both families.
pub fn is_loop(n: Node) -> bool {
    matches!(
        n.kind(),
        "for_statement"
            | "while_statement"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression"
            | "for_in_statement"
            | "do_statement"
    )
}

/// Function constructs of both families.
pub fn is_function(n: Node) -> bool {
    matches!(
        n.kind(),
        "function_definition"
            | "lambda"
            | "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
    )
}

/// True for `async def` and `async function` / async arrows and methods.
pub fn is_async(f: Node, text: &str) -> bool {
    let mut c = f.walk();
    let async_child = f.children(&mut c).take(3).any(|ch| ch.kind() == "async");
    async_child || text.get(f.start_byte()..f.start_byte().saturating_add(6)) == Some("async ")
}

/// HTTP method names used by route decorators and router methods.
pub const ROUTE_METHODS: &[&str] =
    &["route", "get", "post", "put", "patch", "delete", "head", "options", "all", "api_route"];

impl<'t> Ctx<'t> {
    /// True when the node is inside a request handler: a Python function decorated with
    /// `@app.route(…)`/`@router.get(…)`, or a JS function passed to `app.get(…)`,
    /// `router.post(…)`, `fastify.route(…)`.
    pub fn in_route_handler(&self) -> bool {
        self.stack.iter().enumerate().any(|(i, n)| match n.kind() {
            "decorated_definition" => {
                let mut c = n.walk();
                let found =
                    n.children(&mut c).filter(|d| d.kind() == "decorator").any(|d| is_route_decorator(self.src(d)));
                found
            }
            "arrow_function" | "function_expression" | "function" => self.route_callback(i),
            _ => false,
        })
    }

    fn route_callback(&self, i: usize) -> bool {
        let (Some(args), Some(call)) = (self.stack.get(i.wrapping_sub(1)), self.stack.get(i.wrapping_sub(2))) else {
            return false;
        };
        if args.kind() != "arguments" || call.kind() != "call_expression" {
            return false;
        }
        let Some(f) = call.child_by_field_name("function") else { return false };
        let (Some(obj), Some(prop)) = (f.child_by_field_name("object"), f.child_by_field_name("property")) else {
            return false;
        };
        let obj = self.src(obj);
        ROUTE_METHODS.contains(&self.src(prop))
            && ["app", "router", "fastify", "server", "api", "route"]
                .iter()
                .any(|w| obj.to_ascii_lowercase().ends_with(w))
    }
}

/// `@app.route("/x")`, `@bp.get("/x")`, `@router.post(...)`, `@api_view`.
pub fn is_route_decorator(text: &str) -> bool {
    let t = text.trim_start_matches('@');
    let Some((head, _)) = t.split_once('(') else { return t.starts_with("api_view") };
    let method = head.rsplit('.').next().unwrap_or("");
    head.contains('.') && ROUTE_METHODS.contains(&method)
}
