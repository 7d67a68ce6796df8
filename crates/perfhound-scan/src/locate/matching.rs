//! From a runtime finding to the call site (and loop) in the handler's call tree.

use super::index::SourceIndex;
use super::routes::{normalize, RouteDecl};
use super::want::{classify, describe, matches, rule_shape, want, Kind, Want};
use super::MAX_DEPTH;
use crate::ctx::{is_function, is_loop, Ctx};
use crate::rules::call::call;
use crate::syntax::Node;
use perfhound_model::Finding;

/// Where a runtime finding's cause is in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    /// 1-based first and last line shown (the loop, or the call sites).
    pub lines: (usize, usize),
    /// The function holding those lines.
    pub function: Option<String>,
    /// The lines as they are ("Current Implementation").
    pub code: String,
    pub lang: &'static str,
    /// The handler and the project functions followed to get there.
    pub chain: Vec<String>,
}

impl Located {
    /// `file:first-last (function)`, the evidence location format.
    pub fn location(&self) -> String {
        let (a, b) = self.lines;
        let range = if a == b { a.to_string() } else { format!("{a}-{b}") };
        match &self.function {
            Some(f) => format!("{}:{range} ({f})", self.file),
            None => format!("{}:{range}", self.file),
        }
    }
}

/// Why no location was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotFound(pub String);

/// The loop that repeats a site: file, first and last line, function, and whether its
/// iterable loads relationships eagerly (`selectinload`, `prefetch_related`, …).
#[derive(Clone, Debug)]
struct Rep {
    file: usize,
    lines: (usize, usize),
    function: Option<String>,
    eager: bool,
    /// The module constants the loop iterates (`for sql in STATEMENTS`), their text.
    iterable: String,
}

const EAGER: &[&str] =
    &["selectinload(", "joinedload(", "subqueryload(", "prefetch_related(", "select_related(", "contains_eager("];

#[derive(Clone, Debug)]
struct Site {
    kind: Kind,
    file: usize,
    line: usize,
    /// The loop that repeats the site: (file, first line, last line, function).
    repeat: Option<Rep>,
    /// Lower-cased text the finding is matched against (SQL, URL, attribute, command).
    text: String,
    function: Option<String>,
    chain: Vec<String>,
}

impl SourceIndex {
    /// The source of a runtime finding about an endpoint (`GET /orders/{id}`).
    pub fn locate(&self, f: &Finding) -> Result<Located, NotFound> {
        let (what, needs_loop, several) =
            rule_shape(&f.rule.code).ok_or_else(|| NotFound(format!("{} is not tied to a call site", f.rule.code)))?;
        let (method, path) =
            f.target.split_once(' ').ok_or_else(|| NotFound(format!("`{}` is not an endpoint", f.target)))?;
        let path = normalize(path);
        let want = want(what, f).ok_or_else(|| NotFound("the finding names no statement, table or URL".into()))?;
        let routes: Vec<&(usize, RouteDecl)> =
            self.routes.iter().filter(|(_, r)| r.path == path && (r.method == method || r.method == "*")).collect();
        let mut found: Vec<Located> = Vec::new();
        let mut why = NotFound(format!("no route handler for {method} {path} in the source"));
        for (file, route) in routes {
            match self.locate_in(*file, route, method, &want, (needs_loop, several)) {
                Ok(l) if !found.contains(&l) => found.push(l),
                Ok(_) => {}
                Err(e) => why = e,
            }
        }
        // Two services in the source with the same route: neither is chosen.
        match found.len() {
            0 => Err(why),
            1 => Ok(found.remove(0)),
            n => Err(NotFound(format!(
                "{n} handlers of {method} {path} match ({}); none is chosen",
                found.iter().map(Located::location).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// The location in one route's handler.
    fn locate_in(
        &self,
        file: usize,
        route: &RouteDecl,
        method: &str,
        want: &Want,
        (needs_loop, several): (bool, bool),
    ) -> Result<Located, NotFound> {
        let path = &route.path;
        let (file, start, end) = self
            .handler_def(file, &route.handler, method)
            .map_err(|e| NotFound(format!("the handler of {method} {path}: {e}")))?;
        let node = self.node_at(file, start, end).ok_or_else(|| NotFound("handler not found".into()))?;
        let mut sites = Vec::new();
        let name = self.function_name(file, node);
        let chain = vec![name.clone().unwrap_or_else(|| format!("{method} {path}"))];
        self.collect(file, node, None, 0, &chain, &name, &mut sites);
        let matching: Vec<&Site> = sites.iter().filter(|s| matches(want, s.kind, &s.text)).collect();
        self.pick(&matching, needs_loop, several).ok_or_else(|| {
            NotFound(format!("no {} in the code {method} {path} runs matches this finding", describe(want)))
        })
    }

    fn node_at(&self, file: usize, start: usize, end: usize) -> Option<Node<'_>> {
        self.files[file].tree.root_node().descendant_for_byte_range(start, end)
    }

    fn function_name(&self, file: usize, node: Node) -> Option<String> {
        let f = &self.files[file];
        let mut hits = Vec::new();
        let ctx = Ctx { text: &f.text, lang: f.lang, stack: &[], hits: &mut hits };
        ctx.function_name(node)
    }

    /// Walks `node`, recording sites; `repeat` is the loop (maybe in a caller) that repeats
    /// everything here.
    #[allow(clippy::too_many_arguments)]
    fn collect(
        &self,
        file: usize,
        node: Node,
        repeat: Option<Rep>,
        depth: usize,
        chain: &[String],
        func: &Option<String>,
        out: &mut Vec<Site>,
    ) {
        let f = &self.files[file];
        let mut c = node.walk();
        for child in node.children(&mut c) {
            let mut inner = repeat.clone();
            if is_loop(child) || self.iteration_call(file, child) {
                if repeat.is_some() && is_loop(child) {
                    out.push(self.site(Kind::NestedLoop, file, child, repeat.clone(), String::new(), func, chain));
                }
                let lines = (child.start_position().row + 1, child.end_position().row + 1);
                let header = child.child_by_field_name("right").unwrap_or(child);
                let header = header.utf8_text(f.text.as_bytes()).unwrap_or("");
                let eager = EAGER.iter().any(|e| header.contains(e));
                let iterable = self.constants_in(file, header);
                inner = inner.or(Some(Rep { file, lines, function: func.clone(), eager, iterable }));
                if let Some(right) =
                    child.child_by_field_name("right").filter(|_| !child.kind().contains("comprehension"))
                {
                    self.collect(file, right, repeat.clone(), depth, chain, func, out);
                }
            }
            if child.kind() == "call" || child.kind() == "call_expression" {
                self.call_site(file, child, &repeat, depth, chain, func, out);
            }
            if inner.as_ref().is_some_and(|r| !r.eager) && matches!(child.kind(), "attribute" | "member_expression") {
                if let Some(attr) =
                    child.child_by_field_name("attribute").or_else(|| child.child_by_field_name("property"))
                {
                    let text = attr.utf8_text(f.text.as_bytes()).unwrap_or("").to_ascii_lowercase();
                    out.push(self.site(Kind::Attr, file, child, inner.clone(), text, func, chain));
                }
            }
            let is_right = node.child_by_field_name("right").is_some_and(|r| r.id() == child.id()) && is_loop(node);
            if !is_right {
                self.collect(file, child, inner, depth, chain, func, out);
            }
        }
    }

    /// `xs.forEach(fn)`, `xs.map(fn)`, `Array.from({…}, fn)`: a JS loop.
    fn iteration_call(&self, file: usize, node: Node) -> bool {
        if node.kind() != "call_expression" {
            return false;
        }
        let f = &self.files[file];
        let mut hits = Vec::new();
        let ctx = Ctx { text: &f.text, lang: f.lang, stack: &[], hits: &mut hits };
        call(&ctx, node).is_some_and(|c| {
            matches!(c.name, "forEach" | "map" | "flatMap" | "filter" | "reduce" | "some" | "every" | "from")
                && c.arg_nodes().iter().any(|a| is_function(*a))
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn call_site(
        &self,
        file: usize,
        node: Node,
        repeat: &Option<Rep>,
        depth: usize,
        chain: &[String],
        func: &Option<String>,
        out: &mut Vec<Site>,
    ) {
        let f = &self.files[file];
        let mut hits = Vec::new();
        let ctx = Ctx { text: &f.text, lang: f.lang, stack: &[], hits: &mut hits };
        let Some(c) = call(&ctx, node) else { return };
        let args = c.args.map(|a| ctx.src(a)).unwrap_or("");
        let recv = c.receiver_text(&ctx).to_ascii_lowercase();
        let resolved = self.resolve_args(file, &c, &ctx);
        let client = f.http_clients.contains(c.receiver_text(&ctx));
        if let Some(kind) = classify(c.name, &recv, client, &ctx, &c) {
            let iterable = repeat.as_ref().map(|r| r.iterable.as_str()).unwrap_or("");
            let text = format!("{} {} {} {}", ctx.src(c.callee), args, resolved, iterable).to_ascii_lowercase();
            out.push(self.site(kind, file, node, repeat.clone(), text, func, chain));
        }
        // FastAPI's `Depends(get_db)` runs `get_db` for the request: followed like a call.
        let (qual, callee) = match (c.name, c.arg_nodes().first()) {
            ("Depends" | "Security", Some(a)) if matches!(a.kind(), "identifier" | "attribute") => {
                split_qual(ctx.src(*a))
            }
            _ => (c.receiver.map(|r| ctx.src(r)).filter(|q| !q.contains('(')), c.name),
        };
        if depth >= MAX_DEPTH || chain.iter().any(|n| n == callee) {
            return;
        }
        let own = matches!(qual, Some("self" | "this" | "cls")).then(|| self.own_method(file, node, callee)).flatten();
        let Some((df, s, e)) = own.or_else(|| self.definition(&self.functions, file, qual, callee).ok()) else {
            return;
        };
        let Some(def) = self.node_at(df, s, e) else { return };
        let mut next = chain.to_vec();
        next.push(callee.to_string());
        let body = def.child_by_field_name("body").unwrap_or(def);
        let name = Some(callee.to_string());
        self.collect(df, body, repeat.clone(), depth + 1, &next, &name, out);
        // A callback handed to a function that loops runs once per iteration there.
        if let Some(lp) = first_loop(def) {
            let lines = (lp.start_position().row + 1, lp.end_position().row + 1);
            let looped =
                repeat.clone().or(Some(Rep { file: df, lines, function: name, eager: false, iterable: String::new() }));
            for a in c.arg_nodes().into_iter().filter(|a| is_function(*a)) {
                self.collect(file, a, looped.clone(), depth + 1, chain, func, out);
            }
        }
    }

    /// `self.load()` / `this.load()`: the method of the class the call is written in.
    fn own_method(&self, file: usize, node: Node, name: &str) -> Option<(usize, usize, usize)> {
        let mut n = node.parent();
        while let Some(p) = n {
            if matches!(p.kind(), "class_definition" | "class_declaration" | "class") {
                let defs = self.functions.get(name)?;
                let inside = |d: &&(usize, usize, usize)| d.0 == file && d.1 > p.start_byte() && d.2 <= p.end_byte();
                return defs.iter().filter(inside).min_by_key(|d| d.1).copied();
            }
            n = p.parent();
        }
        None
    }

    /// The text of the module constants named in `code` (a loop's iterable).
    fn constants_in(&self, file: usize, code: &str) -> String {
        let consts = &self.files[file].constants;
        code.split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter_map(|w| consts.get(w))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The module constants an argument names (`ITEMS_OF_ORDER`, `RECENT`), their text.
    fn resolve_args(&self, file: usize, c: &crate::rules::call::Call, ctx: &Ctx) -> String {
        let consts = &self.files[file].constants;
        c.arg_nodes().iter().filter_map(|a| consts.get(ctx.src(*a))).cloned().collect::<Vec<_>>().join(" ")
    }

    #[allow(clippy::too_many_arguments)]
    fn site(
        &self,
        kind: Kind,
        file: usize,
        node: Node,
        repeat: Option<Rep>,
        text: String,
        func: &Option<String>,
        chain: &[String],
    ) -> Site {
        Site {
            kind,
            file,
            line: node.start_position().row + 1,
            repeat,
            text,
            function: func.clone(),
            chain: chain.to_vec(),
        }
    }

    /// The best matching site(s) → a location.
    fn pick(&self, sites: &[&Site], needs_loop: bool, several: bool) -> Option<Located> {
        let looped: Vec<&&Site> = sites.iter().filter(|s| s.repeat.is_some()).collect();
        if let Some(s) = looped.iter().find(|s| s.kind != Kind::Attr).or(looped.first()) {
            let r = s.repeat.clone()?;
            return Some(self.located(r.file, r.lines, r.function, &s.chain));
        }
        if needs_loop {
            return None;
        }
        let first = sites.iter().find(|s| s.kind != Kind::Attr)?;
        let same: Vec<&&Site> = sites.iter().filter(|s| s.file == first.file && s.function == first.function).collect();
        if several && same.len() < 2 {
            return None;
        }
        let a = same.iter().map(|s| s.line).min()?;
        let b = same.iter().map(|s| s.line).max()?;
        Some(self.located(first.file, (a, b), first.function.clone(), &first.chain))
    }

    fn located(&self, file: usize, lines: (usize, usize), function: Option<String>, chain: &[String]) -> Located {
        let f = &self.files[file];
        Located {
            file: f.path.clone(),
            lines,
            function,
            code: crate::finding::excerpt(&f.text, lines.0, lines.1),
            lang: f.lang.name(),
            chain: chain.to_vec(),
        }
    }
}

/// `views.get_db` → (`views`, `get_db`); `get_db` → (none, `get_db`).
fn split_qual(text: &str) -> (Option<&str>, &str) {
    match text.rsplit_once('.') {
        Some((q, n)) => (Some(q), n),
        None => (None, text),
    }
}

fn first_loop(node: Node) -> Option<Node> {
    let mut c = node.walk();
    for child in node.children(&mut c) {
        if is_loop(child) {
            return Some(child);
        }
        if !is_function(child) {
            if let Some(l) = first_loop(child) {
                return Some(l);
            }
        }
    }
    None
}
