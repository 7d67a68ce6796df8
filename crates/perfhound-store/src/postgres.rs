//! The team backend: the same schema in PostgreSQL (`--store postgres://…`).
//!
//! The store's API is synchronous (a command saves one run at its end), so this backend
//! owns a current-thread tokio runtime and blocks on each statement; the connection task
//! runs on that runtime while a statement is awaited. Writers serialize on a transaction
//! advisory lock, the PostgreSQL counterpart of SQLite's `BEGIN IMMEDIATE`.
//!
//! TLS follows libpq like `perfhound db` (the same code, `perfhound_net::pg`): `sslmode`
//! (default `prefer`) and `sslrootcert` in the URL or `PGSSLMODE`/`PGSSLROOTCERT`;
//! `require` encrypts, `verify-ca` checks the chain, `verify-full` the host name too.

use crate::db::{Db, DbError, Row, Value};
use perfhound_net::pg::{self, connector, conninfo};
use tokio_postgres::types::{ToSql, Type};

/// The advisory lock key every perfhound writer takes (`perfhnd` in ASCII).
const WRITE_LOCK: i64 = 0x0070_6572_6668_6e64;

pub struct PgDb {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

fn err(e: tokio_postgres::Error) -> DbError {
    // The server's own message (e.g. `relation … does not exist`) is the useful part.
    match e.as_db_error() {
        Some(db) => DbError(format!("{}: {}", db.severity(), db.message())),
        None => DbError(e.to_string()),
    }
}

impl PgDb {
    pub fn connect(url: &str) -> Result<PgDb, DbError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbError(format!("cannot start the runtime: {e}")))?;
        let client = rt.block_on(open(url))?;
        Ok(PgDb { rt, client })
    }
}

/// Connects with the TLS the URL's `sslmode` asks for; the connection task runs on the
/// calling runtime.
async fn open(url: &str) -> Result<tokio_postgres::Client, DbError> {
    let (rest, settings) = conninfo::split_tls(url, |k| std::env::var(k).ok()).map_err(DbError)?;
    let mut config: tokio_postgres::Config = rest.parse().map_err(err)?;
    if config.get_application_name().is_none() {
        config.application_name("perfhound");
    }
    let verification = connector::verification(&settings).map_err(DbError)?;
    let tls = connector::MakeRustls(connector::client_config(&verification));
    pg::open(&mut config, settings.mode, tls).await.map_err(|e| {
        let reason = pg::describe(&e);
        if pg::is_tls_failure(&reason) {
            DbError(format!("TLS: {reason}; {}", pg::tls_hint(&reason, &settings)))
        } else {
            err(e)
        }
    })
}

fn boxed(values: &[Value]) -> Vec<Box<dyn ToSql + Sync + Send>> {
    values
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync + Send> {
            match v {
                Value::Int(i) => Box::new(*i),
                Value::Real(r) => Box::new(*r),
                Value::Text(s) => Box::new(s.clone()),
            }
        })
        .collect()
}

fn cell(row: &tokio_postgres::Row, i: usize) -> Value {
    let ty = row.columns()[i].type_();
    let or_default = |v: Option<Value>| v.unwrap_or(Value::Text(String::new()));
    if *ty == Type::INT8 {
        or_default(row.get::<_, Option<i64>>(i).map(Value::Int))
    } else if *ty == Type::INT4 {
        or_default(row.get::<_, Option<i32>>(i).map(|v| Value::Int(v.into())))
    } else if *ty == Type::FLOAT8 {
        or_default(row.get::<_, Option<f64>>(i).map(Value::Real))
    } else {
        or_default(row.try_get::<_, Option<String>>(i).ok().flatten().map(Value::Text))
    }
}

impl Db for PgDb {
    fn begin_write(&mut self) -> Result<(), DbError> {
        self.batch("BEGIN")?;
        let lock = format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})");
        self.batch(&lock)
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.batch("COMMIT")
    }

    fn rollback(&mut self) {
        let _ = self.batch("ROLLBACK");
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.rt.block_on(self.client.batch_execute(sql)).map_err(err)
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64, DbError> {
        let owned = boxed(values);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect();
        self.rt.block_on(self.client.execute(sql, &refs)).map_err(err)
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Row>, DbError> {
        let owned = boxed(values);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect();
        let rows = self.rt.block_on(self.client.query(sql, &refs)).map_err(err)?;
        Ok(rows.iter().map(|r| (0..r.len()).map(|i| cell(r, i)).collect()).collect())
    }

    fn serial_type(&self) -> &'static str {
        "BIGSERIAL PRIMARY KEY"
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let rows = self.query("SELECT to_regclass($1)::text", &[table.into()])?;
        Ok(rows.first().is_some_and(|r| !r[0].text().is_empty()))
    }
}
