//! The schema as SQLite reports it (`pragma_table_list`, `pragma_table_info`,
//! `pragma_index_list`/`index_info`, `pragma_foreign_key_list`, `sqlite_stat1`), row
//! counts, and identifier quoting. Names compare case-insensitively, as in SQLite.

use crate::error::SqliteError;
use crate::open::Deadline;
use perfhound_sql::Dialect;
use rusqlite::Connection;
use std::time::Duration;

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub decl_type: String,
    /// 1-based position in the primary key, 0 when not part of it.
    pub pk: u32,
}

/// An ordinary table (views, virtual and shadow tables are left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Exact row count; `None` when counting took longer than the statement timeout.
    pub rows: Option<u64>,
    pub without_rowid: bool,
    /// The `INTEGER PRIMARY KEY` column, an alias of the rowid (already the table's key).
    pub rowid_alias: Option<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn rows_or_zero(&self) -> u64 {
        self.rows.unwrap_or(0)
    }
}

/// An index. `columns` holds `None` for expression keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub table: String,
    pub columns: Vec<Option<String>>,
    pub unique: bool,
    pub partial: bool,
    /// `c` (CREATE INDEX), `u` (UNIQUE constraint) or `pk` (PRIMARY KEY).
    pub origin: String,
}

/// A foreign key of `table` (the child) referencing `parent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    pub table: String,
    pub parent: String,
    pub from: Vec<String>,
}

/// Everything the engine needs to know about the schema.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    pub tables: Vec<Table>,
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
    /// Tables with statistics in `sqlite_stat1` (lower case); empty when never analyzed.
    pub analyzed: Vec<String>,
    pub has_stat1: bool,
}

impl Catalog {
    /// Reads the schema of the `main` database; row counts are bounded by `count_timeout` each.
    pub fn load(conn: &Connection, deadline: &Deadline, count_timeout: Duration) -> Result<Catalog, SqliteError> {
        let q = |e: rusqlite::Error| SqliteError::query("reading the schema", &e);
        let mut cat = Catalog::default();
        let mut names: Vec<(String, bool)> = Vec::new();
        {
            let mut st = conn
                .prepare(
                    "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' ORDER BY name",
                )
                .map_err(q)?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? != 0))).map_err(q)?;
            for r in rows {
                let (name, wr) = r.map_err(q)?;
                if !name.to_ascii_lowercase().starts_with("sqlite_") {
                    names.push((name, wr));
                }
            }
        }
        for (name, without_rowid) in names {
            let columns = table_columns(conn, &name).map_err(q)?;
            let pk: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
            let rowid_alias = match pk.as_slice() {
                [c] if !without_rowid && c.decl_type.eq_ignore_ascii_case("integer") => Some(c.name.clone()),
                _ => None,
            };
            let rows = {
                let _armed = deadline.arm(count_timeout);
                conn.query_row(&format!("SELECT count(*) FROM main.{}", quote_ident(&name)), [], |r| r.get::<_, i64>(0))
                    .ok()
                    .map(|n| n.max(0) as u64)
            };
            cat.indexes.extend(table_indexes(conn, &name).map_err(q)?);
            cat.foreign_keys.extend(foreign_keys(conn, &name).map_err(q)?);
            cat.tables.push(Table { name, columns, rows, without_rowid, rowid_alias });
        }
        cat.has_stat1 = conn
            .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(q)?
            > 0;
        if cat.has_stat1 {
            let mut st = conn.prepare("SELECT DISTINCT lower(tbl) FROM sqlite_stat1").map_err(q)?;
            cat.analyzed = st.query_map([], |r| r.get::<_, String>(0)).map_err(q)?.filter_map(Result::ok).collect();
        }
        Ok(cat)
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    pub fn indexes_of<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Index> + 'a {
        self.indexes.iter().filter(move |i| i.table.eq_ignore_ascii_case(table))
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name.eq_ignore_ascii_case(name))
    }

    /// An existing full index (or the rowid) whose leading columns are exactly `columns`:
    /// a new index on them would duplicate it. Returns the index name (`rowid` for the key).
    pub fn covering_index(&self, table: &str, columns: &[String]) -> Option<String> {
        let t = self.table(table)?;
        if let (Some(alias), [first]) = (&t.rowid_alias, columns) {
            if alias.eq_ignore_ascii_case(first) || first.eq_ignore_ascii_case("rowid") {
                return Some("rowid".into());
            }
        }
        self.indexes_of(table)
            .find(|ix| {
                !ix.partial
                    && ix.columns.len() >= columns.len()
                    && ix
                        .columns
                        .iter()
                        .zip(columns)
                        .all(|(k, c)| k.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(c)))
            })
            .map(|ix| ix.name.clone())
    }

    pub fn is_analyzed(&self, table: &str) -> bool {
        self.analyzed.iter().any(|t| t.eq_ignore_ascii_case(table))
    }
}

fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Column>> {
    let mut st = conn.prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")?;
    let rows = st.query_map([table], |r| {
        Ok(Column { name: r.get(0)?, decl_type: r.get(1)?, pk: r.get::<_, i64>(2)?.max(0) as u32 })
    })?;
    rows.collect()
}

fn table_indexes(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Index>> {
    let mut st = conn.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1) ORDER BY seq")?;
    let list: Vec<(String, bool, String, bool)> = st
        .query_map([table], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0, r.get(2)?, r.get::<_, i64>(3)? != 0)))?
        .collect::<Result<_, _>>()?;
    let mut cols = conn.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
    let mut out = Vec::new();
    for (name, unique, origin, partial) in list {
        let columns = cols.query_map([&name], |r| r.get::<_, Option<String>>(0))?.collect::<Result<_, _>>()?;
        out.push(Index { name, table: table.to_string(), columns, unique, partial, origin });
    }
    Ok(out)
}

fn foreign_keys(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ForeignKey>> {
    let mut st = conn.prepare("SELECT id, \"table\", \"from\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq")?;
    let rows: Vec<(i64, String, String)> =
        st.query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    let mut out: Vec<(i64, ForeignKey)> = Vec::new();
    for (id, parent, from) in rows {
        match out.iter_mut().find(|(i, _)| *i == id) {
            Some((_, fk)) => fk.from.push(from),
            None => out.push((id, ForeignKey { table: table.to_string(), parent, from: vec![from] })),
        }
    }
    Ok(out.into_iter().map(|(_, fk)| fk).collect())
}

/// The identifier as SQL, quoted when SQLite would need it ([`Dialect::quote_ident`]).
pub fn quote_ident(name: &str) -> String {
    Dialect::Sqlite.quote_ident(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_tables_indexes_and_foreign_keys() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT UNIQUE);
             CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INT REFERENCES users(id), status TEXT, created_at TEXT);
             CREATE INDEX orders_status ON orders(status, created_at);
             CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
             CREATE VIEW v AS SELECT 1;
             INSERT INTO users(email) VALUES ('a'), ('b');",
        )
        .unwrap();
        let cat = Catalog::load(&c, &Deadline::default(), Duration::from_secs(5)).unwrap();
        let names: Vec<&str> = cat.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["kv", "orders", "users"]);
        assert_eq!(cat.table("USERS").unwrap().rows, Some(2));
        assert_eq!(cat.table("orders").unwrap().rowid_alias.as_deref(), Some("id"));
        assert!(cat.table("kv").unwrap().without_rowid && cat.table("kv").unwrap().rowid_alias.is_none());
        assert_eq!(cat.covering_index("orders", &["status".into()]).as_deref(), Some("orders_status"));
        assert_eq!(
            cat.covering_index("orders", &["Status".into(), "created_at".into()]).as_deref(),
            Some("orders_status")
        );
        assert_eq!(cat.covering_index("orders", &["created_at".into()]), None);
        assert_eq!(cat.covering_index("orders", &["id".into()]).as_deref(), Some("rowid"));
        assert!(cat.indexes_of("users").any(|i| i.unique && i.origin == "u"));
        assert_eq!(
            cat.foreign_keys,
            vec![ForeignKey { table: "orders".into(), parent: "users".into(), from: vec!["user_id".into()] }]
        );
        assert!(!cat.has_stat1 && !cat.is_analyzed("orders"));
    }
}
