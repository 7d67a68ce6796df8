//! The real parser pass: sqlparser, with the dialect picked from OpenTelemetry's
//! `db.system` / `db.system.name`.
//!
//! It runs once per distinct *shape* (the tokenizer's output is the cache key), so its
//! cost does not grow with the number of executions. When it accepts the shape it gives
//! the canonical text, the statement kind and the tables; when it does not (vendor syntax,
//! truncated text), the tokenizer's answer stands.

use sqlparser::ast::Statement;
use sqlparser::dialect::{self, Dialect, GenericDialect};
use sqlparser::parser::Parser;

/// What a statement does, as far as performance rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatementKind {
    Select,
    Insert,
    Update,
    Delete,
    /// MERGE, UPSERT, REPLACE.
    Merge,
    Begin,
    Commit,
    Rollback,
    /// CREATE, ALTER, DROP, TRUNCATE.
    Ddl,
    /// SET, SHOW, CALL, EXPLAIN, vendor commands, unknown text.
    Other,
}

impl StatementKind {
    /// INSERT, UPDATE, DELETE or MERGE.
    pub fn is_write(self) -> bool {
        matches!(self, StatementKind::Insert | StatementKind::Update | StatementKind::Delete | StatementKind::Merge)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Select => "select",
            StatementKind::Insert => "insert",
            StatementKind::Update => "update",
            StatementKind::Delete => "delete",
            StatementKind::Merge => "merge",
            StatementKind::Begin => "begin",
            StatementKind::Commit => "commit",
            StatementKind::Rollback => "rollback",
            StatementKind::Ddl => "ddl",
            StatementKind::Other => "other",
        }
    }

    /// The kind from the first keyword (the fallback when the parser gave up).
    pub fn from_first_word(word: &str) -> StatementKind {
        let w = word.to_ascii_lowercase();
        match w.as_str() {
            "select" | "with" | "values" | "table" => StatementKind::Select,
            "insert" => StatementKind::Insert,
            "update" => StatementKind::Update,
            "delete" => StatementKind::Delete,
            "merge" | "upsert" | "replace" => StatementKind::Merge,
            "begin" | "start" => StatementKind::Begin,
            "commit" | "end" => StatementKind::Commit,
            "rollback" | "abort" => StatementKind::Rollback,
            "create" | "alter" | "drop" | "truncate" => StatementKind::Ddl,
            _ => StatementKind::Other,
        }
    }
}

/// The sqlparser dialect for an OpenTelemetry `db.system` value.
pub fn dialect_for(system: &str) -> Box<dyn Dialect> {
    let name = match system.to_ascii_lowercase().as_str() {
        "postgresql" | "postgres" | "cockroachdb" | "redshift" | "yugabytedb" => "postgresql",
        "mysql" | "mariadb" | "tidb" => "mysql",
        "sqlite" => "sqlite",
        "mssql" | "microsoft.sql_server" | "sqlserver" => "mssql",
        "clickhouse" => "clickhouse",
        "oracle" => "oracle",
        "snowflake" => "snowflake",
        "bigquery" | "gcp.bigquery" => "bigquery",
        "duckdb" => "duckdb",
        "hive" | "spark" => "hive",
        _ => "generic",
    };
    dialect::dialect_from_str(name).unwrap_or_else(|| Box::new(GenericDialect {}))
}

/// What the parser says about a shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub canonical: String,
    pub kind: StatementKind,
}

/// Parses `shape` with the dialect of `system`, falling back to the generic dialect.
pub fn parse_shape(shape: &str, system: &str) -> Option<Parsed> {
    let primary = dialect_for(system);
    let statements =
        Parser::parse_sql(primary.as_ref(), shape).or_else(|_| Parser::parse_sql(&GenericDialect {}, shape)).ok()?;
    let first = statements.first()?;
    let canonical = statements.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
    Some(Parsed { canonical, kind: kind_of(first) })
}

fn kind_of(s: &Statement) -> StatementKind {
    match s {
        Statement::Query(_) => StatementKind::Select,
        Statement::Insert(_) => StatementKind::Insert,
        Statement::Update(_) => StatementKind::Update,
        Statement::Delete(_) => StatementKind::Delete,
        Statement::Merge(_) => StatementKind::Merge,
        Statement::StartTransaction { .. } => StatementKind::Begin,
        Statement::Commit { .. } => StatementKind::Commit,
        Statement::Rollback { .. } => StatementKind::Rollback,
        other => {
            let text = other.to_string();
            StatementKind::from_first_word(text.split_whitespace().next().unwrap_or(""))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_and_kind() {
        let p = parse_shape("SELECT a FROM users JOIN orders ON x = y WHERE id = ?", "postgresql").unwrap();
        assert_eq!(p.kind, StatementKind::Select);
        assert_eq!(p.canonical, "SELECT a FROM users JOIN orders ON x = y WHERE id = ?");
        let p = parse_shape("INSERT INTO t (a) VALUES (?)", "sqlite").unwrap();
        assert_eq!(p.kind, StatementKind::Insert);
    }

    #[test]
    fn garbage_is_none() {
        assert!(parse_shape("SELEC FROM WHERE (", "mysql").is_none());
    }
}
