//! TLS with libpq's sslmode semantics against the harness server (`ssl = on`, certificate
//! from a test CA), and the plaintext fallback against the logging server (`ssl = off`).

use super::support::{self, SCRAM_PASSWORD, SCRAM_USER};
use perfhound_db::session::{connect, Limits, Mode};
use perfhound_db::DbError;

/// Whether the session is encrypted, by the server's own account.
async fn encrypted(url: &str) -> Result<bool, DbError> {
    let c = connect(url, Mode::ReadOnly, &Limits::default()).await?;
    let row = c.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap();
    Ok(row.get(0))
}

#[tokio::test]
async fn sslmodes_encrypt_and_verify_like_libpq() {
    let s = support::server();
    let certs = s.certs.as_ref().expect("TLS server");
    let (ca, wrong) = (certs.ca.display(), certs.wrong_ca.display());
    let port = s.port;
    let url = |host: &str, query: &str| format!("postgres://postgres@{host}:{port}/postgres?{query}");
    assert!(encrypted(&url("127.0.0.1", "sslmode=require")).await.unwrap());
    assert!(encrypted(&url("127.0.0.1", "")).await.unwrap(), "prefer (the default) uses TLS when offered");
    assert!(!encrypted(&url("127.0.0.1", "sslmode=disable")).await.unwrap());
    let unix_socket = format!("host={} port={port} user=postgres dbname=postgres", s.dir.display());
    assert!(!encrypted(&unix_socket).await.unwrap(), "Unix sockets are never encrypted (prefer)");
    for host in ["127.0.0.1", "localhost"] {
        let full = url(host, &format!("sslmode=verify-full&sslrootcert={ca}"));
        assert!(encrypted(&full).await.unwrap(), "{host}: the certificate names it");
    }
    let keyword_form =
        format!("host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=verify-ca sslrootcert='{ca}'");
    assert!(encrypted(&keyword_form).await.unwrap());

    let err = encrypted(&url("127.0.0.1", &format!("sslmode=verify-full&sslrootcert={wrong}"))).await.unwrap_err();
    assert!(matches!(err, DbError::Tls { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("UnknownIssuer") && msg.contains(&format!("not issued by a CA in sslrootcert={wrong}")),
        "{msg}"
    );

    let other_name =
        format!("host=db.example hostaddr=127.0.0.1 port={port} user=postgres dbname=postgres sslrootcert={ca}");
    let err = encrypted(&format!("{other_name} sslmode=verify-full")).await.unwrap_err().to_string();
    assert!(err.contains("does not name the host"), "{err}");
    assert!(encrypted(&format!("{other_name} sslmode=verify-ca")).await.unwrap(), "verify-ca skips the name");
}

#[tokio::test]
async fn scram_channel_binding_over_verified_tls() {
    let s = support::server();
    let ca = s.certs.as_ref().unwrap().ca.display().to_string();
    let url = format!(
        "postgres://{SCRAM_USER}:{SCRAM_PASSWORD}@localhost:{}/postgres?sslmode=verify-full&sslrootcert={ca}&channel_binding=require",
        s.port
    );
    assert!(encrypted(&url).await.unwrap(), "SCRAM-SHA-256-PLUS with tls-server-end-point");
}

#[tokio::test]
async fn prefer_falls_back_to_plaintext_and_require_explains_ssl_off() {
    let s = support::log_server();
    let url = |mode: &str| format!("postgres://postgres@127.0.0.1:{}/postgres?sslmode={mode}", s.port);
    assert!(!encrypted(&url("prefer")).await.unwrap());
    assert!(!encrypted(&url("allow")).await.unwrap());
    let err = encrypted(&url("require")).await.unwrap_err();
    assert!(matches!(err, DbError::Tls { .. }), "{err}");
    assert!(err.to_string().contains("ssl = off"), "{err}");
}
