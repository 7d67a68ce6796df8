//! `PH-SQLITE007 journal-mode-not-wal`: a database in a rollback-journal mode.
//!
//! # What it detects
//! `PRAGMA journal_mode` other than `wal` (WAL is a property of the file; the rollback
//! modes — delete, truncate, persist — are what a new connection sees otherwise).
//!
//! # Why it matters
//! In rollback-journal modes a writer blocks every reader while it commits, and readers
//! block the writer: a service with concurrent requests serializes on the database
//! (`database is locked`). In WAL mode readers and one writer proceed concurrently and
//! commits are cheaper. Info: a single-process tool or a read-only file does not need WAL.
//!
//! # Example
//! `journal_mode = delete` for the database of a web service.
//!
//! # Fix
//! `PRAGMA journal_mode = WAL;` once (it persists in the file); with WAL,
//! `PRAGMA synchronous = NORMAL;` per connection is durable across application crashes and
//! much faster than FULL.
//!
//! # Thresholds
//! None.

use super::{Ctx, Outcome};
use crate::error::SqliteError;
use perfhound_model::Extra;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-SQLITE007",
    name: "journal-mode-not-wal",
    severity: Severity::Info,
    summary: "The database uses a rollback journal, not WAL: writers block readers and readers block writers.",
    why: "A service with concurrent requests serializes on the database lock (`database is locked`); WAL lets readers and a writer run together.",
    fix: "Run PRAGMA journal_mode = WAL; once (persistent), and PRAGMA synchronous = NORMAL; on each connection.",
};

pub fn check(ctx: &Ctx<'_>) -> Result<Outcome, SqliteError> {
    let mode = ctx.pragma_text("journal_mode")?.to_ascii_lowercase();
    let mut o =
        Outcome { metrics: vec![(Extra::JournalModeWal, if mode == "wal" { 1.0 } else { 0.0 })], ..Default::default() };
    if mode != "wal" && mode != "memory" && mode != "off" {
        let mut f = Finding::new(&RULE, ctx.database.clone(), format!("journal_mode is {mode}, not WAL"));
        f.evidence.notes.push(format!("PRAGMA journal_mode = {mode}"));
        f.recommendation.snippet = Some("PRAGMA journal_mode = WAL;".into());
        f.recommendation.snippet_lang = Some("sql".into());
        f.recommendation.effort = Some(Effort::QuickWin);
        o.findings.push(f);
    }
    Ok(o)
}
