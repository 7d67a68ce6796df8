//! The shape of a statement for index advice: which tables it reads, how it uses their
//! columns (equality, range, join, ORDER BY, GROUP BY, projection), which bind slot is
//! compared with which column (to sample realistic parameter values), and the read-only
//! `SELECT` that measures an UPDATE/DELETE's row search.
//!
//! The statement is parsed with sqlparser's SQLite dialect after its placeholders were
//! numbered (`?N`, see [`crate::params`]). Column references keep their scope chain and
//! are resolved against the catalog afterwards ([`QueryShape::resolve`]); names compare
//! case-insensitively, as SQLite's do.

mod walk;

use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

/// How a column is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `col = x`, `col IN (…)`, `col IS x`, `col IS NULL`.
    Eq,
    /// `col < x`, `col BETWEEN …`.
    Range,
    /// `a.col = b.col`.
    Join,
    /// ORDER BY.
    Order,
    /// GROUP BY / DISTINCT.
    Group,
    /// Read in the projection / RETURNING.
    Select,
    /// Anywhere else (OR branches, function arguments, LIKE…): not indexable as is.
    Other,
}

/// How a bind slot constrains its column: what kind of sample value makes sense.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    /// `col = ?`, `col IN (?)`, `col LIKE ?`: a value the column holds.
    Eq,
    /// `col > ?`, `col >= ?`, BETWEEN's low end: a high value (a selective "recent rows" range).
    Lower,
    /// `col < ?`, `col <= ?`, BETWEEN's high end.
    Upper,
    /// `LIMIT ?`.
    Limit,
    /// `OFFSET ?`.
    Offset,
}

/// A table as written in the statement (names lower case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    pub name: String,
    /// The alias, or the name when there is none: what EXPLAIN QUERY PLAN prints.
    pub visible: String,
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

/// A bind slot compared with a column (`column` indexes [`QueryShape::columns`]), or
/// used as LIMIT/OFFSET (`column` is `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamUse {
    pub slot: usize,
    pub bound: Bound,
    pub column: Option<usize>,
}

/// A statement's tables, column uses and parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryShape {
    pub tables: Vec<TableRef>,
    pub columns: Vec<ColumnRef>,
    pub params: Vec<ParamUse>,
    pub has_limit: bool,
    /// For UPDATE/DELETE (and INSERT … SELECT): the read-only statement that finds the same
    /// rows, measured instead of the write. `None` for queries (measured as they are) and
    /// for writes without a measurable search.
    pub measure_sql: Option<String>,
    pub is_write: bool,
}

/// A resolved use: `table` indexes [`QueryShape::tables`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ColumnUse {
    pub table: usize,
    pub column: String,
    pub role: Role,
}

impl QueryShape {
    /// Parses one statement (placeholders already numbered). `None` when sqlparser cannot read it.
    pub fn parse(sql: &str) -> Option<QueryShape> {
        let statements = Parser::parse_sql(&SQLiteDialect {}, sql)
            .or_else(|e| without_cross(sql).map_or(Err(e), |s| Parser::parse_sql(&SQLiteDialect {}, &s)))
            .ok()?;
        let [statement] = statements.as_slice() else { return None };
        let mut w = walk::Walker::default();
        w.statement(statement);
        Some(w.finish())
    }

    /// The table each column reference lands on, using `has_column(table, column)` (the
    /// catalog): the first table of the innermost scope that has such a column.
    pub fn resolve_ref(&self, i: usize, has_column: &impl Fn(&TableRef, &str) -> bool) -> Option<usize> {
        let c = self.columns.get(i)?;
        c.candidates.iter().find_map(|level| level.iter().copied().find(|&t| has_column(&self.tables[t], &c.column)))
    }

    /// All resolved column uses, sorted and deduplicated.
    pub fn resolve(&self, has_column: impl Fn(&TableRef, &str) -> bool) -> Vec<ColumnUse> {
        let mut out: Vec<ColumnUse> = (0..self.columns.len())
            .filter_map(|i| {
                let t = self.resolve_ref(i, &has_column)?;
                Some(ColumnUse { table: t, column: self.columns[i].column.clone(), role: self.columns[i].role })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The table a name printed by EXPLAIN QUERY PLAN (alias or name) refers to.
    pub fn table_for_plan_name(&self, name: &str) -> Option<&TableRef> {
        self.tables.iter().find(|t| t.visible.eq_ignore_ascii_case(name))
    }
}

/// SQLite accepts `CROSS JOIN … ON` (a join whose order the planner keeps); sqlparser
/// does not. For column roles it is a plain join: `Some(text)` with `CROSS` dropped.
fn without_cross(sql: &str) -> Option<String> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let mut tokens = Tokenizer::new(&SQLiteDialect {}, sql).tokenize().ok()?;
    let is = |t: &Token, k: Keyword| matches!(t, Token::Word(w) if w.keyword == k && w.quote_style.is_none());
    let mut changed = false;
    for i in 0..tokens.len() {
        let next_word = tokens[i + 1..].iter().find(|t| !matches!(t, Token::Whitespace(_)));
        if is(&tokens[i], Keyword::CROSS) && next_word.is_some_and(|t| is(t, Keyword::JOIN)) {
            tokens[i] = Token::Whitespace(sqlparser::tokenizer::Whitespace::Space);
            changed = true;
        }
    }
    changed.then(|| tokens.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests;
