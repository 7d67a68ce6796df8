//! Names resolved across the project's files: which file a module is, which router a
//! mount name denotes, every full path of a route (its mounts' prefixes joined), and which
//! definition a handler or called function names — the imported one, the one in the same
//! file, or the only one. When several definitions could be meant, none is chosen.

use super::imports::{is_module, module_stem, Import};
use super::index::{Pending, SourceIndex};
use super::mounts::{join, Child, Fact, MountKey};
use super::routes::{normalize, Handler, RouteDecl};
use std::collections::HashMap;

/// Include chains followed at most this deep (a cycle stops there).
const MAX_NESTING: usize = 8;

/// Own prefixes and include edges (parent, child, prefix) between mounts.
struct Graph {
    own: HashMap<MountKey, String>,
    edges: Vec<(MountKey, MountKey, String)>,
}

impl SourceIndex {
    /// Joins each route's path to every chain of prefixes leading to its mount.
    pub(super) fn finish(&mut self, pending: Pending) {
        let mut graph = Graph { own: HashMap::new(), edges: Vec::new() };
        for (file, fact) in &pending.facts {
            match fact {
                Fact::Prefix { name, prefix } => {
                    graph.own.insert(self.mount_key(*file, name), prefix.clone());
                }
                Fact::Include { parent, child, prefix } => {
                    let child = match child {
                        Child::Expr(e) => self.mount_key(*file, e),
                        Child::UrlConf(m) => match self.module_file(*file, m) {
                            Some(f) => (f, "urlpatterns".to_string()),
                            None => continue,
                        },
                        Child::Module(m) => match self.module_file(*file, m) {
                            Some(f) => (f, self.module_var(f)),
                            None => continue,
                        },
                    };
                    graph.edges.push((self.mount_key(*file, parent), child, prefix.clone()));
                }
            }
        }
        for (file, route) in pending.routes {
            let key = self.mount_key(file, &route.mount);
            for prefix in graph.prefixes(&key, 0) {
                let path = normalize(&join(&[&prefix, &route.path]));
                self.routes.push((file, RouteDecl { path, ..route.clone() }));
            }
        }
    }

    /// The file of `module` as imported from `from` (unique; else the candidate nearest to
    /// `from`, when only one is nearest).
    pub(super) fn module_file(&self, from: usize, module: &str) -> Option<usize> {
        let (stem, exact) = module_stem(&self.files[from].path, module);
        let found: Vec<usize> =
            (0..self.files.len()).filter(|&i| is_module(&self.files[i].path, &stem, exact)).collect();
        if found.len() <= 1 {
            return found.first().copied();
        }
        let shared = |i: usize| common_dirs(&self.files[from].path, &self.files[i].path);
        let best = found.iter().map(|&i| shared(i)).max()?;
        let nearest: Vec<usize> = found.into_iter().filter(|&i| shared(i) == best).collect();
        (nearest.len() == 1).then(|| nearest[0])
    }

    /// What an imported name is: a module file (`from shop import views`) or a member of
    /// one (`from .routers import router`) — (file, member).
    fn import_target(&self, file: usize, import: &Import) -> Option<(usize, Option<String>)> {
        if let Some(member) = &import.member {
            let dotted = if import.module.ends_with('.') || import.module.ends_with('/') {
                format!("{}{member}", import.module)
            } else {
                format!("{}.{member}", import.module)
            };
            let python = !import.module.contains('/');
            if let Some(f) = python.then(|| self.module_file(file, &dotted)).flatten() {
                return Some((f, None));
            }
            return Some((self.module_file(file, &import.module)?, Some(member.clone())));
        }
        Some((self.module_file(file, &import.module)?, None))
    }

    /// The router or pattern list an expression names: `router` (local or imported),
    /// `orders.router` (a module's member), a module (its default export, or Django's
    /// `urlpatterns`); `router.urls` (a DRF router's routes) is the router.
    pub(super) fn mount_key(&self, file: usize, expr: &str) -> MountKey {
        if let Some(m) = self.expr_module(file, expr) {
            return (m, self.module_var(m));
        }
        if let Some(router) = expr.strip_suffix(".urls") {
            return self.mount_key(file, router);
        }
        if let Some((qual, member)) = expr.rsplit_once('.') {
            return match self.expr_module(file, qual) {
                Some(m) => (m, member.to_string()),
                None => (file, expr.to_string()),
            };
        }
        let imported = self.files[file].imports.get(expr).and_then(|i| self.import_target(file, i));
        match imported {
            Some((f, Some(member))) => (f, member),
            Some((f, None)) => (f, self.module_var(f)),
            None => (file, expr.to_string()),
        }
    }

    /// The project module a dotted expression names (`views`, `shop.urls`), if any.
    fn expr_module(&self, file: usize, expr: &str) -> Option<usize> {
        self.qual_module(file, expr).and_then(Result::ok)
    }

    /// What a module used as a router stands for: its default export, else `urlpatterns`.
    fn module_var(&self, file: usize) -> String {
        self.files[file].default_export.clone().unwrap_or_else(|| "urlpatterns".into())
    }

    /// The definition of a route's handler: (file, start byte, end byte).
    pub(super) fn handler_def(&self, file: usize, h: &Handler, method: &str) -> Result<(usize, usize, usize), String> {
        match h {
            Handler::Node(s, e) => Ok((file, *s, *e)),
            Handler::Name { qual, name } => self.definition(&self.functions, file, qual.as_deref(), name),
            Handler::Class { qual, name } => {
                let class = self.definition(&self.classes, file, qual.as_deref(), name)?;
                Ok(self.method_of(class, &method.to_ascii_lowercase()).unwrap_or(class))
            }
            Handler::ViewSet { qual, name, detail } => {
                let class = self.definition(&self.classes, file, qual.as_deref(), name)?;
                Ok(viewset_action(method, *detail).and_then(|a| self.method_of(class, a)).unwrap_or(class))
            }
        }
    }

    /// The one definition `qual.name` means in `file`: in the module `qual` (or the
    /// import of `name`) names, else the one in `file`, else the only one in the project.
    /// A name imported from outside the project has none.
    pub(super) fn definition(
        &self,
        defs: &HashMap<String, Vec<(usize, usize, usize)>>,
        file: usize,
        qual: Option<&str>,
        name: &str,
    ) -> Result<(usize, usize, usize), String> {
        let imports = &self.files[file].imports;
        let (module, name) = match qual {
            Some(q) => (self.qual_module(file, q), name.to_string()),
            None => match imports.get(name) {
                Some(i) => {
                    let target = self.import_target(file, i);
                    let member = target.as_ref().and_then(|t| t.1.clone()).unwrap_or_else(|| name.to_string());
                    (
                        Some(
                            target.map(|t| t.0).ok_or_else(|| format!("`{name}` is imported from outside the source")),
                        ),
                        member,
                    )
                }
                None => (None, name.to_string()),
            },
        };
        let all = defs.get(&name).map(Vec::as_slice).unwrap_or_default();
        let pick = |want: usize| all.iter().filter(|d| d.0 == want).min_by_key(|d| d.1).copied();
        let found = match module {
            Some(Err(e)) => return Err(e),
            Some(Ok(f)) => pick(f),
            None => pick(file).or_else(|| (all.len() == 1).then(|| all[0])),
        };
        found.ok_or_else(|| match all.len() {
            0 => format!("no definition of `{name}` in the source"),
            n => format!("`{name}` has {n} definitions and none is the one meant here"),
        })
    }

    /// The file a qualifier names (`views`, `shop.views`, `api.views`): `None` when it is
    /// not an imported name (a local object), an error when it is imported from outside
    /// the source.
    fn qual_module(&self, file: usize, qual: &str) -> Option<Result<usize, String>> {
        let (head, rest) = match qual.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (qual, None),
        };
        let import = self.files[file].imports.get(head)?;
        let base = match &import.member {
            Some(m) if import.module.ends_with('.') => format!("{}{m}", import.module),
            Some(m) => format!("{}.{m}", import.module),
            None => import.module.clone(),
        };
        let dotted = match rest {
            Some(r) => format!("{base}.{r}"),
            None => base,
        };
        let found = if import.module.contains('/') {
            self.import_target(file, import).filter(|t| t.1.is_none()).map(|t| t.0)
        } else {
            self.module_file(file, &dotted)
        };
        Some(found.ok_or_else(|| format!("`{qual}` is imported from outside the source")))
    }

    /// The method `name` defined in a class (`def get(self, request)`).
    fn method_of(&self, (file, start, end): (usize, usize, usize), name: &str) -> Option<(usize, usize, usize)> {
        let defs = self.functions.get(name)?;
        defs.iter().filter(|d| d.0 == file && d.1 > start && d.2 <= end).min_by_key(|d| d.1).copied()
    }
}

impl Graph {
    /// Every full prefix of `key`: its parents' prefixes and their includes' prefixes,
    /// then its own.
    fn prefixes(&self, key: &MountKey, depth: usize) -> Vec<String> {
        let own = self.own.get(key).map(String::as_str).unwrap_or("");
        let parents: Vec<&(MountKey, MountKey, String)> = self.edges.iter().filter(|e| &e.1 == key).collect();
        if parents.is_empty() || depth >= MAX_NESTING {
            return vec![join(&[own])];
        }
        let mut out: Vec<String> = Vec::new();
        for (parent, _, prefix) in parents {
            for p in self.prefixes(parent, depth + 1) {
                let full = join(&[&p, prefix, own]);
                if !out.contains(&full) {
                    out.push(full);
                }
            }
        }
        out
    }
}

/// The DRF viewset action a verb runs on the list or the detail route.
fn viewset_action(method: &str, detail: bool) -> Option<&'static str> {
    Some(match (method, detail) {
        ("GET", false) => "list",
        ("POST", false) => "create",
        ("GET", true) => "retrieve",
        ("PUT", true) => "update",
        ("PATCH", true) => "partial_update",
        ("DELETE", true) => "destroy",
        _ => return None,
    })
}

/// Leading directories two paths share.
fn common_dirs(a: &str, b: &str) -> usize {
    a.split('/').zip(b.split('/')).take_while(|(x, y)| x == y).count()
}
