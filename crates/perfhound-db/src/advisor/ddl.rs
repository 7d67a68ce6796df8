//! [`IndexSpec`]: an index to test or suggest, and the exact DDL for it — the HypoPG
//! `CREATE INDEX`, and the `CREATE INDEX CONCURRENTLY` a person runs (for partitioned
//! tables: an index `ON ONLY` the parent plus one concurrent build and `ATTACH` per
//! partition, since PostgreSQL cannot build a partitioned index concurrently).

use crate::catalog::{quote_ident, Catalog, Table};

/// A b-tree index on one table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexSpec {
    pub table_oid: u32,
    pub schema: String,
    pub table: String,
    pub columns: Vec<String>,
    pub include: Vec<String>,
    /// Partial-index predicate, already in SQL (`deleted_at IS NULL`).
    pub predicate: Option<String>,
}

impl IndexSpec {
    pub fn new(table: &Table, columns: Vec<String>) -> IndexSpec {
        IndexSpec {
            table_oid: table.oid,
            schema: table.schema.clone(),
            table: table.name.clone(),
            columns,
            include: Vec::new(),
            predicate: None,
        }
    }

    pub fn qualified_table(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table))
    }

    /// `(a, b) INCLUDE (c) WHERE p` — everything after the table name.
    fn body(&self) -> String {
        let cols = |v: &[String]| v.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
        let mut s = format!("({})", cols(&self.columns));
        if !self.include.is_empty() {
            s.push_str(&format!(" INCLUDE ({})", cols(&self.include)));
        }
        if let Some(p) = &self.predicate {
            s.push_str(&format!(" WHERE {p}"));
        }
        s
    }

    /// The statement given to `hypopg_create_index`.
    pub fn hypothetical_sql(&self) -> String {
        format!("CREATE INDEX ON {} {}", self.qualified_table(), self.body())
    }

    /// Short human form: `public.orders (status, created_at) INCLUDE (total) WHERE …`.
    pub fn label(&self) -> String {
        format!("{} {}", self.qualified_table(), self.body())
    }

    /// A conventional index name, at most 63 bytes: `orders_status_created_at_idx`.
    pub fn index_name(&self, suffix: &str) -> String {
        let mut base = format!("{}_{}", self.table, self.columns.join("_"));
        if self.predicate.is_some() {
            base.push_str("_partial");
        }
        let tail = format!("_{suffix}");
        let max = 63 - tail.len();
        if base.len() > max {
            let mut cut = max;
            while !base.is_char_boundary(cut) {
                cut -= 1;
            }
            base.truncate(cut);
        }
        base.push_str(&tail);
        base
    }

    /// The statements to create this index without blocking writes.
    pub fn create_statements(&self, catalog: &Catalog) -> Vec<String> {
        let name = self.index_name("idx");
        let partitioned = catalog.table_by_oid(self.table_oid).is_some_and(|t| t.partitioned);
        if !partitioned {
            return vec![format!(
                "CREATE INDEX CONCURRENTLY {} ON {} {}",
                quote_ident(&name),
                self.qualified_table(),
                self.body()
            )];
        }
        let parent_index = format!("{}.{}", quote_ident(&self.schema), quote_ident(&name));
        let mut out =
            vec![format!("CREATE INDEX {} ON ONLY {} {}", quote_ident(&name), self.qualified_table(), self.body())];
        for part in catalog.partitions_of(self.table_oid) {
            let mut spec = self.clone();
            spec.table_oid = part.oid;
            spec.schema = part.schema.clone();
            spec.table = part.name.clone();
            let part_name = spec.index_name("idx");
            out.push(format!(
                "CREATE INDEX CONCURRENTLY {} ON {} {}",
                quote_ident(&part_name),
                spec.qualified_table(),
                spec.body()
            ));
            out.push(format!(
                "ALTER INDEX {parent_index} ATTACH PARTITION {}.{}",
                quote_ident(&part.schema),
                quote_ident(&part_name)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(oid: u32, name: &str, partitioned: bool, parent: Option<u32>) -> Table {
        Table {
            oid,
            schema: "public".into(),
            name: name.into(),
            partitioned,
            is_partition: parent.is_some(),
            parent_oid: parent,
            rows: 0.0,
            bytes: 0,
            columns: vec![],
            writes: 0,
            seq_scan: 0,
            idx_scan: 0,
        }
    }

    #[test]
    fn concurrent_statement_with_include_and_predicate() {
        let cat = Catalog { tables: vec![table(1, "Orders", false, None)], indexes: vec![] };
        let mut spec = IndexSpec::new(&cat.tables[0], vec!["user_id".into(), "Status".into()]);
        spec.include = vec!["total".into()];
        spec.predicate = Some("deleted_at IS NULL".into());
        assert_eq!(
            spec.create_statements(&cat),
            vec!["CREATE INDEX CONCURRENTLY \"Orders_user_id_Status_partial_idx\" ON public.\"Orders\" (user_id, \"Status\") INCLUDE (total) WHERE deleted_at IS NULL"]
        );
        assert_eq!(
            spec.hypothetical_sql(),
            "CREATE INDEX ON public.\"Orders\" (user_id, \"Status\") INCLUDE (total) WHERE deleted_at IS NULL"
        );
    }

    #[test]
    fn partitioned_tables_attach_per_partition_indexes() {
        let cat = Catalog {
            tables: vec![table(1, "events", true, None), table(2, "events_2024", false, Some(1))],
            indexes: vec![],
        };
        let spec = IndexSpec::new(&cat.tables[0], vec!["kind".into()]);
        let s = spec.create_statements(&cat);
        assert_eq!(s[0], "CREATE INDEX events_kind_idx ON ONLY public.events (kind)");
        assert_eq!(s[1], "CREATE INDEX CONCURRENTLY events_2024_kind_idx ON public.events_2024 (kind)");
        assert_eq!(s[2], "ALTER INDEX public.events_kind_idx ATTACH PARTITION public.events_2024_kind_idx");
    }

    #[test]
    fn names_fit_in_63_bytes() {
        let t = table(1, &"t".repeat(60), false, None);
        let spec = IndexSpec::new(&t, vec!["a".repeat(30)]);
        assert!(spec.index_name("idx").len() <= 63);
    }
}
