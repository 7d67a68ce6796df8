//! Candidate indexes for one statement, from its resolved column uses: every indexable
//! column alone, and two-column indexes that put an equality (or join) column first
//! followed by another equality, range, ORDER BY or GROUP BY column — both orders are
//! tried when both columns are equalities, the planner's cost decides. Partial-index
//! predicates (`IS NULL`, `IS NOT NULL`, boolean columns) and projected columns (for
//! INCLUDE) are kept for the variant step.

use super::ddl::IndexSpec;
use crate::catalog::{quote_ident, Catalog, Table};
use perfhound_sql::usage::{columns_with, ColumnUse, IndexKeys, QueryShape, Role};

/// What one statement offers for one table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableCandidates {
    pub table_oid: u32,
    pub singles: Vec<IndexSpec>,
    pub pairs: Vec<IndexSpec>,
    /// Partial-index predicates the statement always applies on this table.
    pub predicates: Vec<String>,
    /// Other columns the statement reads from this table (INCLUDE candidates); empty
    /// when it reads every column (`SELECT *`).
    pub reads: Vec<String>,
    pub reads_all: bool,
    /// Every column the statement mentions on this table.
    pub mentioned: Vec<String>,
}

/// Resolves the statement's column uses against the catalog, per table.
pub fn resolve(shape: &QueryShape, catalog: &Catalog) -> Vec<(u32, Vec<ColumnUse>, bool)> {
    let table_of = |i: usize| -> Option<&Table> {
        let t = &shape.tables[i];
        catalog.table(t.schema.as_deref(), &t.name)
    };
    let uses = shape
        .resolve(|t, c| catalog.table(t.schema.as_deref(), &t.name).is_some_and(|t| t.columns.iter().any(|x| x == c)));
    let mut out: Vec<(u32, Vec<ColumnUse>, bool)> = Vec::new();
    for u in uses {
        let Some(table) = table_of(u.table) else { continue };
        let all = shape.tables[u.table].all_columns;
        match out.iter_mut().find(|(oid, _, _)| *oid == table.oid) {
            Some(entry) => {
                entry.1.push(u);
                entry.2 |= all;
            }
            None => out.push((table.oid, vec![u], all)),
        }
    }
    out
}

/// Candidates per table for one statement.
pub fn generate(shape: &QueryShape, catalog: &Catalog, max_per_table: usize) -> Vec<TableCandidates> {
    let mut out = Vec::new();
    for (oid, uses, reads_all) in resolve(shape, catalog) {
        let Some(table) = catalog.table_by_oid(oid) else { continue };
        let roles = uses.iter().map(|u| (u.column.as_str(), u.role));
        let keys = IndexKeys::of(roles.clone());
        let mut c = TableCandidates { table_oid: oid, reads_all, ..Default::default() };
        c.singles =
            keys.singles.iter().take(max_per_table).map(|col| IndexSpec::new(table, vec![col.clone()])).collect();
        c.pairs = keys.pairs.iter().take(max_per_table).map(|pair| IndexSpec::new(table, pair.to_vec())).collect();
        for u in &uses {
            let q = quote_ident(&u.column);
            let p = match u.role {
                Role::IsNull => format!("{q} IS NULL"),
                Role::IsNotNull => format!("{q} IS NOT NULL"),
                Role::IsTrue => q,
                _ => continue,
            };
            if !c.predicates.contains(&p) {
                c.predicates.push(p);
            }
        }
        c.mentioned = columns_with(roles, &Role::ALL);
        c.reads = c.mentioned.clone();
        if !c.singles.is_empty() {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfhound_sql::Dialect;

    fn catalog() -> Catalog {
        let t = Table {
            oid: 10,
            schema: "public".into(),
            name: "orders".into(),
            partitioned: false,
            is_partition: false,
            parent_oid: None,
            rows: 1e5,
            bytes: 0,
            columns: ["id", "user_id", "status", "created_at", "deleted_at", "total"].map(String::from).to_vec(),
            writes: 0,
            seq_scan: 0,
            idx_scan: 0,
        };
        Catalog { tables: vec![t], indexes: vec![] }
    }

    fn cols(specs: &[IndexSpec]) -> Vec<String> {
        specs.iter().map(|s| s.columns.join(",")).collect()
    }

    #[test]
    fn equality_first_pairs_and_predicates() {
        let shape = QueryShape::parse(
            "SELECT total FROM orders WHERE status = $1 AND created_at >= $2 AND deleted_at IS NULL ORDER BY created_at",
            Dialect::Postgres,
        )
        .unwrap();
        let c = generate(&shape, &catalog(), 24);
        assert_eq!(c.len(), 1);
        assert_eq!(cols(&c[0].singles), vec!["created_at", "status"]);
        assert_eq!(cols(&c[0].pairs), vec!["status,created_at"]);
        assert_eq!(c[0].predicates, vec!["deleted_at IS NULL"]);
        assert!(c[0].reads.contains(&"total".to_string()) && !c[0].reads_all);
    }

    #[test]
    fn no_candidates_for_unknown_tables_or_unindexable_predicates() {
        assert!(generate(
            &QueryShape::parse("SELECT * FROM nope WHERE a = $1", Dialect::Postgres).unwrap(),
            &catalog(),
            24
        )
        .is_empty());
        let or =
            QueryShape::parse("SELECT * FROM orders WHERE status = $1 OR user_id = $2", Dialect::Postgres).unwrap();
        assert!(generate(&or, &catalog(), 24).is_empty());
    }
}
