//! The database: opening (or seeding) the file, a small connection pool, and statements
//! run with one OpenTelemetry CLIENT span each.
//!
//! SQLite is embedded, so a statement costs microseconds; the services the seeds talk
//! about reach their database over a network, where every statement pays a round trip.
//! [`Db`] models that: each statement waits `round_trip` (default 1 ms, a database on
//! another host in the same data centre) inside its span before it runs. That is what
//! makes one-query-per-row patterns cost what they cost in production; set it to zero for
//! a purely embedded database.

use crate::seed::{self, RowCounts, SCHEMA_VERSION};
use crate::telemetry::{SpanGuard, Telemetry};
use crate::{DemoError, Mode};
use opentelemetry::trace::SpanKind;
use opentelemetry::{Context, KeyValue};
use rusqlite::{Connection, OpenFlags, Params, Row};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The planted missing index: created in `Fixed` mode, dropped in `Before` mode.
pub const FIX_INDEX: &str = "CREATE INDEX IF NOT EXISTS idx_order_items_product ON order_items(product_id)";
const DROP_FIX_INDEX: &str = "DROP INDEX IF EXISTS idx_order_items_product";

/// How the database file was made ready.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedReport {
    /// False when a complete file with the current schema version was reused.
    pub seeded: bool,
    /// Time spent seeding (zero when reused).
    pub elapsed: Duration,
    pub rows: RowCounts,
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

fn remove_db_files(path: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Opens `path`, seeding it first unless it already holds a complete database of the
/// current [`SCHEMA_VERSION`]. Blocking.
pub fn prepare_database(path: &Path) -> Result<SeedReport, DemoError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    if path.exists() {
        let reusable = open(path)
            .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)))
            .is_ok_and(|v| v == SCHEMA_VERSION);
        if reusable {
            let rows = RowCounts::read(&open(path)?)?;
            return Ok(SeedReport { seeded: false, elapsed: Duration::ZERO, rows });
        }
        remove_db_files(path)?;
    }
    let started = Instant::now();
    let mut conn = Connection::open(path)?;
    // A bulk load into a new file: no rollback journal (a crash leaves user_version at 0,
    // and the next start seeds again), a large cache for the index builds.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -131072;")?;
    let rows = seed::seed(&mut conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    Ok(SeedReport { seeded: true, elapsed: started.elapsed(), rows })
}

/// Puts the planted index in place for `mode` and empties the imported events. Blocking.
pub fn prepare_mode(path: &Path, mode: Mode) -> Result<(), DemoError> {
    let conn = open(path)?;
    conn.execute_batch(match mode {
        Mode::Before => DROP_FIX_INDEX,
        Mode::Fixed => FIX_INDEX,
    })?;
    conn.execute_batch("DELETE FROM events")?;
    Ok(())
}

/// A fixed set of connections; `get` waits for a free one.
struct Pool {
    free: Mutex<Vec<Connection>>,
    available: Condvar,
}

impl Pool {
    fn get(&self) -> PooledConn<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = free.pop() {
                return PooledConn { pool: self, conn: Some(conn) };
            }
            free = self.available.wait(free).unwrap_or_else(|p| p.into_inner());
        }
    }
}

struct PooledConn<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
}

impl Drop for PooledConn<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.free.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            self.pool.available.notify_one();
        }
    }
}

/// The database handle the endpoints share.
pub struct Db {
    pool: Pool,
    tel: Telemetry,
    round_trip: Duration,
}

impl Db {
    pub fn open(path: &Path, connections: usize, tel: Telemetry, round_trip: Duration) -> Result<Db, DemoError> {
        let conns = (0..connections.max(1)).map(|_| open(path)).collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Db { pool: Pool { free: Mutex::new(conns), available: Condvar::new() }, tel, round_trip })
    }

    /// Runs `f` on a pooled connection on a blocking thread; its statements are spans under `parent`.
    pub async fn run<T, F>(self: &Arc<Self>, parent: &Context, f: F) -> Result<T, DemoError>
    where
        T: Send + 'static,
        F: FnOnce(&Session<'_>) -> Result<T, DemoError> + Send + 'static,
    {
        let db = Arc::clone(self);
        let parent = parent.clone();
        tokio::task::spawn_blocking(move || {
            let conn = db.pool.get();
            let session = Session { conn: conn.conn.as_ref().expect("pooled"), db: &db, parent };
            f(&session)
        })
        .await
        .map_err(|e| DemoError::Task(e.to_string()))?
    }
}

/// What a statement does, for its span: `SELECT` on `orders`.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    pub operation: &'static str,
    pub table: &'static str,
}

pub const fn op(operation: &'static str, table: &'static str) -> Op {
    Op { operation, table }
}

/// One connection, with the span new statements go under.
pub struct Session<'a> {
    conn: &'a Connection,
    db: &'a Db,
    parent: Context,
}

impl Session<'_> {
    /// The same connection with statements under `parent` (e.g. an INTERNAL span).
    pub fn under(&self, parent: &Context) -> Session<'_> {
        Session { conn: self.conn, db: self.db, parent: parent.clone() }
    }

    pub fn telemetry(&self) -> &Telemetry {
        &self.db.tel
    }

    pub fn parent(&self) -> &Context {
        &self.parent
    }

    fn span(&self, op: Op, sql: &str, batch: Option<usize>) -> SpanGuard {
        let mut attrs = vec![
            KeyValue::new("db.system.name", "sqlite"),
            KeyValue::new("db.system", "sqlite"),
            KeyValue::new("db.namespace", "main"),
            KeyValue::new("db.operation.name", op.operation),
            KeyValue::new("db.query.text", sql.to_string()),
        ];
        if !op.table.is_empty() {
            attrs.push(KeyValue::new("db.collection.name", op.table));
        }
        if let Some(n) = batch {
            attrs.push(KeyValue::new("db.operation.batch.size", n as i64));
        }
        let name =
            if op.table.is_empty() { op.operation.to_string() } else { format!("{} {}", op.operation, op.table) };
        let span = self.db.tel.span(&self.parent, name, SpanKind::Client, attrs);
        if !self.db.round_trip.is_zero() {
            std::thread::sleep(self.db.round_trip);
        }
        span
    }

    fn finish<T>(span: &SpanGuard, r: rusqlite::Result<T>) -> Result<T, DemoError> {
        r.map_err(|e| {
            span.fail("sqlite_error", e.to_string());
            DemoError::Sqlite(e)
        })
    }

    /// Runs a query and maps every row.
    pub fn query<T, P: Params>(
        &self,
        op: Op,
        sql: &str,
        params: P,
        mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, DemoError> {
        let span = self.span(op, sql, None);
        let rows = (|| {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map(params, |r| map(r))?.collect::<rusqlite::Result<Vec<T>>>();
            rows
        })();
        let rows = Self::finish(&span, rows)?;
        span.set(KeyValue::new("db.response.returned_rows", rows.len() as i64));
        Ok(rows)
    }

    /// Runs a statement that returns no rows; `batch` is the number of rows it writes at once.
    pub fn execute<P: Params>(&self, op: Op, sql: &str, params: P, batch: Option<usize>) -> Result<usize, DemoError> {
        let span = self.span(op, sql, batch);
        let r = self.conn.prepare_cached(sql).and_then(|mut st| st.execute(params));
        Self::finish(&span, r)
    }
}
