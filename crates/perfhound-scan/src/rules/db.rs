//! Which calls reach a database: the ORM and driver call shapes of Django, SQLAlchemy
//! (incl. Flask-SQLAlchemy's `Model.query`), Peewee, DB-API cursors, asyncpg, Prisma,
//! TypeORM, Sequelize, Mongoose, Knex, node-postgres/mysql and sqlite3. Shared by the
//! query-in-loop and commit-in-loop rules (and the runtime join, which matches tables).

use super::call::Call;
use crate::ctx::Ctx;
use crate::lang::Family;

/// A call that issues a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbCall {
    /// The library family, e.g. `Django`, `SQLAlchemy`, `Prisma`, `DB-API`.
    pub orm: &'static str,
    /// A write (insert/update/delete/save/create) or a commit, rather than a read.
    pub write: bool,
    /// The SQL text when the first argument is a literal.
    pub sql: Option<String>,
}

const DJANGO_READ: &[&str] = &[
    "get",
    "filter",
    "exclude",
    "all",
    "first",
    "last",
    "count",
    "exists",
    "aggregate",
    "values",
    "values_list",
    "in_bulk",
    "latest",
    "earliest",
    "raw",
    "select_related",
    "prefetch_related",
    "order_by",
    "annotate",
];
const DJANGO_WRITE: &[&str] = &["create", "get_or_create", "update_or_create", "update", "delete"];
const SQLA_SESSION: &[&str] = &["query", "execute", "get", "scalar", "scalars", "get_one"];
const FLASK_QUERY: &[&str] =
    &["filter_by", "filter", "get", "get_or_404", "first", "first_or_404", "all", "count", "one"];
const CURSOR_READ: &[&str] = &["execute", "fetch", "fetchrow", "fetchval", "query"];
const PRISMA_READ: &[&str] =
    &["findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate", "groupBy"];
const PRISMA_WRITE: &[&str] = &["create", "update", "upsert", "delete"];
const TYPEORM_READ: &[&str] =
    &["findOne", "findOneBy", "findOneOrFail", "findOneByOrFail", "findBy", "find", "findAndCount", "count", "countBy"];
const SEQUELIZE_READ: &[&str] = &["findByPk", "findOne", "findAll", "findAndCountAll", "findById", "countDocuments"];
const JS_CLIENTS: &[&str] = &["client", "pool", "db", "conn", "connection", "pg", "mysql", "database", "tx", "trx"];

/// The database call `c` makes, if it is one.
pub fn classify(ctx: &Ctx, c: &Call) -> Option<DbCall> {
    match ctx.family() {
        Family::Python => python(ctx, c),
        Family::Js => js(ctx, c),
    }
}

fn db(orm: &'static str, write: bool, sql: Option<String>) -> Option<DbCall> {
    Some(DbCall { orm, write, sql })
}

fn python(ctx: &Ctx, c: &Call) -> Option<DbCall> {
    let recv = c.receiver_text(ctx);
    let last = c.receiver_last(ctx);
    if recv.ends_with(".objects") {
        if DJANGO_READ.contains(&c.name) {
            return db("Django", false, None);
        }
        return DJANGO_WRITE.contains(&c.name).then_some(DbCall { orm: "Django", write: true, sql: None });
    }
    if c.name == "commit" && is_connection_like(last) {
        return db("DB session", true, None);
    }
    if is_session(last) && SQLA_SESSION.contains(&c.name) && (c.name != "get" || first_arg_is_class(ctx, c)) {
        return sql_call(ctx, c, "SQLAlchemy");
    }
    if recv.ends_with(".query") && FLASK_QUERY.contains(&c.name) && starts_upper(recv) {
        return db("Flask-SQLAlchemy", false, None);
    }
    if is_connection_like(last) && CURSOR_READ.contains(&c.name) {
        return sql_call(ctx, c, "DB-API");
    }
    if starts_upper(recv) && is_identifier(recv) && peewee(ctx, c) {
        return db("Peewee", false, None);
    }
    None
}

/// `session.get(User, 1)` (SQLAlchemy) rather than `session.get(url)` (requests).
fn first_arg_is_class(ctx: &Ctx, c: &Call) -> bool {
    c.arg_nodes().first().is_some_and(|a| a.kind() == "identifier" && starts_upper(ctx.src(*a)))
}

fn peewee(ctx: &Ctx, c: &Call) -> bool {
    match c.name {
        "get_or_none" | "get_by_id" => true,
        "get" => c.arg_nodes().first().is_some_and(|a| a.kind() == "comparison_operator"),
        "select" => ctx.stack.last().is_some_and(|p| p.kind() == "attribute" && ctx.src(*p).ends_with(".where")),
        _ => false,
    }
}

fn js(ctx: &Ctx, c: &Call) -> Option<DbCall> {
    let recv = c.receiver_text(ctx);
    let last = c.receiver_last(ctx);
    if recv.starts_with("prisma.") || recv.contains(".prisma.") {
        if PRISMA_READ.contains(&c.name) {
            return db("Prisma", false, None);
        }
        return PRISMA_WRITE.contains(&c.name).then_some(DbCall { orm: "Prisma", write: true, sql: None });
    }
    let repo = last.to_ascii_lowercase();
    if (repo.contains("repo") || repo == "manager" || recv.contains("getRepository(")) && TYPEORM_READ.contains(&c.name)
    {
        return db("TypeORM", false, None);
    }
    if (repo.contains("repo") || recv.contains("getRepository(")) && c.name == "save" {
        return db("TypeORM", true, None);
    }
    if starts_upper(last) && SEQUELIZE_READ.contains(&c.name) {
        return db("Sequelize/Mongoose", false, None);
    }
    if starts_upper(last) && c.name == "create" && recv.split('.').count() <= 2 && is_model_like(ctx, c) {
        return db("Sequelize/Mongoose", true, None);
    }
    if c.receiver.is_none() && matches!(c.name, "knex" | "trx") && c.first_string(ctx).is_some() {
        return db("Knex", false, None);
    }
    if JS_CLIENTS.contains(&last) && matches!(c.name, "query" | "execute" | "get" | "all" | "run") {
        let sql = c.arg_nodes().first().and_then(|a| sql_text(ctx, *a));
        if matches!(c.name, "get" | "all" | "run") && !sql.as_deref().is_some_and(looks_like_sql) {
            return None;
        }
        return js_sql(sql, "SQL client");
    }
    None
}

/// A Sequelize/Mongoose `Model.create({...})` takes one object literal.
fn is_model_like(_ctx: &Ctx, c: &Call) -> bool {
    c.arg_nodes().first().is_some_and(|a| a.kind() == "object")
}

fn sql_call(ctx: &Ctx, c: &Call, orm: &'static str) -> Option<DbCall> {
    let sql = c.arg_nodes().first().and_then(|a| sql_text(ctx, *a));
    let write = sql.as_deref().is_some_and(is_write_sql);
    Some(DbCall { orm, write, sql })
}

fn js_sql(sql: Option<String>, orm: &'static str) -> Option<DbCall> {
    let write = sql.as_deref().is_some_and(is_write_sql);
    Some(DbCall { orm, write, sql })
}

/// The SQL of an argument: a literal, a name bound to one (`INSERT_EVENT = "…"`), or
/// `text("...")` / `sa.text("...")`.
pub fn sql_text(ctx: &Ctx, arg: crate::syntax::Node) -> Option<String> {
    if let Some(s) = super::call::string_value(ctx, arg) {
        return Some(s);
    }
    if arg.kind() == "identifier" {
        let values = super::call::binding_values(ctx, ctx.src(arg));
        return values.first().and_then(|v| super::call::string_value(ctx, *v));
    }
    let inner = super::call::call(ctx, arg)?;
    (inner.name == "text").then(|| inner.first_string(ctx)).flatten()
}

/// INSERT/UPDATE/DELETE/REPLACE statements and transaction control (BEGIN, COMMIT…).
pub fn is_write_sql(sql: &str) -> bool {
    let first = sql.split_whitespace().next().unwrap_or("").trim_end_matches(';').to_ascii_uppercase();
    matches!(
        first.as_str(),
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "COMMIT" | "UPSERT" | "BEGIN" | "ROLLBACK" | "START" | "SAVEPOINT"
    )
}

/// A string that starts like a SQL statement.
pub fn looks_like_sql(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    matches!(first.as_str(), "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH" | "REPLACE")
}

fn is_session(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "session" || n.ends_with("_session") || n == "db_session" || n == "sess"
}

fn is_connection_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    is_session(&n)
        || matches!(n.as_str(), "cur" | "cursor" | "conn" | "connection" | "con" | "db" | "cnx" | "txn")
        || n.ends_with("_cursor")
        || n.ends_with("_conn")
        || n.ends_with("_connection")
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
