//! Column usage for index advice, shared by the PostgreSQL and SQLite advisors: which
//! tables a statement reads, how it uses their columns (equality, range, join, ORDER BY,
//! GROUP BY / DISTINCT, `IS NULL`, boolean tests, projection), which bind slot is compared
//! with which column (to sample realistic parameter values), and the read-only `SELECT`
//! that finds the rows an UPDATE/DELETE would change (to measure a write without writing).
//!
//! The statement is parsed with sqlparser in the engine's [`Dialect`]; everything that
//! differs between the databases (identifier folding, which comparisons are indexable) is
//! a method of [`Dialect`], so the walk itself is one piece of code. Column references keep
//! their scope chain and are resolved against the caller's catalog afterwards
//! ([`QueryShape::resolve`]), so unqualified columns in joins, CTEs and subqueries land on
//! the right table.
//!
//! Bind slots are numbered placeholders: `?N` (SQLite, after the engine numbered them) or
//! `$N` (PostgreSQL).

mod keys;
mod predicate;
mod search;
mod walk;

pub use keys::{columns_with, IndexKeys};

use crate::Dialect;

/// How a column is used. Each advisor decides what a role is worth to its planner (SQLite
/// reads `IS NULL` through an index like an equality; PostgreSQL makes it a partial-index
/// predicate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `col = x`, `col IN (…)`, `col = ANY(…)`, SQLite's `col IS x`.
    Eq,
    /// `col < x`, `col BETWEEN …`.
    Range,
    /// `a.col = b.col`.
    Join,
    /// ORDER BY.
    Order,
    /// GROUP BY / DISTINCT.
    Group,
    /// `col IS NULL`.
    IsNull,
    /// `col IS NOT NULL`.
    IsNotNull,
    /// `WHERE col`, `col IS TRUE`, PostgreSQL's `col = true` (a boolean test).
    IsTrue,
    /// Read in the projection / RETURNING (an INCLUDE candidate).
    Select,
    /// Anywhere else (OR branches, function arguments, LIKE…): not indexable as is.
    Other,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Eq,
        Role::Range,
        Role::Join,
        Role::Order,
        Role::Group,
        Role::IsNull,
        Role::IsNotNull,
        Role::IsTrue,
        Role::Select,
        Role::Other,
    ];
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

/// A table as written in the statement (names folded by the dialect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    pub schema: Option<String>,
    pub name: String,
    /// The alias, or the name when there is none: what SQLite's EXPLAIN QUERY PLAN prints.
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
    /// The statement has a LIMIT / FETCH.
    pub has_limit: bool,
    /// For UPDATE/DELETE (and INSERT … SELECT): the read-only statement that finds the same
    /// rows, measured instead of the write. `None` for queries (measured as they are) and
    /// for writes without a measurable search (joins, `UPDATE … FROM`, `DELETE … USING`).
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
    /// Parses exactly one statement in `dialect`. `None` when sqlparser cannot read it or
    /// the text holds several statements.
    pub fn parse(sql: &str, dialect: Dialect) -> Option<QueryShape> {
        let statements =
            dialect.parse(sql).or_else(|e| without_cross(sql, dialect).map_or(Err(e), |s| dialect.parse(&s))).ok()?;
        let [statement] = statements.as_slice() else { return None };
        let mut w = walk::Walker::new(dialect);
        w.top_statement(statement);
        Some(w.finish())
    }

    /// The table column reference `i` lands on, using `has_column(table, column)` (the
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

    /// The table a name printed by a plan (alias or name) refers to.
    pub fn table_for_plan_name(&self, name: &str) -> Option<&TableRef> {
        self.tables.iter().find(|t| t.visible.eq_ignore_ascii_case(name))
    }
}

/// SQLite accepts `CROSS JOIN … ON` (a join whose order the planner keeps); sqlparser
/// does not. For column roles it is a plain join: `Some(text)` with `CROSS` dropped.
fn without_cross(sql: &str, dialect: Dialect) -> Option<String> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Whitespace};
    let mut tokens = dialect.tokenize(sql).ok()?;
    let is = |t: &Token, k: Keyword| matches!(t, Token::Word(w) if w.keyword == k && w.quote_style.is_none());
    let mut changed = false;
    for i in 0..tokens.len() {
        let next_word = tokens[i + 1..].iter().find(|t| !matches!(t, Token::Whitespace(_)));
        if is(&tokens[i], Keyword::CROSS) && next_word.is_some_and(|t| is(t, Keyword::JOIN)) {
            tokens[i] = Token::Whitespace(Whitespace::Space);
            changed = true;
        }
    }
    changed.then(|| tokens.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests;
