//! SQL fingerprinting, column usage and URL templating, shared by perfhound's trace,
//! database and log engines.
//!
//! Why a crate of its own: the trace engine groups millions of `db.statement` values, the
//! database engine matches `pg_stat_statements` entries, the log engine groups access-log
//! paths — and all three must agree that `SELECT * FROM users WHERE id = 42` and
//! `select * from users where id=7` are the same query, and that `/users/42` and
//! `/users/7` are the same endpoint.
//!
//! How: a byte-level lexer that never fails ([`lexer`]) turns any text — truncated,
//! vendor-specific, binary — into tokens; [`shape`] normalizes them (literals and
//! placeholders → `?`, `IN`/`VALUES` lists collapsed, qualifiers dropped, case
//! normalized). The result is the cache key for the real parser ([`parse`], sqlparser with
//! the dialect from `db.system`), which runs once per distinct shape and supplies the
//! canonical text and statement kind. So the parser's accuracy costs nothing per
//! execution, and the tokenizer always returns *something*.
//!
//! [`url`] does the same for HTTP: `/users/42/orders/7f3c…` → `/users/{id}/orders/{hash}`.
//!
//! [`usage`] is the other half of what the database engines share: which columns a
//! statement uses and how (equality, range, join, ORDER BY…), with its bind slots and the
//! read-only search that measures a write — one sqlparser walk for PostgreSQL and SQLite,
//! with what differs between them (identifier folding and quoting, which comparisons an
//! index serves) named in [`Dialect`].

pub mod dialect;
pub mod engine;
pub mod exprs;
pub mod hash;
pub mod json;
pub mod lexer;
pub mod parse;
pub mod shape;
pub mod url;
pub mod usage;

pub use dialect::Dialect;
pub use json::json_shape;
pub use parse::{dialect_for, StatementKind};
pub use url::{template_key, template_path, template_url};

use lexer::{fnv1a, fnv1a_str, lex_into, Flavor, Lexed, TokKind};
use std::sync::Arc;

/// The statement as written with every literal value replaced by `?`: qualifiers,
/// aliases, case and spacing are kept, so the text still runs (with bind parameters) where
/// the normalized [`Shape::text`] may not (`o.id` and `i.id` both become `id` there).
pub fn redact_literals(sql: &str) -> String {
    let mut lexed = Lexed::default();
    lex_into(sql, Flavor::default(), &mut lexed);
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    for t in &lexed.tokens {
        if let TokKind::Param { literal: true } = t.kind {
            out.push_str(sql.get(at..t.start).unwrap_or(""));
            out.push('?');
            at = t.end;
        }
    }
    out.push_str(sql.get(at..).unwrap_or(""));
    out
}

/// Statements longer than this are fingerprinted from their first bytes only.
pub const MAX_STATEMENT_BYTES: usize = 16 * 1024;

/// What all executions of one statement shape share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The normalized statement, e.g. `SELECT * FROM users WHERE id = ?`.
    pub text: String,
    /// Stable 64-bit FNV-1a of `text` (equal across processes and machines).
    pub hash: u64,
    pub kind: StatementKind,
    /// Tables the statement reads or writes, lower case, without schema.
    pub tables: Vec<String>,
    /// True when sqlparser accepted the shape (otherwise `text`/`kind`/`tables` come from
    /// the tokenizer alone).
    pub parsed: bool,
}

/// One execution's fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub shape: Arc<Shape>,
    /// FNV-1a of the literal values in order; 0 when the statement has no literals (bind
    /// parameters are not in the text, so two executions with placeholders only cannot be
    /// told apart by their text).
    pub params_hash: u64,
    pub literals: u32,
    pub placeholders: u32,
    /// Rows of a `VALUES` list or items of the largest `IN (…)` list (1 when neither).
    pub batch_items: u32,
    /// The text looks cut off (open string, comment or parenthesis, or over the size limit).
    pub truncated: bool,
}

/// Fingerprints statements, caching parser results per shape. Not thread-safe: use one
/// per thread.
pub struct Normalizer {
    cache: hash::KeyMap<Arc<Shape>>,
    max_cache: usize,
    lexed: Lexed,
    buf: String,
    scratch: shape::Scratch,
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl Normalizer {
    /// A normalizer remembering at most `max_cache` shapes (the cache is cleared when full).
    pub fn new(max_cache: usize) -> Self {
        Normalizer {
            cache: hash::KeyMap::default(),
            max_cache: max_cache.max(1),
            lexed: Lexed::default(),
            buf: String::new(),
            scratch: shape::Scratch::default(),
        }
    }

    /// Number of distinct shapes currently cached.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Fingerprints `sql` as written for database `system` (OpenTelemetry `db.system`,
    /// e.g. `postgresql`, `mysql`, `sqlite`; empty when unknown).
    pub fn fingerprint(&mut self, sql: &str, system: &str) -> Fingerprint {
        let (text, over_limit) = clip(sql);
        let flavor = flavor_for(system);
        lex_into(text, flavor, &mut self.lexed);
        let extras = shape::shape_into(text, &self.lexed, &mut self.buf, &mut self.scratch);
        let trimmed = text.trim_end();
        let truncated = over_limit
            || self.lexed.unterminated
            || extras.unbalanced
            || trimmed.ends_with("...")
            || trimmed.ends_with('…');
        let key = fnv1a(fnv1a_str(&self.buf), system.as_bytes());
        let shape = match self.cache.get(&key) {
            Some(s) => Arc::clone(s),
            None => {
                let s = Arc::new(build_shape(&self.buf, &self.lexed, text, system));
                if self.cache.len() >= self.max_cache {
                    self.cache.clear();
                }
                self.cache.insert(key, Arc::clone(&s));
                s
            }
        };
        Fingerprint {
            shape,
            params_hash: self.lexed.literal_hash,
            literals: self.lexed.literals,
            placeholders: self.lexed.placeholders,
            batch_items: extras.batch_items,
            truncated,
        }
    }
}

/// Fingerprints one statement without a cache (convenience for one-off use).
pub fn fingerprint(sql: &str, system: &str) -> Fingerprint {
    Normalizer::new(1).fingerprint(sql, system)
}

fn clip(sql: &str) -> (&str, bool) {
    if sql.len() <= MAX_STATEMENT_BYTES {
        return (sql, false);
    }
    let mut end = MAX_STATEMENT_BYTES;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    (&sql[..end], true)
}

fn flavor_for(system: &str) -> Flavor {
    if ["mysql", "mariadb", "tidb"].iter().any(|m| system.eq_ignore_ascii_case(m)) {
        Flavor::MYSQL
    } else {
        Flavor::default()
    }
}

fn build_shape(shape_text: &str, lexed: &Lexed, original: &str, system: &str) -> Shape {
    let hash = fnv1a_str(shape_text);
    let (kind, tables) = kind_and_tables(lexed, original);
    match parse::parse_shape(shape_text, system) {
        Some(p) => Shape { text: p.canonical, hash, kind: p.kind, tables, parsed: true },
        None => Shape { text: shape_text.to_string(), hash, kind, tables, parsed: false },
    }
}

/// Statement kind from the first keyword (used when the parser gives up) (the main verb after a `WITH …` prefix) and tables
/// from the words after FROM / JOIN / INTO / UPDATE.
fn kind_and_tables(lexed: &Lexed, sql: &str) -> (StatementKind, Vec<String>) {
    let words: Vec<(usize, &str)> = lexed
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.kind, TokKind::Word | TokKind::QuotedIdent))
        .map(|(i, t)| (i, &sql[t.start..t.end]))
        .collect();
    let mut kind = words.first().map_or(StatementKind::Other, |(_, w)| StatementKind::from_first_word(w));
    if words.first().is_some_and(|(_, w)| w.eq_ignore_ascii_case("with")) {
        let verbs = ["select", "insert", "update", "delete"];
        if let Some((_, v)) = words.iter().rev().find(|(_, w)| verbs.iter().any(|v| w.eq_ignore_ascii_case(v))) {
            kind = StatementKind::from_first_word(v);
        }
    }
    let mut tables = Vec::new();
    for (i, w) in &words {
        let introduces = ["from", "join", "into", "update"].iter().any(|x| w.eq_ignore_ascii_case(x));
        if !introduces {
            continue;
        }
        // The table is the last part of a dotted name directly after the keyword.
        let mut j = i + 1;
        let mut name: Option<&str> = None;
        while let Some(t) = lexed.tokens.get(j) {
            match t.kind {
                TokKind::Word | TokKind::QuotedIdent => name = Some(&sql[t.start..t.end]),
                TokKind::Punct(b'.') => {}
                _ => break,
            }
            if lexed.tokens.get(j + 1).map(|t| t.kind) != Some(TokKind::Punct(b'.')) {
                break;
            }
            j += 1;
        }
        if let Some(n) = name.map(str::to_ascii_lowercase) {
            if !shape::is_keyword(&n) && !tables.contains(&n) && tables.len() < 16 {
                tables.push(n);
            }
        }
    }
    (kind, tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacting_literals_keeps_the_statement_runnable() {
        assert_eq!(
            redact_literals("SELECT o.id FROM orders o WHERE o.email = 'a@b.c' AND o.total > 42 AND o.x = ?"),
            "SELECT o.id FROM orders o WHERE o.email = ? AND o.total > ? AND o.x = ?"
        );
        assert_eq!(redact_literals("SELECT 'it''s'"), "SELECT ?");
        assert_eq!(redact_literals("SELECT $1"), "SELECT $1");
    }

    #[test]
    fn same_query_same_shape() {
        let a = fingerprint("SELECT * FROM users WHERE id = 42", "postgresql");
        let b = fingerprint("select *\n  from users where id=7 -- hot path", "postgresql");
        assert_eq!(a.shape.text, b.shape.text);
        assert_eq!(a.shape.hash, b.shape.hash);
        assert_ne!(a.params_hash, b.params_hash);
        assert!(a.shape.parsed);
        assert_eq!(a.shape.tables, vec!["users"]);
    }

    #[test]
    fn fallback_for_truncated_text() {
        let f =
            fingerprint("SELECT id, name FROM orders o JOIN items i ON o.id = i.order_id WHERE o.id IN (1, 2, 'ab", "");
        assert!(f.truncated);
        assert!(!f.shape.parsed);
        assert_eq!(f.shape.kind, StatementKind::Select);
        assert_eq!(f.shape.tables, vec!["orders", "items"]);
    }

    #[test]
    fn cache_reuses_shapes() {
        let mut n = Normalizer::new(10);
        let a = n.fingerprint("SELECT 1 FROM t WHERE a = 1", "");
        let b = n.fingerprint("SELECT 1 FROM t WHERE a = 2", "");
        assert!(Arc::ptr_eq(&a.shape, &b.shape));
        assert_eq!(n.cached(), 1);
    }
}
