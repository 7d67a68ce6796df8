//! What the names of a file refer to in other files of the project: Python
//! `from shop import views`, `from .routers import orders as o`, `import shop.views`;
//! JavaScript `const r = require('./routes/orders')`, `import r from './routes/orders'`,
//! `import { router } from './routes'`. Used to resolve `views.recent_lazy` in a urls.py
//! or `include_router(orders.router)` to one file, and not to whichever file happens to
//! define a function of that name.

use crate::syntax::Node;
use std::collections::HashMap;

/// A name bound by an import: the module as written (`shop.views`, `.views`,
/// `./routes/orders`) and the imported member (`None`: the module itself, or the default
/// export of a JS module).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    pub member: Option<String>,
}

/// Local name → what it imports, for the module-level imports of a file.
pub fn imports(text: &str, root: Node) -> HashMap<String, Import> {
    let src = |n: Node| n.utf8_text(text.as_bytes()).unwrap_or("").to_string();
    let mut out = HashMap::new();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        match stmt.kind() {
            "import_statement" if stmt.child_by_field_name("source").is_some() => js_import(&src, stmt, &mut out),
            "import_statement" => each_name(stmt, |name, alias| {
                // `import a.b` binds `a` (the package); `import a.b as c` binds `c` to `a.b`.
                let full = src(name);
                let (local, module) = match alias {
                    Some(a) => (src(a), full),
                    None => {
                        let head = full.split('.').next().unwrap_or("").to_string();
                        (head.clone(), head)
                    }
                };
                out.insert(local, Import { module, member: None });
            }),
            "import_from_statement" => {
                let Some(module) = stmt.child_by_field_name("module_name").map(src) else { continue };
                each_name(stmt, |name, alias| {
                    let member = src(name);
                    let local = alias.map(src).unwrap_or_else(|| member.clone());
                    out.insert(local, Import { module: module.clone(), member: Some(member) });
                });
            }
            "lexical_declaration" | "variable_declaration" => js_require(&src, stmt, &mut out),
            _ => {}
        }
    }
    out
}

/// Calls `f(name, alias)` for each `name` / `name as alias` of a Python import.
fn each_name<'t>(stmt: Node<'t>, mut f: impl FnMut(Node<'t>, Option<Node<'t>>)) {
    let mut c = stmt.walk();
    let names: Vec<Node> = stmt.children_by_field_name("name", &mut c).collect();
    for n in names {
        if n.kind() == "aliased_import" {
            if let Some(name) = n.child_by_field_name("name") {
                f(name, n.child_by_field_name("alias"));
            }
        } else {
            f(n, None);
        }
    }
}

/// `import r from './x'`, `import * as r from './x'`, `import { a, b as c } from './x'`.
fn js_import(src: &dyn Fn(Node) -> String, stmt: Node, out: &mut HashMap<String, Import>) {
    let Some(source) = stmt.child_by_field_name("source") else { return };
    let module = src(source).trim_matches(['"', '\'', '`']).to_string();
    let mut c = stmt.walk();
    for clause in stmt.named_children(&mut c).filter(|n| n.kind() == "import_clause") {
        let mut cc = clause.walk();
        for part in clause.named_children(&mut cc) {
            match part.kind() {
                "identifier" => {
                    out.insert(src(part), Import { module: module.clone(), member: None });
                }
                "namespace_import" => {
                    if let Some(id) = part.named_child(0) {
                        out.insert(src(id), Import { module: module.clone(), member: None });
                    }
                }
                "named_imports" => {
                    let mut sc = part.walk();
                    for spec in part.named_children(&mut sc).filter(|s| s.kind() == "import_specifier") {
                        let Some(name) = spec.child_by_field_name("name") else { continue };
                        let local = spec.child_by_field_name("alias").unwrap_or(name);
                        out.insert(src(local), Import { module: module.clone(), member: Some(src(name)) });
                    }
                }
                _ => {}
            }
        }
    }
}

/// `const r = require('./x')` and `const { a } = require('./x')`.
fn js_require(src: &dyn Fn(Node) -> String, stmt: Node, out: &mut HashMap<String, Import>) {
    let mut c = stmt.walk();
    for d in stmt.named_children(&mut c).filter(|d| d.kind() == "variable_declarator") {
        let (Some(name), Some(value)) = (d.child_by_field_name("name"), d.child_by_field_name("value")) else {
            continue;
        };
        let is_require = value.kind() == "call_expression"
            && value.child_by_field_name("function").is_some_and(|f| src(f) == "require");
        let Some(arg) = value.child_by_field_name("arguments").and_then(|a| a.named_child(0)).filter(|_| is_require)
        else {
            continue;
        };
        let module = src(arg).trim_matches(['"', '\'', '`']).to_string();
        if name.kind() == "identifier" {
            out.insert(src(name), Import { module, member: None });
        } else if name.kind() == "object_pattern" {
            let mut pc = name.walk();
            for p in name.named_children(&mut pc).filter(|p| p.kind() == "shorthand_property_identifier_pattern") {
                out.insert(src(p), Import { module: module.clone(), member: Some(src(p)) });
            }
        }
    }
}

/// The default export of a JS module: `module.exports = router` / `export default router`.
pub fn default_export(text: &str, root: Node) -> Option<String> {
    let src = |n: Node| n.utf8_text(text.as_bytes()).unwrap_or("").to_string();
    let mut c = root.walk();
    let found = root.named_children(&mut c).find_map(|stmt| match stmt.kind() {
        "expression_statement" => {
            let a = stmt.named_child(0).filter(|a| a.kind() == "assignment_expression")?;
            (src(a.child_by_field_name("left")?) == "module.exports")
                .then(|| a.child_by_field_name("right").filter(|r| r.kind() == "identifier").map(src))?
        }
        "export_statement" => stmt.child_by_field_name("value").filter(|v| v.kind() == "identifier").map(src),
        _ => None,
    });
    found
}

/// Candidate paths (without extension) of `module` imported from the file at `from`:
/// Python `a.b` → `a/b`; `.b` / `..b` → beside / above `from`; JS `./x` → beside `from`.
/// Absolute Python modules are matched as a path suffix, relative ones exactly.
pub fn module_stem(from: &str, module: &str) -> (String, bool) {
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    if module.starts_with("./") || module.starts_with("../") {
        let joined = if dir.is_empty() { module.to_string() } else { format!("{dir}/{module}") };
        return (normalize_path(&joined), true);
    }
    let dots = module.chars().take_while(|c| *c == '.').count();
    let rest = module[dots..].replace('.', "/");
    if dots == 0 {
        return (rest, false);
    }
    let mut base = dir.to_string();
    for _ in 1..dots {
        base = base.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_string());
    }
    let joined = if rest.is_empty() {
        base
    } else if base.is_empty() {
        rest
    } else {
        format!("{base}/{rest}")
    };
    (joined, true)
}

/// Removes `.` and `x/..` components of a `/`-separated path.
fn normalize_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (i, seg) in p.split('/').enumerate() {
        match seg {
            "." => {}
            "" if i > 0 => {}
            ".." if out.last().is_some_and(|l| *l != ".." && !l.is_empty()) => {
                out.pop();
            }
            _ => out.push(seg),
        }
    }
    out.join("/")
}

/// True when the file at `path` is the module `stem` (`a/b.py`, `a/b/__init__.py`,
/// `a/b.js`, `a/b/index.ts`, …); `exact`: the whole path, else a path suffix.
pub fn is_module(path: &str, stem: &str, exact: bool) -> bool {
    let Some((base, _ext)) = path.rsplit_once('.') else { return false };
    let base = base.strip_suffix("/__init__").or_else(|| base.strip_suffix("/index")).unwrap_or(base);
    if exact || stem.is_empty() {
        base == stem
    } else {
        base.strip_suffix(stem).is_some_and(|head| head.is_empty() || head.ends_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_stems() {
        assert_eq!(module_stem("proj/shop/urls.py", "shop.views"), ("shop/views".into(), false));
        assert_eq!(module_stem("proj/shop/urls.py", ".views"), ("proj/shop/views".into(), true));
        assert_eq!(module_stem("proj/shop/urls.py", "..api.urls"), ("proj/api/urls".into(), true));
        assert_eq!(module_stem("proj/shop/urls.py", "."), ("proj/shop".into(), true));
        assert_eq!(module_stem("src/app.js", "./routes/orders"), ("src/routes/orders".into(), true));
        assert_eq!(module_stem("src/api/app.js", "../routes"), ("src/routes".into(), true));
        assert_eq!(module_stem("app.js", "./routes"), ("routes".into(), true));
        assert!(is_module("/srv/proj/shop/views.py", "shop/views", false));
        assert!(is_module("proj/shop/__init__.py", "proj/shop", true));
        assert!(is_module("src/routes/index.js", "src/routes", true));
        assert!(!is_module("proj/myshop/views.py", "shop/views", false));
    }
}
