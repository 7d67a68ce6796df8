//! Integration tests against a real PostgreSQL (servers shared by the binary, one database
//! per test): the acceptance cases, Dexter-style single statements, statement
//! analysis, health checks, safety, statements from real logs, TLS and analysis windows.

use perfhound_testkit::pg as support;

mod acceptance;
mod checks;
mod dexter;
mod logs;
mod safety;
mod tls;
mod window;

use perfhound_db::{analyze, Analysis, Config};

/// Analyzes `url` with default settings, adjusted by `tune`.
pub async fn run(url: &str, tune: impl FnOnce(&mut Config)) -> Analysis {
    let mut cfg = Config::new(url);
    tune(&mut cfg);
    analyze(&cfg).await.unwrap_or_else(|e| panic!("analyze failed: {e}"))
}

/// Key columns of every suggested index, as `table(a,b)`.
pub fn suggested(a: &Analysis) -> Vec<String> {
    a.advice
        .as_ref()
        .map(|adv| adv.suggestions.iter().map(|s| format!("{}({})", s.spec.table, s.spec.columns.join(","))).collect())
        .unwrap_or_default()
}

/// Codes of the findings.
pub fn codes(a: &Analysis) -> Vec<&str> {
    a.diagnosis.findings.iter().map(|f| f.rule.code.as_str()).collect()
}
