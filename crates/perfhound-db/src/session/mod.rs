//! Connecting: a read-only session with a statement and lock timeout (the default), or a
//! writable one for `--apply`; what the server is and which extensions it has.
//!
//! The safety settings are sent as startup options, so they hold from the first statement:
//! `default_transaction_read_only=on` makes every write fail, `statement_timeout` bounds
//! every statement, `lock_timeout` keeps perfhound from queueing behind application locks.
//!
//! TLS follows libpq: `sslmode` (default `prefer`) and `sslrootcert` from the connection
//! string or `PGSSLMODE`/`PGSSLROOTCERT` ([`conninfo`]), rustls with the ring provider
//! ([`tls`]), from `perfhound-net`'s `pg` module, which the PostgreSQL run store shares.
//! `prefer` falls back to plaintext when the TLS handshake fails, `allow` tries plaintext
//! first and TLS when the server refuses it.

pub use perfhound_net::pg::{binding, connector as tls, conninfo};

use crate::error::{describe, DbError};
use conninfo::TlsSettings;
use perfhound_net::pg::{is_tls_failure, tls_hint};
use std::time::Duration;
use tokio_postgres::Client;

/// What kind of session to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `default_transaction_read_only=on` (every diagnosis).
    ReadOnly,
    /// Writable, for `CREATE INDEX CONCURRENTLY` after explicit confirmation.
    Apply,
}

/// Session limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
    pub connect_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            statement_timeout: Duration::from_secs(10),
            lock_timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Opens a session. The connection task runs on the current tokio runtime.
pub async fn connect(url: &str, mode: Mode, limits: &Limits) -> Result<Client, DbError> {
    let shown = redact_url(url);
    let (rest, settings) = conninfo::split_tls(url, |k| std::env::var(k).ok())
        .map_err(|reason| DbError::InvalidUrl { url: shown.clone(), reason })?;
    let mut config: tokio_postgres::Config = rest
        .parse()
        .map_err(|e: tokio_postgres::Error| DbError::InvalidUrl { url: shown.clone(), reason: e.to_string() })?;
    let password = config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
    let mut options = config.get_options().map(str::to_string).unwrap_or_default();
    let read_only = if mode == Mode::ReadOnly { "on" } else { "off" };
    let statement_ms = match mode {
        Mode::ReadOnly => limits.statement_timeout.as_millis(),
        Mode::Apply => 0, // building an index concurrently can take long; the user asked for it
    };
    options.push_str(&format!(
        " -c default_transaction_read_only={read_only} -c statement_timeout={statement_ms} -c lock_timeout={}",
        limits.lock_timeout.as_millis()
    ));
    config.options(options.trim().to_string());
    if config.get_application_name().is_none() {
        config.application_name("perfhound");
    }
    config.connect_timeout(limits.connect_timeout);
    let verification = tls::verification(&settings).map_err(|reason| DbError::Tls {
        url: shown.clone(),
        reason,
        hint: "fix sslrootcert, or choose an sslmode that does not verify the certificate (require)".into(),
    })?;
    let connector = tls::MakeRustls(tls::client_config(&verification));
    perfhound_net::pg::open(&mut config, settings.mode, connector)
        .await
        .map_err(|e| classify_connect(&e, &shown, password, &settings))
}

fn classify_connect(err: &tokio_postgres::Error, shown: &str, password: Option<String>, tls: &TlsSettings) -> DbError {
    let mut reason = describe(err);
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        reason = reason.replace(&p, "***");
    }
    if let Some(db) = err.as_db_error() {
        let code = db.code().code();
        if code == "42501" {
            return DbError::InsufficientPrivilege {
                what: reason,
                how: "GRANT CONNECT ON DATABASE <db> TO <role>; or connect as another role".into(),
            };
        }
    }
    if is_tls_failure(&reason) {
        let hint = tls_hint(&reason, tls);
        return DbError::Tls { url: shown.to_string(), reason, hint };
    }
    DbError::Connect { url: shown.to_string(), reason }
}

/// The connection string with its password replaced by `***` (URL and key=value forms).
pub fn redact_url(url: &str) -> String {
    perfhound_model::redact::text(url)
}

/// Facts about the server and the session's role.
#[derive(Clone, Debug, Default)]
pub struct ServerInfo {
    /// `server_version_num`, e.g. 150004.
    pub version_num: i32,
    pub version: String,
    pub database: String,
    pub user: String,
    pub superuser: bool,
    /// Member of `pg_read_all_stats` (can see other roles' query texts).
    pub read_all_stats: bool,
    /// Installed extensions in this database.
    pub extensions: Vec<String>,
    /// Extensions available to `CREATE EXTENSION` on this server.
    pub available: Vec<String>,
    /// The backend pid of the inspecting session (excluded from activity checks).
    pub pid: i32,
}

impl ServerInfo {
    pub async fn fetch(client: &Client) -> Result<ServerInfo, DbError> {
        let row = client
            .query_one(
                "/* perfhound */ SELECT current_setting('server_version_num')::int4, current_setting('server_version'), \
                 current_database()::text, current_user::text, \
                 coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false), \
                 pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER'), pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| DbError::query("reading server information", &e))?;
        let extensions = client
            .query("/* perfhound */ SELECT extname::text FROM pg_extension", &[])
            .await
            .map_err(|e| DbError::query("listing extensions", &e))?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect();
        let available = client
            .query("/* perfhound */ SELECT name::text FROM pg_available_extensions WHERE name IN ('hypopg', 'pg_stat_statements')", &[])
            .await
            .map_err(|e| DbError::query("listing available extensions", &e))?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect();
        Ok(ServerInfo {
            version_num: row.get(0),
            version: row.get(1),
            database: row.get(2),
            user: row.get(3),
            superuser: row.get(4),
            read_all_stats: row.get(5),
            extensions,
            available,
            pid: row.get(6),
        })
    }

    pub fn has_extension(&self, name: &str) -> bool {
        self.extensions.iter().any(|e| e == name)
    }

    /// The message telling the user how to enable an extension.
    pub fn how_to_enable(&self, name: &str) -> String {
        let package = if name == "hypopg" {
            format!(" (Debian/Ubuntu: apt-get install postgresql-{}-hypopg)", self.version_num / 10000)
        } else {
            " and add it to shared_preload_libraries in postgresql.conf, then restart the server".into()
        };
        if self.available.iter().any(|a| a == name) {
            format!("run `CREATE EXTENSION {name};` in database {} as a privileged role", self.database)
        } else {
            format!(
                "install it on the server{package}, then run `CREATE EXTENSION {name};` in database {}",
                self.database
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/shop"), "postgres://app:***@db:5432/shop");
        assert_eq!(redact_url("postgres://app@db/shop"), "postgres://app@db/shop");
        assert_eq!(redact_url("postgresql://u:p%40ss@h/d?sslmode=disable"), "postgresql://u:***@h/d?sslmode=disable");
        assert_eq!(redact_url("postgres://h/d?user=u&password=pw&x=1"), "postgres://h/d?user=u&password=***&x=1");
        assert_eq!(redact_url("host=h user=u password=pw dbname=d"), "host=h user=u password=*** dbname=d");
        assert_eq!(redact_url("host=h password='a b' dbname=d"), "host=h password=*** dbname=d");
    }
}
