//! The shape of a statement for index advice: which tables it reads and how it uses
//! their columns (equality, range, join, ORDER BY, GROUP BY, IS NULL, projection).
//!
//! Parsing is done with sqlparser (PostgreSQL dialect) after pg_stat_statements' typed
//! placeholders are rewritten. Column references are kept with their scope chain and
//! resolved against the catalog afterwards ([`QueryShape::resolve`]), so unqualified
//! columns in joins, CTEs and subqueries land on the right table.
//!
//! Later: once `perfhound-sql` exists, its parsed form should feed this module so that the
//! statement is parsed once for fingerprinting and advice.

mod walk;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// How a column is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `col = x`, `col IN (…)`, `col = ANY(…)`.
    Eq,
    /// `col < x`, `col BETWEEN …`.
    Range,
    /// `a.col = b.col`.
    Join,
    /// ORDER BY.
    Order,
    /// GROUP BY / DISTINCT.
    Group,
    /// `col IS NULL` (a partial-index predicate).
    IsNull,
    /// `col IS NOT NULL` (a partial-index predicate).
    IsNotNull,
    /// `WHERE col` / `col = true` on a boolean column (a partial-index predicate).
    IsTrue,
    /// Read in the projection / RETURNING (an INCLUDE candidate).
    Select,
    /// Anywhere else (OR branches, function arguments…): not indexable as is.
    Other,
}

/// A table as written in the statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    pub schema: Option<String>,
    pub name: String,
    /// `SELECT *` or `t.*` reads every column.
    pub all_columns: bool,
}

/// A column reference before resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRef {
    pub column: String,
    pub role: Role,
    /// Candidate tables, innermost scope first. Qualified references have exactly one.
    pub candidates: Vec<Vec<usize>>,
}

/// A statement's tables and column uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryShape {
    pub tables: Vec<TableRef>,
    pub columns: Vec<ColumnRef>,
    /// The statement has a LIMIT / FETCH.
    pub has_limit: bool,
}

/// A resolved use: table index into [`QueryShape::tables`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ColumnUse {
    pub table: usize,
    pub column: String,
    pub role: Role,
}

impl QueryShape {
    /// Parses one statement. `None` when sqlparser cannot read it.
    pub fn parse(sql: &str) -> Option<QueryShape> {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
        let statement = statements.first()?;
        let mut w = walk::Walker::default();
        w.statement(statement);
        Some(w.finish())
    }

    /// Resolves column references using `has_column(table, column)` (the catalog):
    /// each goes to the first table of the innermost scope that has such a column.
    pub fn resolve(&self, has_column: impl Fn(&TableRef, &str) -> bool) -> Vec<ColumnUse> {
        let mut out = Vec::new();
        for c in &self.columns {
            let found = c.candidates.iter().find_map(|level| {
                let hits: Vec<usize> =
                    level.iter().copied().filter(|&t| has_column(&self.tables[t], &c.column)).collect();
                (!hits.is_empty()).then_some(hits)
            });
            if let Some(hits) = found {
                out.extend(hits.into_iter().take(1).map(|t| ColumnUse {
                    table: t,
                    column: c.column.clone(),
                    role: c.role,
                }));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
