//! perfhound-scan: performance anti-patterns in Python, JavaScript and TypeScript source.
//!
//! Why a scanner in a runtime tool: the runtime half (traces, database statistics) says
//! *what* is slow — "N+1 on GET /api/orders, 101 queries" — and the scanner says *where*:
//! the loop in `orders.py:42-48` that issues them. The join itself lives above the engines
//! (perfhound-audit / the CLI); this crate only finds patterns and, for the join, route
//! handlers (`routes.rs`).
//!
//! Design, after ruff: every file is parsed once with a real parser (tree-sitter
//! grammars) and walked once; each rule is one file owning its `const Rule`, its node
//! kinds and its check (`rules/`), dispatched by node kind id (`analyze.rs`). Files are
//! scanned in parallel over all cores with `.gitignore` respected (`walk.rs`). A file
//! that does not parse is reported and skipped. Suppression comments (`suppress.rs`) and
//! a config file (`config.rs`) switch rules off by path or line.

mod analyze;
pub mod config;
mod ctx;
mod finding;
pub mod lang;
pub mod locate;
pub mod output;
pub mod rules;
pub mod suppress;
pub mod syntax;
mod walk;

pub use analyze::{Analyzer, ParseFailure};
pub use config::{Config, ConfigError};
pub use ctx::Hit;
pub use finding::to_finding;
pub use walk::{scan, Scan, Skipped, MAX_FILE_BYTES};

use perfhound_model::{Rule, Run, Source, SourceKind};

/// Every scan rule, for `perfhound rules`.
pub fn rules() -> Vec<Rule> {
    rules::rules()
}

/// Findings of one source text (tests, fuzzing, editors): `path` names it in findings.
pub fn scan_text(path: &str, lang: lang::Lang, text: &str) -> Result<Vec<perfhound_model::Finding>, ParseFailure> {
    let hits = Analyzer::new().analyze(lang, text)?;
    let sup = suppress::parse(text);
    Ok(hits
        .iter()
        .filter(|h| !sup.get(&h.line).is_some_and(|s| s.covers(&h.rule.rule)))
        .map(|h| to_finding(h, path, text, lang))
        .collect())
}

/// What the caller knows about the run.
#[derive(Clone, Debug, Default)]
pub struct RunMeta {
    pub command: Vec<String>,
    pub started_at: String,
    pub sources: Vec<String>,
}

/// The model run of a scan: findings, sources, and a warning per skipped file.
pub fn to_run(scan: &Scan, meta: RunMeta) -> Run {
    let mut warnings: Vec<String> = scan.skipped.iter().map(|s| format!("{}: {}", s.path, s.reason)).collect();
    if scan.files.is_empty() {
        warnings.push("no Python, JavaScript or TypeScript files found".into());
    }
    Run {
        sources: meta.sources.into_iter().map(|d| Source { kind: SourceKind::Scan, description: d }).collect(),
        findings: scan.findings.clone(),
        warnings,
        ..Run::begun(meta.command, meta.started_at)
    }
}
