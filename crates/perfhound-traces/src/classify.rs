//! What each span is (database query, cache command, outbound HTTP call, connection setup…)
//! and what groups it with others: the SQL fingerprint, the URL template, the cache
//! command and key pattern.
//!
//! Classification uses attributes first and span names only as a fallback, so it works for
//! any instrumentation that follows the semantic conventions, in any language.

use crate::assemble::KeyMap;
use crate::span::{Span, SpanKind};
use perfhound_sql::lexer::{fnv1a, fnv1a_str};
use perfhound_sql::{template_key, template_url, Normalizer, StatementKind};
use std::sync::Arc;

/// What a span does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Db,
    Cache,
    Http,
    Rpc,
    Messaging,
    /// Opening a new connection (TCP/TLS/database handshake).
    Connect,
    /// Waiting for a connection from a pool.
    PoolWait,
    /// Server or consumer span: where a service starts handling work.
    Entry,
    Internal,
}

impl Category {
    /// Remote work whose latency the caller waits for.
    pub fn is_io(self) -> bool {
        matches!(self, Category::Db | Category::Cache | Category::Http | Category::Rpc | Category::Messaging)
    }

    /// Outbound HTTP or RPC call.
    pub fn is_remote_call(self) -> bool {
        matches!(self, Category::Http | Category::Rpc)
    }
}

/// What a database call or HTTP request does to data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Read,
    Write,
    Begin,
    Commit,
    Rollback,
    /// Session or connection state (`SET`, `SHOW`, `RESET`, `SAVEPOINT`, `PRAGMA`, `USE`…):
    /// not data access, never an N+1.
    Session,
    Other,
}

/// Classification of one span.
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    pub category: Category,
    pub op: Op,
    /// Grouping key: equal for executions of the same query / calls to the same endpoint.
    pub key: u64,
    /// Human form of the key: normalized SQL, `GET http://host/users/{id}`, `redis GET user:{id}`.
    pub label: Arc<str>,
    /// Identity of the parameters: equal when statement *and* parameters are equal; 0 when
    /// unknown (bind parameters not recorded).
    pub params: u64,
    /// Rows or items sent at once (1 for single-row statements).
    pub batch: u32,
    /// Tables a SQL statement touches.
    pub tables: Arc<[String]>,
}

/// Database systems that are caches.
const CACHE_SYSTEMS: &[&str] =
    &["redis", "memcached", "valkey", "keydb", "hazelcast", "ignite", "aerospike", "dragonfly", "garnet"];

/// Classifies spans, with SQL and label caches shared across traces.
#[derive(Default)]
pub struct Classifier {
    sql: Normalizer,
    labels: KeyMap<Arc<str>>,
    /// Tables per statement shape (same key as `labels`).
    tables: KeyMap<Arc<[String]>>,
    no_tables: Arc<[String]>,
}

impl Classifier {
    fn intern(&mut self, key: u64, make: impl FnOnce() -> String) -> Arc<str> {
        if self.labels.len() > 200_000 {
            self.labels.clear();
        }
        Arc::clone(self.labels.entry(key).or_insert_with(|| Arc::from(make())))
    }

    /// The tables of the statement shape `key`, shared by all its executions.
    fn tables_of(&mut self, key: u64, tables: &[String]) -> Arc<[String]> {
        if tables.is_empty() {
            return Arc::clone(&self.no_tables);
        }
        if self.tables.len() > 200_000 {
            self.tables.clear();
        }
        Arc::clone(self.tables.entry(key).or_insert_with(|| Arc::from(tables)))
    }

    pub fn classify(&mut self, s: &Span) -> Class {
        let a = &s.attrs;
        let mut stack = [0u8; 128];
        let lname = lower_ascii(&s.name, &mut stack);
        let lname: &str = &lname;
        let system = a.db_system.as_deref().unwrap_or("");
        let is_cache = CACHE_SYSTEMS.iter().any(|c| system.eq_ignore_ascii_case(c)) || lname.starts_with("cache.");
        let db_op = a.db_operation.as_deref().unwrap_or("");
        // Every pool-wait and connect name mentions a pool or a connection.
        let maybe_connection = lname.contains("conn") || lname.contains("pool");
        if maybe_connection && is_pool_wait(lname) {
            return self.simple(Category::PoolWait, s);
        }
        if (maybe_connection && is_connect(lname) || db_op.eq_ignore_ascii_case("connect")) && a.http_method.is_none() {
            return self.simple(Category::Connect, s);
        }
        if is_cache {
            return self.cache(s, system);
        }
        if a.db_system.is_some() || a.db_statement.is_some() {
            if a.cached || s.name.starts_with("CACHE ") {
                // Served by a client-side query cache (Rails QueryCache, ORM caches): no round trip.
                return self.labeled(Category::Internal, Op::Other, format!("cached: {}", s.name), 0);
            }
            return self.db(s, system);
        }
        if s.kind.is_entry() {
            return self.simple(Category::Entry, s);
        }
        let client = matches!(s.kind, SpanKind::Client | SpanKind::Unspecified);
        if client
            && a.http_method.is_some()
            && (a.url.is_some() || a.server_address.is_some() || a.http_target.is_some())
        {
            return self.http(s);
        }
        if a.rpc_system.is_some() && s.kind == SpanKind::Client {
            let label = match (a.rpc_service.as_deref(), a.rpc_method.as_deref()) {
                (Some(svc), Some(m)) => format!("{svc}/{m}"),
                _ => s.name.to_string(),
            };
            return self.labeled(Category::Rpc, Op::Other, label, 0);
        }
        if a.messaging_system.is_some() && matches!(s.kind, SpanKind::Producer | SpanKind::Client) {
            return self.simple(Category::Messaging, s);
        }
        self.simple(Category::Internal, s)
    }

    fn simple(&mut self, category: Category, s: &Span) -> Class {
        self.labeled_str(category, Op::Other, &s.name, 0)
    }

    fn labeled(&mut self, category: Category, op: Op, label: String, params: u64) -> Class {
        let key = fnv1a(fnv1a_str(&label), &[category as u8]);
        let label = self.intern(key, || label);
        Class { category, op, key, label, params, batch: 1, tables: Arc::clone(&self.no_tables) }
    }

    /// [`Self::labeled`] for a borrowed label: copied only the first time it is seen.
    fn labeled_str(&mut self, category: Category, op: Op, label: &str, params: u64) -> Class {
        let key = fnv1a(fnv1a_str(label), &[category as u8]);
        let label = self.intern(key, || label.to_string());
        Class { category, op, key, label, params, batch: 1, tables: Arc::clone(&self.no_tables) }
    }

    fn db(&mut self, s: &Span, system: &str) -> Class {
        let a = &s.attrs;
        let Some(stmt) = a.db_statement.as_deref().filter(|t| !t.trim().is_empty()) else {
            // No statement: group by operation + collection (or the span name).
            let op = a.db_operation.as_deref().unwrap_or("");
            let label = match a.db_collection.as_deref() {
                Some(c) if !op.is_empty() => format!("{op} {c}"),
                _ => s.name.to_string(),
            };
            let op_kind = op_from_word(op.split_whitespace().next().unwrap_or(&label));
            let mut c = self.labeled(Category::Db, op_kind, label, a.db_params_hash.unwrap_or(0));
            c.batch = batch_of(a.db_batch_size, 1);
            return c;
        };
        if stmt.trim_start().starts_with(['{', '[']) {
            // A JSON command (MongoDB, Elasticsearch…): keys are the shape, values the parameters.
            let (shape, params) = perfhound_sql::json_shape(stmt);
            let op = a.db_operation.as_deref().unwrap_or("");
            let label = match a.db_collection.as_deref() {
                Some(c) => format!("{op} {c} {shape}").trim().to_string(),
                None => format!("{op} {shape}").trim().to_string(),
            };
            let mut c = self.labeled(Category::Db, op_from_word(op), label, params);
            c.batch = batch_of(a.db_batch_size, 1);
            if let Some(coll) = a.db_collection.as_deref() {
                c.tables = Arc::from(vec![coll.to_string()]);
            }
            return c;
        }
        let f = self.sql.fingerprint(stmt, system);
        let mut op = match f.shape.kind {
            StatementKind::Select => Op::Read,
            k if k.is_write() => Op::Write,
            StatementKind::Begin => Op::Begin,
            StatementKind::Commit => Op::Commit,
            StatementKind::Rollback => Op::Rollback,
            _ => Op::Other,
        };
        if op == Op::Other {
            op = op_from_word(stmt.split_whitespace().next().unwrap_or(""));
        }
        if op == Op::Other {
            op = op_from_word(a.db_operation.as_deref().unwrap_or(""));
        }
        let params = params_identity(a.db_params_hash, &f);
        let key = fnv1a(f.shape.hash, &[Category::Db as u8]);
        let label = self.intern(key, || f.shape.text.clone());
        let tables = self.tables_of(key, &f.shape.tables);
        Class {
            category: Category::Db,
            op,
            key,
            label,
            params,
            batch: batch_of(a.db_batch_size, f.batch_items),
            tables,
        }
    }

    fn cache(&mut self, s: &Span, system: &str) -> Class {
        let a = &s.attrs;
        let stmt = a.db_statement.as_deref().or(a.db_operation.as_deref()).unwrap_or(&s.name);
        let mut words = stmt.split_whitespace();
        let cmd = words.next().unwrap_or("").to_ascii_uppercase();
        let raw_key = words.next().unwrap_or("");
        let key = template_key(raw_key);
        let label = format!("{system} {cmd} {key}").trim().to_string();
        // Sanitized statements (`GET ?`) or none at all: the key is unknown.
        let known = !raw_key.is_empty() && !raw_key.contains('?');
        let params = if known { fnv1a_str(stmt) } else { 0 };
        let mut c = self.labeled(Category::Cache, cache_op(&cmd), label, params);
        c.batch = cache_batch(&cmd, stmt.split_whitespace().count().saturating_sub(1));
        c
    }

    fn http(&mut self, s: &Span) -> Class {
        let a = &s.attrs;
        let method = a.http_method.as_deref().unwrap_or("GET").to_ascii_uppercase();
        let full = match (a.url.as_deref(), a.server_address.as_deref(), a.http_target.as_deref()) {
            (Some(u), _, _) => u.to_string(),
            (None, Some(h), Some(t)) => format!("{h}{t}"),
            (None, Some(h), None) => h.to_string(),
            (None, None, Some(t)) => t.to_string(),
            (None, None, None) => s.name.to_string(),
        };
        let label = format!("{method} {}", template_url(&full));
        let params = fnv1a(fnv1a_str(&full), method.as_bytes());
        let op = if matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") { Op::Read } else { Op::Write };
        self.labeled(Category::Http, op, label, params)
    }
}

/// Identity of one execution's parameters, 0 when unknown: values recorded as attributes
/// (with the literals of the text), or the literals alone when the statement has no bind
/// placeholders. Placeholders without recorded values (`… WHERE id = %s LIMIT 21`) leave
/// the parameters unknown however many literals sit next to them; so does a truncated text.
/// A statement with neither literals nor placeholders has fixed parameters (its shape).
fn params_identity(recorded: Option<u64>, f: &perfhound_sql::Fingerprint) -> u64 {
    match recorded {
        Some(h) => fnv1a(h, &f.params_hash.to_le_bytes()),
        None if f.truncated || f.placeholders > 0 => 0,
        None if f.literals > 0 => f.params_hash,
        None => f.shape.hash | 1,
    }
}

/// Reads of key-value caches (other commands are `Other`: a cache write is not the
/// application's data changing).
fn cache_op(cmd: &str) -> Op {
    const READS: &[&str] = &[
        "GET",
        "GETS",
        "GETEX",
        "MGET",
        "HGET",
        "HGETALL",
        "HMGET",
        "HEXISTS",
        "EXISTS",
        "SMEMBERS",
        "SISMEMBER",
        "LRANGE",
        "LINDEX",
        "LLEN",
        "ZRANGE",
        "ZSCORE",
        "ZRANK",
        "SCARD",
        "STRLEN",
        "TTL",
        "PTTL",
        "TYPE",
        "JSON.GET",
    ];
    if READS.contains(&cmd) {
        Op::Read
    } else {
        Op::Other
    }
}

/// Keys a multi-key command sends at once (`MGET a b c` → 3; 1 for single-key commands).
fn cache_batch(cmd: &str, args: usize) -> u32 {
    let multi =
        matches!(cmd, "MGET" | "MSET" | "MSETNX" | "DEL" | "UNLINK" | "EXISTS" | "TOUCH" | "GET_MULTI" | "GET_MANY");
    let n = if cmd.starts_with("MSET") { args / 2 } else { args };
    if multi {
        u32::try_from(n.max(1)).unwrap_or(u32::MAX)
    } else {
        1
    }
}

fn batch_of(attr: Option<u64>, items: u32) -> u32 {
    attr.map_or(items, |b| u32::try_from(b).unwrap_or(u32::MAX).max(items))
}

fn op_from_word(w: &str) -> Op {
    let w = w.to_ascii_lowercase();
    match w.as_str() {
        "select" | "find" | "findone" | "get" | "count" | "aggregate" | "query" | "scan" | "search" | "mget" => {
            Op::Read
        }
        "insert" | "insertone" | "insertmany" | "update" | "updateone" | "updatemany" | "delete" | "deleteone"
        | "deletemany" | "upsert" | "replace" | "put" | "bulkwrite" | "merge" => Op::Write,
        "begin" | "start" => Op::Begin,
        "commit" | "end" => Op::Commit,
        "rollback" | "abort" => Op::Rollback,
        "set" | "show" | "reset" | "discard" | "savepoint" | "release" | "deallocate" | "use" | "pragma" | "listen"
        | "unlisten" | "select_db" | "ping" | "auth" | "hello" | "client" => Op::Session,
        _ => Op::Other,
    }
}

/// `name` in ASCII lower case, written into `stack` when it fits (no allocation per span).
fn lower_ascii<'b>(name: &str, stack: &'b mut [u8; 128]) -> std::borrow::Cow<'b, str> {
    let Some(out) = stack.get_mut(..name.len()) else {
        return std::borrow::Cow::Owned(name.to_ascii_lowercase());
    };
    out.copy_from_slice(name.as_bytes());
    out.make_ascii_lowercase();
    // Lower-casing ASCII bytes keeps UTF-8 valid.
    std::borrow::Cow::Borrowed(std::str::from_utf8(out).unwrap_or_default())
}

fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty())
}

/// `connect`, `pg.connect`, `Connection.open`, `tcp.connect`, `new connection`.
fn is_connect(lname: &str) -> bool {
    words(lname).any(|w| w == "connect" || w == "reconnect")
        || lname.contains("connection.open")
        || lname.contains("open connection")
        || lname.contains("new connection")
        || lname.contains("create connection")
}

/// `pool.acquire`, `HikariPool.getConnection`, `connection pool wait`, `pg-pool.connect`.
fn is_pool_wait(lname: &str) -> bool {
    let pool = lname.contains("pool");
    pool && (lname.contains("acquire")
        || lname.contains("wait")
        || lname.contains("checkout")
        || lname.contains("getconnection")
        || lname.contains("get_connection")
        || lname.contains("connect"))
        || lname.contains("acquire connection")
        || lname.contains("connection.acquire")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::empty_span;

    fn span(name: &str, f: impl FnOnce(&mut crate::span::Attrs)) -> Span {
        let mut s = empty_span(Arc::from("svc"));
        s.name = name.into();
        s.kind = SpanKind::Client;
        f(&mut s.attrs);
        s
    }

    #[test]
    fn categories() {
        let mut c = Classifier::default();
        let db = c.classify(&span("SELECT", |a| {
            a.db_system = Some("postgresql".into());
            a.db_statement = Some("SELECT * FROM users WHERE id = 7".into());
        }));
        assert_eq!((db.category, db.op), (Category::Db, Op::Read));
        assert_eq!(&*db.label, "SELECT * FROM users WHERE id = ?");
        assert_ne!(db.params, 0);
        let redis = c.classify(&span("GET", |a| {
            a.db_system = Some("redis".into());
            a.db_statement = Some("GET user:42".into());
        }));
        assert_eq!(redis.category, Category::Cache);
        assert_eq!(&*redis.label, "redis GET user:{id}");
        let http = c.classify(&span("GET", |a| {
            a.http_method = Some("GET".into());
            a.url = Some("http://inv:8080/items/9?x=1".into());
        }));
        assert_eq!((http.category, &*http.label), (Category::Http, "GET http://inv:8080/items/{id}?x=?"));
        assert_eq!(c.classify(&span("pg.connect", |_| {})).category, Category::Connect);
        assert_eq!(c.classify(&span("HikariPool.getConnection", |_| {})).category, Category::PoolWait);
        assert_eq!(c.classify(&span("disconnect", |_| {})).category, Category::Internal);
    }

    #[test]
    fn mongo_commands_group_by_shape() {
        let mut c = Classifier::default();
        let mongo = |id: u32| {
            span("find", |a| {
                a.db_system = Some("mongodb".into());
                a.db_operation = Some("find".into());
                a.db_collection = Some("users".into());
                a.db_statement = Some(format!("{{\"find\": \"users\", \"filter\": {{\"_id\": {id}}}}}").into());
            })
        };
        let (a, b) = (c.classify(&mongo(1)), c.classify(&mongo(2)));
        assert_eq!((a.key, a.op, a.category), (b.key, Op::Read, Category::Db));
        assert_ne!(a.params, b.params);
        assert_eq!(&*a.label, "find users {\"find\":?,\"filter\":{\"_id\":?}}");
    }

    #[test]
    fn bind_parameters_are_unknown_unless_recorded() {
        let mut c = Classifier::default();
        let mut s = span("q", |a| a.db_statement = Some("SELECT * FROM t WHERE id = $1".into()));
        assert_eq!(c.classify(&s).params, 0);
        s.attrs.db_params_hash = Some(99);
        assert_ne!(c.classify(&s).params, 0);
    }

    fn sql(c: &mut Classifier, stmt: &str) -> Class {
        c.classify(&span("q", |a| {
            a.db_system = Some("postgresql".into());
            a.db_statement = Some(stmt.into());
        }))
    }

    #[test]
    fn placeholders_next_to_literals_leave_parameters_unknown() {
        let mut c = Classifier::default();
        assert_eq!(sql(&mut c, "SELECT * FROM auth_user WHERE id = %s LIMIT 21").params, 0);
        assert_eq!(sql(&mut c, "SELECT * FROM t WHERE id IN (1, 2, 3, 10…").params, 0);
        assert_eq!(sql(&mut c, "SELECT * FROM t WHERE id IN (1, 2, 3, 10...").params, 0);
        let (a, b) = (sql(&mut c, "SELECT * FROM settings"), sql(&mut c, "SELECT * FROM settings"));
        assert!(a.params != 0 && a.params == b.params, "no parameters at all: identical");
        assert_ne!(
            sql(&mut c, "SELECT * FROM t WHERE id = 1").params,
            sql(&mut c, "SELECT * FROM t WHERE id = 2").params
        );
    }

    #[test]
    fn session_statements_and_cached_spans() {
        let mut c = Classifier::default();
        for stmt in ["SET search_path TO tenant_1", "SHOW server_version", "SAVEPOINT s1", "PRAGMA foreign_keys = ON"] {
            assert_eq!(sql(&mut c, stmt).op, Op::Session, "{stmt}");
        }
        assert_eq!(sql(&mut c, "COMMIT").op, Op::Commit);
        let mut s = span("CACHE User Load", |a| {
            a.db_system = Some("postgresql".into());
            a.db_statement = Some("SELECT * FROM users WHERE id = $1".into());
        });
        assert_eq!(c.classify(&s).category, Category::Internal);
        s.name = "User Load".into();
        assert_eq!(c.classify(&s).category, Category::Db);
        s.attrs.cached = true;
        assert_eq!(c.classify(&s).category, Category::Internal);
    }

    #[test]
    fn cache_keys_are_templated_and_sanitized_keys_unknown() {
        let mut c = Classifier::default();
        let mut redis = |stmt: &str| {
            c.classify(&span("GET", |a| {
                a.db_system = Some("redis".into());
                a.db_statement = Some(stmt.into());
            }))
        };
        let a = redis("GET user:42:pref:7");
        assert_eq!((&*a.label, a.op, a.batch), ("redis GET user:{id}:pref:{id}", Op::Read, 1));
        assert_eq!(&*redis("get session:123e4567-e89b-12d3-a456-426614174000").label, "redis GET session:{uuid}");
        assert_eq!(&*redis("GET avatar:9f8e7d6c5b4a3210").label, "redis GET avatar:{hash}");
        assert_eq!(redis("GET ?").params, 0);
        assert_eq!(redis("MGET a b c").batch, 3);
    }
}
