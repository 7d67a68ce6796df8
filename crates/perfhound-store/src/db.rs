//! The few operations the store needs from a database, so every query is written once for
//! SQLite and PostgreSQL ([`crate::sqlite`], [`crate::postgres`]).
//!
//! Parameters are numbered `$1, $2…` in both: PostgreSQL's syntax, and a named parameter
//! SQLite numbers by first appearance. Values are never NULL (missing git data is an
//! empty string), so PostgreSQL's typed parameters always match their column.

/// One SQL value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub fn text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Real(r) => r.to_string(),
        }
    }

    pub fn int(&self) -> i64 {
        match self {
            Value::Int(i) => *i,
            Value::Real(r) => *r as i64,
            Value::Text(s) => s.parse().unwrap_or(0),
        }
    }

    pub fn real(&self) -> f64 {
        match self {
            Value::Int(i) => *i as f64,
            Value::Real(r) => *r,
            Value::Text(s) => s.parse().unwrap_or(f64::NAN),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(r: f64) -> Self {
        Value::Real(r)
    }
}

/// A row of a query result.
pub type Row = Vec<Value>;

/// What went wrong in the database itself (the caller adds where and what to do).
#[derive(Debug)]
pub struct DbError(pub String);

/// The operations both backends provide.
pub trait Db {
    /// Starts a write transaction that serializes with every other writer
    /// (SQLite `BEGIN IMMEDIATE`; PostgreSQL `BEGIN` + an advisory transaction lock).
    fn begin_write(&mut self) -> Result<(), DbError>;
    fn commit(&mut self) -> Result<(), DbError>;
    fn rollback(&mut self);
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;
    /// The type of an auto-numbered primary key column in this dialect.
    fn serial_type(&self) -> &'static str;
    /// Whether `table` exists (SQLite's `sqlite_master`, PostgreSQL's `to_regclass`).
    fn table_exists(&mut self, table: &str) -> Result<bool, DbError>;
}
