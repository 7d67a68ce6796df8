//! The project's source, parsed once: files with their trees, imports, route
//! declarations (with their mounts' prefixes joined), function and class definitions by
//! name and module-level constants (SQL kept in constants is matched like a literal).

use super::imports::{default_export, imports, Import};
use super::mounts::{facts, Fact};
use super::routes::{route_of, RouteDecl};
use crate::ctx::{is_function, Ctx};
use crate::lang::Lang;
use crate::syntax::{Node, Parsers, Tree};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

pub(super) struct File {
    pub path: String,
    pub text: String,
    pub lang: Lang,
    pub tree: Tree,
    /// Module-level `NAME = value` → the value's source text (string literals unquoted).
    pub constants: HashMap<String, String>,
    /// Module-level imports: local name → module and member.
    pub imports: HashMap<String, Import>,
    /// `module.exports = x` / `export default x` (JS).
    pub default_export: Option<String>,
    /// Expressions bound to an HTTP client object (`async with httpx.AsyncClient() as c`,
    /// `state["http"] = httpx.AsyncClient()`): calls on them are HTTP calls.
    pub http_clients: HashSet<String>,
}

/// Declarations read file by file, resolved across files once all are read.
#[derive(Default)]
pub(super) struct Pending {
    pub routes: Vec<(usize, RouteDecl)>,
    pub facts: Vec<(usize, Fact)>,
}

/// Parsed project sources for locating runtime findings.
pub struct SourceIndex {
    pub(super) files: Vec<File>,
    pub(super) routes: Vec<(usize, RouteDecl)>,
    /// Function name → (file, start byte, end byte) of every definition.
    pub(super) functions: HashMap<String, Vec<(usize, usize, usize)>>,
    /// Class name → (file, start byte, end byte) of every definition.
    pub(super) classes: HashMap<String, Vec<(usize, usize, usize)>>,
}

impl SourceIndex {
    /// Parses every Python/JS/TS file under `roots` (`.gitignore` respected; files that do
    /// not parse are left out).
    pub fn build(roots: &[PathBuf]) -> SourceIndex {
        let mut index =
            SourceIndex { files: Vec::new(), routes: Vec::new(), functions: HashMap::new(), classes: HashMap::new() };
        let mut pending = Pending::default();
        let mut parsers = Parsers::default();
        for root in roots {
            let mut walk = ignore::WalkBuilder::new(root);
            walk.require_git(false).filter_entry(|e| {
                let n = e.file_name().to_string_lossy();
                !matches!(n.as_ref(), "node_modules" | "__pycache__" | "site-packages")
                    && !e.path().join("pyvenv.cfg").is_file()
            });
            for entry in walk.build().flatten() {
                let path = entry.path();
                let Some(lang) = Lang::from_path(path) else { continue };
                let Ok(text) = std::fs::read_to_string(path) else { continue };
                let Ok(tree) = crate::syntax::parse(&mut parsers, lang, &text) else { continue };
                let root = tree.root_node();
                let (imports, default_export) = (imports(&text, root), default_export(&text, root));
                let path = display_path(path);
                let constants = HashMap::new();
                let http_clients = HashSet::new();
                let file = File { path, text, lang, tree, constants, imports, default_export, http_clients };
                index.add(file, &mut pending);
            }
        }
        index.finish(pending);
        index
    }

    /// Number of route handlers found.
    pub fn route_count(&self) -> usize {
        self.routes.len()
    }

    fn add(&mut self, mut file: File, pending: &mut Pending) {
        let id = self.files.len();
        let tree = file.tree.clone();
        let root = tree.root_node();
        file.constants = constants(&file, root);
        let mut hits = Vec::new();
        let mut stack: Vec<Node> = Vec::new();
        let mut cursor = tree.walk();
        loop {
            let node = cursor.node();
            let ctx = Ctx { text: &file.text, lang: file.lang, stack: &stack, hits: &mut hits };
            pending.routes.extend(route_of(&ctx, node).into_iter().map(|r| (id, r)));
            if matches!(node.kind(), "call" | "call_expression") {
                pending.facts.extend(facts(&ctx, node).into_iter().map(|f| (id, f)));
            }
            if let Some(client) = http_client_binding(&ctx, node) {
                file.http_clients.insert(client);
            }
            let defs = if is_function(node) {
                Some(&mut self.functions)
            } else if matches!(node.kind(), "class_definition" | "class_declaration") {
                Some(&mut self.classes)
            } else {
                None
            };
            if let (Some(defs), Some(name)) = (defs, ctx.function_name(node)) {
                let name = name.rsplit('.').next().unwrap_or(&name).to_string();
                defs.entry(name).or_default().push((id, node.start_byte(), node.end_byte()));
            }
            ctx.hits.clear();
            if cursor.goto_first_child() {
                stack.push(node);
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    self.files.push(file);
                    return;
                }
                stack.pop();
            }
        }
    }
}

/// `with httpx.AsyncClient() as c` → `c`; `state["http"] = httpx.AsyncClient()` →
/// `state["http"]`; `const api = axios.create()` → `api`.
fn http_client_binding(ctx: &Ctx, node: Node) -> Option<String> {
    let (name, value) = match node.kind() {
        "as_pattern" => (node.child_by_field_name("alias")?, node.named_child(0)?),
        "assignment" => (node.child_by_field_name("left")?, node.child_by_field_name("right")?),
        "variable_declarator" => (node.child_by_field_name("name")?, node.child_by_field_name("value")?),
        _ => return None,
    };
    let value = ctx.src(value);
    let ctor = value.split('(').next().unwrap_or("").rsplit('.').next().unwrap_or("");
    let is_client = matches!(ctor, "AsyncClient" | "Client" | "Session" | "ClientSession" | "PoolManager")
        || value.starts_with("axios.create(")
        || value.starts_with("got.extend(");
    is_client.then(|| ctx.src(name).to_string())
}

/// The path as a person reads it: relative to the current directory when below it,
/// without `.`/`..` components (`/srv/app/../api/x.py` → `api/x.py`).
fn display_path(path: &std::path::Path) -> String {
    let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let shown = match std::env::current_dir().ok().and_then(|cwd| full.strip_prefix(cwd).ok().map(|p| p.to_path_buf()))
    {
        Some(rel) => rel,
        None => full,
    };
    shown.to_string_lossy().replace('\\', "/")
}

/// Top-level `NAME = value` / `const NAME = value`.
fn constants(file: &File, root: Node) -> HashMap<String, String> {
    let src = |n: Node| n.utf8_text(file.text.as_bytes()).unwrap_or("").to_string();
    let mut out = HashMap::new();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        let pair = match stmt.kind() {
            "expression_statement" => stmt
                .named_child(0)
                .filter(|a| a.kind() == "assignment")
                .and_then(|a| Some((a.child_by_field_name("left")?, a.child_by_field_name("right")?))),
            "lexical_declaration" | "variable_declaration" => stmt
                .named_child(0)
                .and_then(|d| Some((d.child_by_field_name("name")?, d.child_by_field_name("value")?))),
            _ => None,
        };
        if let Some((name, value)) = pair {
            out.insert(src(name), src(value));
        }
    }
    out
}
