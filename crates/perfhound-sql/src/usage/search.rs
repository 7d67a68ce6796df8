//! Measure-SQL: the read-only `SELECT` that finds the rows a write would change, so an
//! advisor can time a write's row search (with and without a candidate index) without
//! writing. Only single-table writes have one: a join, `UPDATE … FROM` or `DELETE … USING`
//! changes which rows match in ways a plain `SELECT *` would not reproduce.

use sqlparser::ast::{Delete, Expr, FromTable, Insert, OrderByExpr, SetExpr, Update};

/// `SELECT * FROM t WHERE …` finding the rows an UPDATE would change.
pub(super) fn for_update(u: &Update) -> Option<String> {
    if u.from.is_some() || !u.table.joins.is_empty() {
        return None;
    }
    Some(search_sql(&u.table.relation.to_string(), u.selection.as_ref(), &u.order_by, u.limit.as_ref()))
}

/// `SELECT * FROM t WHERE …` finding the rows a DELETE would remove.
pub(super) fn for_delete(d: &Delete) -> Option<String> {
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
    let [t] = from.as_slice() else { return None };
    if d.using.is_some() || !t.joins.is_empty() {
        return None;
    }
    Some(search_sql(&t.relation.to_string(), d.selection.as_ref(), &d.order_by, d.limit.as_ref()))
}

/// The query of `INSERT … SELECT` (an `INSERT … VALUES` searches nothing).
pub(super) fn for_insert(i: &Insert) -> Option<String> {
    let src = i.source.as_ref()?;
    (!matches!(*src.body, SetExpr::Values(_))).then(|| src.to_string())
}

fn search_sql(table: &str, selection: Option<&Expr>, order_by: &[OrderByExpr], limit: Option<&Expr>) -> String {
    let mut s = format!("SELECT * FROM {table}");
    if let Some(w) = selection {
        s.push_str(&format!(" WHERE {w}"));
    }
    if !order_by.is_empty() {
        let items: Vec<String> = order_by.iter().map(ToString::to_string).collect();
        s.push_str(&format!(" ORDER BY {}", items.join(", ")));
    }
    if let Some(l) = limit {
        s.push_str(&format!(" LIMIT {l}"));
    }
    s
}
