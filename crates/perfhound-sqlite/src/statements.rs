//! The statements to analyze: given programmatically ([`StatementStat`], e.g. harvested
//! from traces) and/or read from a `--sql` file, grouped by their `perfhound-sql`
//! fingerprint — the same normalized text the trace engine uses as the query's name, so
//! findings of both engines meet on one target.

use crate::config::StatementStat;
use crate::error::SqliteError;
use perfhound_sql::StatementKind;
use sqlparser::dialect::SQLiteDialect;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::path::Path;

/// Where a statement came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Given in the config (traces, an API caller).
    Given,
    /// Statement `index` (1-based) of a SQL file.
    File { path: String, index: usize },
}

/// One distinct statement (by fingerprint) with its merged statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub origin: Origin,
    /// The first text seen for this fingerprint (literals included): what gets explained.
    pub sql: String,
    /// The `perfhound-sql` normalized text (literals and placeholders → `?`).
    pub fingerprint: String,
    /// Stable hash of `fingerprint`.
    pub hash: u64,
    pub kind: StatementKind,
    pub calls: u64,
    pub total_us: u64,
}

impl Statement {
    /// The text shown to people: the fingerprint, or the statement with its literals.
    pub fn display(&self, show_literals: bool) -> String {
        if show_literals {
            self.sql.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            self.fingerprint.clone()
        }
    }

    /// Mean execution time as observed by the caller (traces), when known.
    pub fn mean_us(&self) -> Option<f64> {
        (self.calls > 0 && self.total_us > 0).then(|| self.total_us as f64 / self.calls as f64)
    }
}

/// The distinct statements and the window their statistics cover.
#[derive(Clone, Debug, Default)]
pub struct StatementSet {
    pub statements: Vec<Statement>,
    pub window_s: Option<f64>,
    /// Statements left out: not SELECT/INSERT/UPDATE/DELETE (BEGIN, PRAGMA, DDL…) or empty.
    pub skipped: usize,
}

impl StatementSet {
    /// Builds the set from given statistics and an optional file.
    pub fn build(given: &[StatementStat], file: Option<&Path>, window_s: Option<f64>) -> Result<Self, SqliteError> {
        let mut set = StatementSet { window_s: window_s.filter(|w| *w > 0.0), ..Default::default() };
        let mut norm = perfhound_sql::Normalizer::new(10_000);
        for s in given {
            set.add(&mut norm, Origin::Given, &s.sql, s.calls, s.total_us);
        }
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|e| SqliteError::Io { path: shown.clone(), reason: e.to_string() })?;
            for (i, sql) in split_statements(&text).into_iter().enumerate() {
                set.add(&mut norm, Origin::File { path: shown.clone(), index: i + 1 }, &sql, 0, 0);
            }
        }
        Ok(set)
    }

    fn add(&mut self, norm: &mut perfhound_sql::Normalizer, origin: Origin, sql: &str, calls: u64, total_us: u64) {
        let sql = sql.trim().trim_end_matches(';').trim();
        let f = norm.fingerprint(sql, "sqlite");
        let kind = f.shape.kind;
        if sql.is_empty()
            || !matches!(
                kind,
                StatementKind::Select | StatementKind::Insert | StatementKind::Update | StatementKind::Delete
            )
        {
            self.skipped += 1;
            return;
        }
        match self.statements.iter_mut().find(|s| s.hash == f.shape.hash) {
            Some(s) => {
                s.calls += calls;
                s.total_us += total_us;
            }
            None => self.statements.push(Statement {
                origin,
                sql: sql.to_string(),
                fingerprint: f.shape.text.clone(),
                hash: f.shape.hash,
                kind,
                calls,
                total_us,
            }),
        }
    }

    /// Calls per day of a statement at the rate observed over the window.
    pub fn calls_per_day(&self, s: &Statement) -> Option<f64> {
        let w = self.window_s?;
        (s.calls > 0).then(|| s.calls as f64 * 86_400.0 / w)
    }

    /// Indices of the top `n` statements by a key, descending.
    pub fn top_by(&self, n: usize, key: impl Fn(&Statement) -> f64) -> Vec<usize> {
        perfhound_sql::engine::top_by(&self.statements, n, key)
    }
}

/// Splits a SQL file into statements on top-level semicolons; comment-only pieces are dropped.
pub fn split_statements(text: &str) -> Vec<String> {
    let Ok(tokens) = Tokenizer::new(&SQLiteDialect {}, text).tokenize() else {
        return text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    };
    let mut out = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut flush = |current: &mut Vec<Token>| {
        let first = current.iter().position(|t| !matches!(t, Token::Whitespace(_)));
        let last = current.iter().rposition(|t| !matches!(t, Token::Whitespace(_)));
        if let (Some(a), Some(b)) = (first, last) {
            out.push(current[a..=b].iter().map(ToString::to_string).collect());
        }
        current.clear();
    };
    for t in tokens {
        if t == Token::SemiColon {
            flush(&mut current);
        } else {
            current.push(t);
        }
    }
    flush(&mut current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_fingerprint_and_skips_non_dml() {
        let given = [
            StatementStat::new("SELECT * FROM orders WHERE user_id = 7", 10, 1000),
            StatementStat::new("select * from orders where user_id=8;", 5, 500),
            StatementStat::new("SELECT * FROM orders WHERE user_id = ?", 1, 100),
            StatementStat::new("BEGIN", 100, 10),
            StatementStat::new("PRAGMA foreign_keys = ON", 1, 1),
        ];
        let set = StatementSet::build(&given, None, Some(3600.0)).unwrap();
        assert_eq!(set.statements.len(), 1);
        let s = &set.statements[0];
        assert_eq!((s.calls, s.total_us), (16, 1600));
        assert_eq!(s.fingerprint, "SELECT * FROM orders WHERE user_id = ?");
        assert_eq!(
            s.fingerprint,
            perfhound_sql::fingerprint("SELECT * FROM orders WHERE user_id = $1", "sqlite").shape.text
        );
        assert_eq!(s.display(true), "SELECT * FROM orders WHERE user_id = 7");
        assert_eq!(set.skipped, 2);
        assert_eq!(set.calls_per_day(s), Some(384.0));
        assert_eq!(s.mean_us(), Some(100.0));
    }

    #[test]
    fn splits_files_on_top_level_semicolons() {
        let parts =
            split_statements("-- list\nSELECT ';' FROM t;\n\nUPDATE t SET a = 1 /* ; */ WHERE b = 2;\n-- end\n");
        assert_eq!(parts, vec!["SELECT ';' FROM t", "UPDATE t SET a = 1 /* ; */ WHERE b = 2"]);
    }
}
