//! Endpoint names: `METHOD /path/{id}` from a request's method and target.
//!
//! Paths are templated by `perfhound_sql`'s URL templates (ids, UUIDs, hashes, dates,
//! tokens); the query string and any scheme and host are dropped. What those rules
//! cannot see — slugs such as `/products/red-shoes`, `/products/blue-hat` — is
//! *learned*: when one position of a path has many distinct literal values while every
//! other segment is the same, it becomes `{var}` ([`Merges::learn`]), and later requests
//! are named with the merge applied.

use perfhound_sql::url::template_segment;
use std::collections::HashMap;

/// Distinct literal values at one position before it becomes `{var}`.
pub const DEFAULT_MIN_SIBLINGS: usize = 50;

/// The name of requests whose request line could not be split into method and path.
pub const INVALID: &str = "(invalid request)";

/// One learned merge: in `METHOD` paths with `len` segments whose other segments equal
/// `shape`'s, the segment at `pos` is a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Merge {
    method: String,
    pos: usize,
    shape: Vec<String>,
}

/// The learned merges.
#[derive(Clone, Debug, Default)]
pub struct Merges {
    rules: Vec<Merge>,
}

impl Merges {
    /// Writes the endpoint name of a request into `out` (cleared first).
    pub fn name(&self, method: &str, target: &str, out: &mut String) {
        out.clear();
        if method.is_empty() {
            out.push_str(INVALID);
            return;
        }
        out.push_str(method);
        out.push(' ');
        let start = out.len();
        for (i, seg) in segments(path_of(target)).enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(template_segment(seg).unwrap_or(seg));
        }
        if out.len() == start {
            out.push('/');
        }
        if let Some(range) = self.merged_segment(out) {
            out.replace_range(range, VAR);
        }
    }

    /// The byte range, in `name`, of the segment the first matching merge turns into
    /// `{var}` (no allocation: this runs for every line).
    fn merged_segment(&self, name: &str) -> Option<std::ops::Range<usize>> {
        if self.rules.is_empty() {
            return None;
        }
        let (method, path) = name.split_once(' ')?;
        let len = memchr::memchr_iter(b'/', path.as_bytes()).count() + 1;
        let rule = self.rules.iter().find(|r| r.method == method && r.shape.len() == len && matches(r, path))?;
        let mut offset = method.len() + 1;
        for (i, seg) in segments(path).enumerate() {
            if i == rule.pos {
                return Some(offset..offset + seg.len());
            }
            offset += seg.len() + 1;
        }
        None
    }

    /// Learns merges from endpoint names; returns how many were added. A position merges
    /// when at least `min_siblings` names differ only there, by literal segments.
    pub fn learn<'a>(&mut self, names: impl Iterator<Item = &'a str>, min_siblings: usize) -> usize {
        let mut groups: HashMap<(String, usize, Vec<String>), usize> = HashMap::new();
        for name in names {
            let Some((method, path)) = name.split_once(' ') else { continue };
            let segs: Vec<&str> = path.split('/').collect();
            for pos in 1..segs.len() {
                if segs[pos].is_empty() || segs[pos].starts_with('{') {
                    continue;
                }
                let mut shape: Vec<String> = segs.iter().map(|s| s.to_string()).collect();
                shape[pos] = String::new();
                *groups.entry((method.to_string(), pos, shape)).or_default() += 1;
            }
        }
        let before = self.rules.len();
        for ((method, pos, shape), n) in groups {
            let rule = Merge { method, pos, shape };
            if n >= min_siblings.max(2) && !self.rules.contains(&rule) {
                self.rules.push(rule);
            }
        }
        self.rules.len() - before
    }

    /// The merged name of an already-named endpoint (to fold existing entries).
    pub fn rename(&self, name: &str) -> Option<String> {
        let range = self.merged_segment(name)?;
        let mut merged = name.to_string();
        merged.replace_range(range, VAR);
        Some(merged)
    }
}

/// What a merged segment becomes.
const VAR: &str = "{var}";

/// Whether `path`'s segments equal the rule's shape except at its position.
fn matches(r: &Merge, path: &str) -> bool {
    segments(path).zip(&r.shape).enumerate().all(|(i, (s, want))| i == r.pos || s == want)
}

/// The `/`-separated segments of a path (memchr, not a char searcher: once per line).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'/', path.as_bytes()).map(Some).chain([None]).map(move |slash| {
        let end = slash.unwrap_or(path.len());
        let seg = &path[start..end];
        start = end + 1;
        seg
    })
}

/// The path of a target: no scheme/host, no query, no fragment.
fn path_of(target: &str) -> &str {
    let rest = if target.starts_with('/') {
        target
    } else {
        match target.find("://") {
            Some(i) => {
                let after = &target[i + 3..];
                after.find('/').map_or("/", |p| &after[p..])
            }
            None => target,
        }
    };
    let end = memchr::memchr2(b'?', b'#', rest.as_bytes()).unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(m: &Merges, method: &str, target: &str) -> String {
        let mut s = String::new();
        m.name(method, target, &mut s);
        s
    }

    #[test]
    fn names_template_ids_and_drop_queries() {
        let m = Merges::default();
        assert_eq!(name(&m, "GET", "/api/products/42?x=1"), "GET /api/products/{id}");
        assert_eq!(name(&m, "GET", "https://shop.example/o/3f2a9c1e-1111-2222-3333-444455556666"), "GET /o/{uuid}");
        assert_eq!(name(&m, "GET", "?x"), "GET /");
        assert_eq!(name(&m, "", "x"), INVALID);
    }

    #[test]
    fn learns_high_cardinality_slugs_only() {
        let mut m = Merges::default();
        let slugs: Vec<String> =
            (0..60).map(|i| format!("GET /products/item-{}-x/reviews", ["a", "b", "c"][i % 3].repeat(i + 1))).collect();
        let few = ["GET /api/users", "GET /api/orders", "GET /api/carts"];
        let added = m.learn(slugs.iter().map(String::as_str).chain(few), DEFAULT_MIN_SIBLINGS);
        assert_eq!(added, 1);
        assert_eq!(name(&m, "GET", "/products/new-one/reviews"), "GET /products/{var}/reviews");
        assert_eq!(name(&m, "GET", "/api/users"), "GET /api/users");
        assert_eq!(name(&m, "POST", "/products/new-one/reviews"), "POST /products/new-one/reviews");
        assert_eq!(m.rename("GET /products/zzz/reviews").as_deref(), Some("GET /products/{var}/reviews"));
    }
}
