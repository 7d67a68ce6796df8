//! libpq's TLS for tokio-postgres: `sslmode` and `sslrootcert` taken out of a connection
//! string ([`conninfo`]), the rustls connector that verifies as they say ([`connector`],
//! with SCRAM channel binding from [`binding`]), and [`open`], which connects the way the
//! mode says (`prefer` falls back to plaintext when the TLS handshake fails, `allow` tries
//! plaintext first and TLS when the server refuses it). [`tls_hint`] explains a failed
//! handshake. Used by `perfhound db` (its read-only sessions) and the PostgreSQL run store.

pub mod binding;
pub mod connector;
pub mod conninfo;

use connector::MakeRustls;
use conninfo::{SslMode, TlsSettings};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres::{Client, Config};

/// Connects with `config` the way libpq's `mode` says; the connection task runs on the
/// current tokio runtime.
pub async fn open(config: &mut Config, mode: SslMode, tls: MakeRustls) -> Result<Client, tokio_postgres::Error> {
    match mode {
        SslMode::Disable => open_once(config.ssl_mode(PgSslMode::Disable), tls).await,
        SslMode::Allow => match open_once(config.ssl_mode(PgSslMode::Disable), tls.clone()).await {
            Err(e) if e.as_db_error().is_some() => open_once(config.ssl_mode(PgSslMode::Require), tls).await,
            other => other,
        },
        SslMode::Prefer => match open_once(config.ssl_mode(PgSslMode::Prefer), tls.clone()).await {
            Err(e) if is_tls_failure(&describe(&e)) => open_once(config.ssl_mode(PgSslMode::Disable), tls).await,
            other => other,
        },
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
            open_once(config.ssl_mode(PgSslMode::Require), tls).await
        }
    }
}

async fn open_once(config: &Config, tls: MakeRustls) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// The error's text: the server's message with its detail and hint, or the whole chain of
/// causes of a client-side error (where TLS failures are named).
pub fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => {
            let mut s = db.message().to_string();
            if let Some(d) = db.detail() {
                s.push_str(&format!(" ({d})"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!(" [hint: {h}]"));
            }
            s
        }
        None => {
            let mut s = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(e) = source {
                let text = e.to_string();
                if !s.contains(&text) {
                    s.push_str(&format!(": {text}"));
                }
                source = e.source();
            }
            s
        }
    }
}

/// Whether a failed connection's [`describe`] text is about TLS.
pub fn is_tls_failure(reason: &str) -> bool {
    reason.contains("TLS") || reason.contains("certificate")
}

/// What to do about a failed TLS connection.
pub fn tls_hint(reason: &str, tls: &TlsSettings) -> String {
    let ca = tls.root_cert.as_deref().unwrap_or("~/.postgresql/root.crt");
    if reason.contains("server does not support TLS") {
        "the server has ssl = off: enable TLS on the server (ssl = on, ssl_cert_file, ssl_key_file), \
         or connect with sslmode=prefer or disable"
            .into()
    } else if reason.contains("UnknownIssuer") || reason.contains("BadSignature") {
        format!(
            "the server's certificate was not issued by a CA in sslrootcert={ca}: pass the CA certificate that signed it, \
             or use sslmode=require to encrypt without verifying"
        )
    } else if reason.contains("not valid for name") || reason.contains("NotValidForName") {
        "the certificate does not name the host you connected to: use a host name from its subjectAltName, \
         or sslmode=verify-ca to check the CA only"
            .into()
    } else if reason.contains("Expired") || reason.contains("NotValidYet") {
        "the server's certificate has expired or is not valid yet: renew it on the server".into()
    } else {
        "check the server's ssl settings (SHOW ssl) and the sslmode/sslrootcert of the connection string".into()
    }
}
