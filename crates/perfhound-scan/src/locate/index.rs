//! The project's source, parsed once: files with their trees, route declarations,
//! function definitions by name and module-level constants (SQL kept in constants is
//! matched like a literal).

use super::routes::{route_of, RouteDecl};
use crate::ctx::{is_function, Ctx};
use crate::lang::Lang;
use crate::syntax::{Node, Parsers, Tree};
use std::collections::HashMap;
use std::path::PathBuf;

pub(super) struct File {
    pub path: String,
    pub text: String,
    pub lang: Lang,
    pub tree: Tree,
    /// Module-level `NAME = value` → the value's source text (string literals unquoted).
    pub constants: HashMap<String, String>,
}

/// Parsed project sources for locating runtime findings.
pub struct SourceIndex {
    pub(super) files: Vec<File>,
    pub(super) routes: Vec<(usize, RouteDecl)>,
    /// Function name → (file, start byte, end byte) of every definition.
    pub(super) functions: HashMap<String, Vec<(usize, usize, usize)>>,
}

impl SourceIndex {
    /// Parses every Python/JS/TS file under `roots` (`.gitignore` respected; files that do
    /// not parse are left out).
    pub fn build(roots: &[PathBuf]) -> SourceIndex {
        let mut index = SourceIndex { files: Vec::new(), routes: Vec::new(), functions: HashMap::new() };
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
                index.add(File { path: display_path(path), text, lang, tree, constants: HashMap::new() });
            }
        }
        index
    }

    /// Number of route handlers found.
    pub fn route_count(&self) -> usize {
        self.routes.len()
    }

    fn add(&mut self, mut file: File) {
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
            for r in route_of(&ctx, node) {
                self.routes.push((id, r));
            }
            if is_function(node) {
                if let Some(name) = ctx.function_name(node) {
                    let name = name.rsplit('.').next().unwrap_or(&name).to_string();
                    self.functions.entry(name).or_default().push((id, node.start_byte(), node.end_byte()));
                }
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
