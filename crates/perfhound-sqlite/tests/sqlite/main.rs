//! Integration tests on real SQLite files: the acceptance cases on a 100,000-order
//! shop, health checks (positive and negative), and safety (the file is never written,
//! clear errors).

mod support;

mod acceptance;
mod checks;
mod safety;

use perfhound_sqlite::{analyze, Analysis, SqliteConfig, StatementStat};
use std::path::Path;

/// Analyzes `path` with these statements (10,000 calls, 10 ms each, over an hour: busy
/// enough to matter), adjusted by `tune`.
pub fn run(path: &Path, sql: &[&str], tune: impl FnOnce(&mut SqliteConfig)) -> Analysis {
    let mut cfg = SqliteConfig::new(path);
    cfg.statements = sql.iter().map(|s| StatementStat::new(*s, 10_000, 100_000_000)).collect();
    cfg.window_s = Some(3600.0);
    tune(&mut cfg);
    analyze(&cfg).unwrap_or_else(|e| panic!("analyze failed: {e}"))
}

/// Suggested indexes as `table(a,b)`.
pub fn suggested(a: &Analysis) -> Vec<String> {
    a.advice
        .as_ref()
        .map(|adv| {
            adv.suggestions
                .iter()
                .map(|s| format!("{}({})", s.candidate.table, s.candidate.columns.join(",")))
                .collect()
        })
        .unwrap_or_default()
}

/// Codes of the findings.
pub fn codes(a: &Analysis) -> Vec<&str> {
    a.diagnosis.findings.iter().map(|f| f.rule.code.as_str()).collect()
}

/// Index of the statement whose text is `sql` (as given).
pub fn stmt(a: &Analysis, sql: &str) -> usize {
    a.statements.statements.iter().position(|s| s.sql == sql).unwrap_or_else(|| panic!("no statement {sql}"))
}
