//! The catalog facts the advisor and the index checks need: user tables with their
//! columns, size and write volume, and every index with its key columns, method,
//! predicate, validity and usage.
//!
//! Sizes come from `relpages` (as of the last VACUUM/ANALYZE/CREATE INDEX), not from
//! `pg_relation_size`, which would wait for locks held by the application.

use crate::error::DbError;
use crate::statements::MARKER;
use perfhound_sql::Dialect;
use tokio_postgres::Client;

/// A user table (or partitioned table, or partition).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    /// `p` for a partitioned parent.
    pub partitioned: bool,
    pub is_partition: bool,
    /// The partitioned parent of a partition.
    pub parent_oid: Option<u32>,
    pub rows: f64,
    pub bytes: i64,
    pub columns: Vec<String>,
    /// Rows inserted + updated + deleted since the statistics were reset.
    pub writes: i64,
    /// Sequential and index scans since the statistics were reset.
    pub seq_scan: i64,
    pub idx_scan: i64,
}

/// An existing index.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    pub table_oid: u32,
    pub method: String,
    /// Key columns in order; `None` for an expression.
    pub keys: Vec<Option<String>>,
    /// Operator classes and per-column options (DESC, NULLS FIRST) of the key columns.
    pub opclasses: Vec<u32>,
    pub options: Vec<i16>,
    /// Non-key (INCLUDE) column count.
    pub included: usize,
    pub predicate: Option<String>,
    pub unique: bool,
    pub primary: bool,
    /// Backs a constraint (primary key, unique, exclusion): cannot simply be dropped.
    pub constraint: bool,
    pub valid: bool,
    pub bytes: i64,
    pub scans: i64,
    pub definition: String,
}

impl Index {
    pub fn qualified(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

/// Tables and indexes of the current database.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub tables: Vec<Table>,
    pub indexes: Vec<Index>,
}

const USER_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' \
     AND n.nspname NOT LIKE 'pg_temp%'";

impl Catalog {
    pub async fn load(client: &Client) -> Result<Catalog, DbError> {
        let tables_sql = format!(
            "{MARKER} SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'p', c.relispartition, \
             greatest(c.reltuples, 0)::float8, (c.relpages::int8 * current_setting('block_size')::int8), \
             coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0)::int8, coalesce(s.seq_scan, 0)::int8, \
             coalesce(s.idx_scan, 0)::int8, \
             ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 \
                   AND NOT a.attisdropped ORDER BY a.attnum), \
             (SELECT inhparent FROM pg_inherits WHERE inhrelid = c.oid LIMIT 1) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
             WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMAS}"
        );
        let tables = client
            .query(&tables_sql, &[])
            .await
            .map_err(|e| DbError::query("reading tables", &e))?
            .iter()
            .map(|r| Table {
                oid: r.get(0),
                schema: r.get(1),
                name: r.get(2),
                partitioned: r.get(3),
                is_partition: r.get(4),
                rows: r.get(5),
                bytes: r.get(6),
                writes: r.get(7),
                seq_scan: r.get(8),
                idx_scan: r.get(9),
                columns: r.get(10),
                parent_oid: r.get(11),
            })
            .collect();
        let index_sql = format!(
            "{MARKER} SELECT i.indexrelid, n.nspname::text, ci.relname::text, i.indrelid, am.amname::text, \
             ARRAY(SELECT coalesce(a.attname::text, '') FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
                   LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                   WHERE k.ord <= i.indnkeyatts ORDER BY k.ord), \
             (i.indclass::oid[])[0:i.indnkeyatts - 1], (i.indoption::int2[])[0:i.indnkeyatts - 1], \
             (i.indnatts - i.indnkeyatts)::int4, pg_get_expr(i.indpred, i.indrelid), \
             i.indisunique, i.indisprimary, \
             EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid), i.indisvalid, \
             (ci.relpages::int8 * current_setting('block_size')::int8), coalesce(s.idx_scan, 0)::int8, pg_get_indexdef(i.indexrelid) \
             FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid \
             JOIN pg_class ct ON ct.oid = i.indrelid JOIN pg_namespace n ON n.oid = ci.relnamespace \
             JOIN pg_am am ON am.oid = ci.relam LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid \
             WHERE {USER_SCHEMAS}"
        );
        let indexes = client
            .query(&index_sql, &[])
            .await
            .map_err(|e| DbError::query("reading indexes", &e))?
            .iter()
            .map(|r| {
                let keys: Vec<String> = r.get(5);
                Index {
                    oid: r.get(0),
                    schema: r.get(1),
                    name: r.get(2),
                    table_oid: r.get(3),
                    method: r.get(4),
                    keys: keys.into_iter().map(|k| (!k.is_empty()).then_some(k)).collect(),
                    opclasses: r.get::<_, Option<Vec<u32>>>(6).unwrap_or_default(),
                    options: r.get::<_, Option<Vec<i16>>>(7).unwrap_or_default(),
                    included: r.get::<_, i32>(8).max(0) as usize,
                    predicate: r.get(9),
                    unique: r.get(10),
                    primary: r.get(11),
                    constraint: r.get(12),
                    valid: r.get(13),
                    bytes: r.get(14),
                    scans: r.get(15),
                    definition: r.get(16),
                }
            })
            .collect();
        Ok(Catalog { tables, indexes })
    }

    /// Finds a table by (optional) schema and name; without a schema, `public` wins, then any.
    pub fn table(&self, schema: Option<&str>, name: &str) -> Option<&Table> {
        match schema {
            Some(s) => self.tables.iter().find(|t| t.schema == s && t.name == name),
            None => self
                .tables
                .iter()
                .find(|t| t.schema == "public" && t.name == name)
                .or_else(|| self.tables.iter().find(|t| t.name == name)),
        }
    }

    pub fn table_by_oid(&self, oid: u32) -> Option<&Table> {
        self.tables.iter().find(|t| t.oid == oid)
    }

    /// Direct partitions of a partitioned table.
    pub fn partitions_of(&self, oid: u32) -> impl Iterator<Item = &Table> {
        self.tables.iter().filter(move |t| t.parent_oid == Some(oid))
    }

    pub fn indexes_of(&self, table_oid: u32) -> impl Iterator<Item = &Index> {
        self.indexes.iter().filter(move |i| i.table_oid == table_oid)
    }
}

/// Quotes an identifier when PostgreSQL would need it ([`Dialect::quote_ident`]).
pub fn quote_ident(s: &str) -> String {
    Dialect::Postgres.quote_ident(s)
}
