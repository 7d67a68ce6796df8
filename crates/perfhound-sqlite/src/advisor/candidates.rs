//! Candidate indexes for one statement, from its resolved column uses: every indexable
//! column alone, and two-column indexes with an equality (or join) column first, followed
//! by another equality, a range, an ORDER BY or a GROUP BY column. Candidates an existing
//! index already serves (same leading columns, or the rowid) are left out.

use crate::catalog::{quote_ident, Catalog};
use perfhound_sql::usage::{ColumnUse, IndexKeys, QueryShape, Role};

/// An index to try: key columns of one table, with the catalog's spelling.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Candidate {
    pub table: String,
    pub columns: Vec<String>,
}

impl Candidate {
    /// `orders (status, created_at)`.
    pub fn label(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| quote_ident(c)).collect();
        format!("{} ({})", quote_ident(&self.table), cols.join(", "))
    }

    /// `CREATE INDEX IF NOT EXISTS name ON table (a, b)` (no semicolon).
    pub fn create_sql(&self, name: &str) -> String {
        format!("CREATE INDEX IF NOT EXISTS {} ON {}", quote_ident(name), self.label())
    }

    /// A conventional name not taken by another index: `idx_orders_status_created_at`.
    pub fn index_name(&self, catalog: &Catalog) -> String {
        let mut base = String::from("idx");
        for part in std::iter::once(&self.table).chain(&self.columns) {
            base.push('_');
            let mut last_us = false;
            for ch in part.chars() {
                let c = if ch.is_ascii_alphanumeric() { ch.to_ascii_lowercase() } else { '_' };
                if c == '_' && last_us {
                    continue;
                }
                last_us = c == '_';
                base.push(c);
            }
        }
        let mut base: String = base.trim_end_matches('_').chars().take(80).collect();
        if catalog.index(&base).is_some() {
            let mut n = 2;
            while catalog.index(&format!("{base}_{n}")).is_some() {
                n += 1;
            }
            base = format!("{base}_{n}");
        }
        base
    }
}

/// The statement's column uses on catalog tables, with the catalog's table and column
/// names and the role as SQLite's planner sees it ([`planner_role`]).
pub fn resolve(shape: &QueryShape, catalog: &Catalog) -> Vec<(String, String, Role)> {
    let uses: Vec<ColumnUse> = shape.resolve(|t, c| catalog.table(&t.name).is_some_and(|t| t.column(c).is_some()));
    uses.into_iter()
        .filter_map(|u| {
            let t = catalog.table(&shape.tables[u.table].name)?;
            let c = t.column(&u.column)?;
            Some((t.name.clone(), c.name.clone(), planner_role(u.role)))
        })
        .collect()
}

/// What a use is worth to SQLite's planner: `IS NULL` is searched through an index like an
/// equality; `IS NOT NULL` and boolean tests are not (this advisor proposes no partial
/// indexes), so they count as any other mention.
fn planner_role(role: Role) -> Role {
    match role {
        Role::IsNull => Role::Eq,
        Role::IsNotNull | Role::IsTrue => Role::Other,
        r => r,
    }
}

/// Candidates for one statement, per table in order of appearance, at most `max_per_table` each.
pub fn generate(shape: &QueryShape, catalog: &Catalog, max_per_table: usize) -> Vec<Candidate> {
    let uses = resolve(shape, catalog);
    let mut tables: Vec<&str> = Vec::new();
    for (t, _, _) in &uses {
        if !tables.contains(&t.as_str()) {
            tables.push(t);
        }
    }
    let mut out = Vec::new();
    for table in tables {
        let keys = IndexKeys::of(uses.iter().filter(|(t, _, _)| t == table).map(|(_, c, r)| (c.as_str(), *r)));
        let mut mine: Vec<Candidate> = Vec::new();
        let mut push = |columns: Vec<String>| {
            let c = Candidate { table: table.to_string(), columns };
            if catalog.covering_index(&c.table, &c.columns).is_none() && !mine.contains(&c) {
                mine.push(c);
            }
        };
        for c in keys.singles {
            push(vec![c]);
        }
        for pair in keys.pairs {
            push(pair.to_vec());
        }
        mine.truncate(max_per_table);
        out.extend(mine);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Column, Index, Table};

    fn catalog() -> Catalog {
        let col = |n: &str| Column {
            name: n.into(),
            decl_type: if n == "id" { "INTEGER".into() } else { String::new() },
            pk: u32::from(n == "id"),
        };
        let t = Table {
            name: "Orders".into(),
            columns: ["id", "user_id", "status", "created_at", "total"].map(col).to_vec(),
            rows: Some(100_000),
            without_rowid: false,
            rowid_alias: Some("id".into()),
        };
        let ix = Index {
            name: "idx_orders_user_id".into(),
            table: "Orders".into(),
            columns: vec![Some("user_id".into())],
            unique: false,
            partial: false,
            origin: "c".into(),
        };
        Catalog { tables: vec![t], indexes: vec![ix], ..Default::default() }
    }

    fn labels(sql: &str) -> Vec<String> {
        let shape = QueryShape::parse(&crate::params::number(sql).text, perfhound_sql::Dialect::Sqlite).unwrap();
        generate(&shape, &catalog(), 12).iter().map(Candidate::label).collect()
    }

    #[test]
    fn equality_first_then_range_and_order() {
        assert_eq!(
            labels("SELECT total FROM orders WHERE status = ? AND created_at >= ? ORDER BY created_at"),
            ["Orders (created_at)", "Orders (status)", "Orders (status, created_at)"]
        );
    }

    #[test]
    fn existing_indexes_and_the_rowid_are_not_candidates() {
        assert_eq!(labels("SELECT * FROM orders WHERE user_id = ?"), Vec::<String>::new());
        assert_eq!(labels("SELECT * FROM orders WHERE id = ?"), Vec::<String>::new());
        assert_eq!(
            labels("SELECT * FROM orders WHERE user_id = ? ORDER BY created_at"),
            ["Orders (created_at)", "Orders (user_id, created_at)"]
        );
        assert_eq!(labels("SELECT * FROM nope WHERE a = ?"), Vec::<String>::new());
    }

    #[test]
    fn names_and_ddl() {
        let c = Candidate { table: "Order Items".into(), columns: vec!["Order Id".into(), "sku".into()] };
        assert_eq!(c.index_name(&catalog()), "idx_order_items_order_id_sku");
        assert_eq!(
            c.create_sql("idx_order_items_order_id_sku"),
            "CREATE INDEX IF NOT EXISTS idx_order_items_order_id_sku ON \"Order Items\" (\"Order Id\", sku)"
        );
        let taken = Candidate { table: "orders".into(), columns: vec!["user_id".into()] };
        assert_eq!(taken.index_name(&catalog()), "idx_orders_user_id_2", "a taken name gets a suffix");
    }
}
