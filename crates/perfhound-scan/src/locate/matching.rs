//! From a runtime finding to the call site (and loop) in the handler's call tree.

use super::index::SourceIndex;
use super::routes::normalize;
use super::MAX_DEPTH;
use crate::ctx::{is_function, is_loop, Ctx};
use crate::rules::call::call;
use perfhound_model::Finding;
use tree_sitter::Node;

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

/// What the finding says was issued.
#[derive(Debug)]
enum Want {
    Db { tables: Vec<String> },
    Http { path: Option<String> },
    Cache { command: String },
    NestedLoop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Db,
    Http,
    Cache,
    /// An attribute read inside a loop (a lazy-loaded relationship candidate).
    Attr,
    NestedLoop,
}

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

/// Runtime rules this locator understands: code → (what, needs a loop, several sites).
fn rule_shape(code: &str) -> Option<(u8, bool, bool)> {
    Some(match code {
        "PH-TRACE001" | "PH-TRACE009" => (b'd', true, false),
        "PH-TRACE008" => (b'd', false, true),
        "PH-TRACE004" => (b'd', false, true),
        "PH-TRACE006" => (b'd', false, false),
        "PH-TRACE002" => (b'h', true, false),
        // A repeated group or a fan-out: of queries or of calls, as the evidence says.
        "PH-TRACE003" | "PH-TRACE014" => (b'?', true, false),
        "PH-TRACE005" => (b'h', false, true),
        "PH-TRACE007" | "PH-TRACE012" => (b'h', false, false),
        "PH-TRACE016" => (b'c', true, false),
        "PH-TRACE017" => (b'n', false, false),
        _ => return None,
    })
}

impl SourceIndex {
    /// The source of a runtime finding about an endpoint (`GET /orders/{id}`).
    pub fn locate(&self, f: &Finding) -> Result<Located, NotFound> {
        let (what, needs_loop, several) =
            rule_shape(&f.rule.code).ok_or_else(|| NotFound(format!("{} is not tied to a call site", f.rule.code)))?;
        let (method, path) =
            f.target.split_once(' ').ok_or_else(|| NotFound(format!("`{}` is not an endpoint", f.target)))?;
        let path = normalize(path);
        let route = self
            .routes
            .iter()
            .find(|(_, r)| r.path == path && (r.method == method || r.method == "*"))
            .ok_or_else(|| NotFound(format!("no route handler for {method} {path} in the source")))?;
        let (file, start, end) = self
            .handler_def(route.0, &route.1.handler, method)
            .map_err(|e| NotFound(format!("the handler of {method} {path}: {e}")))?;
        let node = self.node_at(file, start, end).ok_or_else(|| NotFound("handler not found".into()))?;
        let mut sites = Vec::new();
        let name = self.function_name(file, node);
        let chain = vec![name.clone().unwrap_or_else(|| format!("{method} {path}"))];
        self.collect(file, node, None, 0, &chain, &name, &mut sites);
        let want = want(what, f).ok_or_else(|| NotFound("the finding names no statement, table or URL".into()))?;
        let matching: Vec<&Site> = sites.iter().filter(|s| matches(&want, s)).collect();
        self.pick(&matching, needs_loop, several).ok_or_else(|| {
            NotFound(format!("no {} in the code {method} {path} runs matches this finding", describe(&want)))
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
        let Ok((df, s, e)) = self.definition(&self.functions, file, qual, callee) else { return };
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

/// The kind of I/O a call performs, by its shape.
/// `client` says the receiver is bound to an HTTP client object.
fn classify(name: &str, recv: &str, client: bool, ctx: &Ctx, c: &crate::rules::call::Call) -> Option<Kind> {
    let last = recv.rsplit(['.', '(', ')']).find(|s| !s.is_empty()).unwrap_or("");
    if c.receiver.is_none() && matches!(name, "fetch" | "axios" | "urlopen") {
        return Some(Kind::Http);
    }
    if recv.contains("cache") || recv.contains("redis") || matches!(last, "r" | "rds" | "kv") {
        return Some(Kind::Cache);
    }
    // SQLAlchemy `session.add(Event(...))`: the INSERT it causes runs at the next flush.
    if matches!(name, "add" | "add_all" | "merge" | "delete" | "bulk_save_objects") && last.ends_with("session") {
        return Some(Kind::Db);
    }
    if crate::rules::db::classify(ctx, c).is_some()
        || matches!(
            name,
            "execute" | "executemany" | "query" | "scalars" | "scalar" | "fetch" | "fetchrow" | "fetchval" | "raw"
        )
    {
        return Some(Kind::Db);
    }
    let http_recv = client
        || ["requests", "httpx", "client", "http", "session", "axios", "got", "fetch"].iter().any(|w| recv.contains(w));
    let http_method = matches!(name, "get" | "post" | "put" | "patch" | "delete" | "head" | "request" | "send");
    if http_recv && http_method {
        return Some(Kind::Http);
    }
    None
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

fn want(what: u8, f: &Finding) -> Option<Want> {
    let q = f.evidence.query.clone().unwrap_or_default();
    Some(match what {
        b'?' => {
            // `tables: order_items` names the repeated statements' tables; `calls: GET
            // http://…` the repeated calls.
            let note = |p: &str| f.evidence.notes.iter().find_map(|n| n.strip_prefix(p).map(str::to_string));
            let noted: Vec<String> =
                note("tables: ").map(|t| t.split(", ").map(|t| t.to_ascii_lowercase()).collect()).unwrap_or_default();
            let tables = if tables(&q).is_empty() { noted } else { tables(&q) };
            if !tables.is_empty() {
                return Some(Want::Db { tables });
            }
            let calls = note("calls: ").unwrap_or_default();
            let url = [q.as_str(), calls.as_str()].into_iter().find(|t| t.contains("://"))?;
            Want::Http { path: Some(url_path(url)?) }
        }
        b'd' => Want::Db { tables: tables(&q) },
        b'h' => Want::Http { path: url_path(&q) },
        b'c' => {
            let mut words = q.split_whitespace();
            let first = words.next().unwrap_or("");
            let cmd = if first.eq_ignore_ascii_case("redis") { words.next().unwrap_or("") } else { first };
            Want::Cache { command: cmd.to_ascii_lowercase() }
        }
        _ => Want::NestedLoop,
    })
}

fn describe(w: &Want) -> String {
    match w {
        Want::Db { tables } if !tables.is_empty() => format!("query on {}", tables.join(", ")),
        Want::Db { .. } => "query".into(),
        Want::Http { path: Some(p) } => format!("HTTP call to {p}"),
        Want::Http { .. } => "HTTP call".into(),
        Want::Cache { command } => format!("cache {} command", command.to_ascii_uppercase()),
        Want::NestedLoop => "nested loop".into(),
    }
}

fn matches(w: &Want, s: &Site) -> bool {
    match (w, s.kind) {
        (Want::Db { tables }, Kind::Db) => tables.is_empty() || tables.iter().any(|t| mentions_table(&s.text, t)),
        (Want::Db { tables }, Kind::Attr) => {
            tables.iter().any(|t| *t == s.text || t.ends_with(&format!("_{}", s.text)) || *t == format!("{}s", s.text))
        }
        (Want::Http { path }, Kind::Http) => path.as_ref().is_none_or(|p| s.text.contains(&p.to_ascii_lowercase())),
        (Want::Cache { command }, Kind::Cache) => s.text.split(['(', ' ', '.']).any(|w| w == command),
        (Want::NestedLoop, Kind::NestedLoop) => true,
        _ => false,
    }
}

/// `orders` in `select id from orders`, or its model `Order`/`OrderItem` (`order_items`).
fn mentions_table(text: &str, table: &str) -> bool {
    let words: Vec<&str> =
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty()).collect();
    let singular = table.strip_suffix('s').unwrap_or(table);
    let model = singular.replace('_', "");
    words.iter().any(|w| *w == table || *w == singular || *w == model)
}

/// Tables after FROM / JOIN / INTO / UPDATE, lower-cased, schema and quotes removed.
pub fn tables(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let words: Vec<&str> = sql.split_whitespace().collect();
    for pair in words.windows(2) {
        if matches!(pair[0].to_ascii_uppercase().as_str(), "FROM" | "JOIN" | "INTO" | "UPDATE") {
            let t = pair[1].trim_matches(|c: char| c == '"' || c == '`' || c == '(' || c == ',' || c == ';');
            let t = t.rsplit('.').next().unwrap_or(t).to_ascii_lowercase();
            if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// The literal start of a URL template's path: `GET http://h:1/delay/{ms}` → `/delay/`.
fn url_path(q: &str) -> Option<String> {
    let url = q.split_whitespace().find(|w| w.contains("://") || w.starts_with('/'))?;
    let path = match url.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None => url,
    };
    let path = path.split('?').next().unwrap_or(path);
    let literal = path.split('{').next().unwrap_or(path);
    (literal.len() > 1).then(|| literal.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_and_paths() {
        assert_eq!(tables("SELECT a FROM order_items JOIN \"public\".orders o"), vec!["order_items", "orders"]);
        assert_eq!(tables("INSERT INTO events (kind) VALUES ($1)"), vec!["events"]);
        assert_eq!(url_path("GET http://127.0.0.1:5/delay/{ms}?svc={}"), Some("/delay/".into()));
        assert_eq!(url_path("GET /x"), Some("/x".into()));
        assert!(mentions_table("s.scalars(recent) select(order)", "orders"));
        assert!(mentions_table("select(orderitem)", "order_items"));
        assert!(!mentions_table("select(customer)", "orders"));
    }
}
