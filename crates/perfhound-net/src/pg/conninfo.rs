//! libpq's TLS settings in a connection string. tokio-postgres knows `sslmode=disable |
//! prefer | require` only and rejects `verify-ca`, `verify-full` and `sslrootcert`, so they
//! are taken out of the string (URL query or `key=value` form) before it is parsed, with
//! `PGSSLMODE` / `PGSSLROOTCERT` as fallbacks like libpq.

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// Plaintext first, TLS if the server insists.
    Allow,
    /// TLS if the server offers it, plaintext otherwise (libpq's default).
    Prefer,
    /// TLS without verifying the certificate (verify-ca when a root certificate is given).
    Require,
    /// TLS, certificate signed by a trusted CA.
    VerifyCa,
    /// TLS, trusted CA and the host name in the certificate.
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// The TLS part of a connection string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSettings {
    pub mode: SslMode,
    /// `sslrootcert`: a PEM file of trusted CA certificates, or `system`.
    pub root_cert: Option<String>,
}

/// Keys taken out of the string: handled here, or refused with a message.
const TLS_KEYS: &[&str] = &["sslmode", "sslrootcert"];
const UNSUPPORTED_KEYS: &[&str] = &["sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir"];
/// libpq TLS options without an effect here (rustls speaks TLS 1.2+ and sends SNI for names).
const IGNORED_KEYS: &[&str] = &["sslsni", "sslcompression", "ssl_min_protocol_version", "ssl_max_protocol_version"];

/// Splits the TLS settings out of `conn`; returns the rest for tokio-postgres. `env` reads
/// an environment variable (`PGSSLMODE`, `PGSSLROOTCERT`).
pub fn split_tls(conn: &str, env: impl Fn(&str) -> Option<String>) -> Result<(String, TlsSettings), String> {
    let (rest, pairs) = if conn.starts_with("postgres://") || conn.starts_with("postgresql://") {
        split_url(conn)
    } else {
        split_key_values(conn)
    };
    let mut mode = None;
    let mut root_cert = None;
    for (key, value) in pairs {
        match key.as_str() {
            "sslmode" => mode = Some(value),
            "sslrootcert" => root_cert = Some(value),
            k if UNSUPPORTED_KEYS.contains(&k) => {
                return Err(format!(
                    "{k} is not supported (client certificates): authenticate with a password over sslmode=verify-full"
                ))
            }
            _ => {}
        }
    }
    let mode_text = mode.or_else(|| env("PGSSLMODE")).unwrap_or_else(|| "prefer".into());
    let mode = SslMode::parse(&mode_text).ok_or_else(|| {
        format!("invalid sslmode {mode_text:?}: use disable, allow, prefer, require, verify-ca or verify-full")
    })?;
    let root_cert = root_cert.or_else(|| env("PGSSLROOTCERT")).filter(|r| !r.is_empty());
    Ok((rest, TlsSettings { mode, root_cert }))
}

fn is_tls_key(key: &str) -> bool {
    TLS_KEYS.contains(&key) || UNSUPPORTED_KEYS.contains(&key) || IGNORED_KEYS.contains(&key)
}

/// `postgres://…?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x`.
fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), Vec::new()) };
    let mut kept = Vec::new();
    let mut taken = Vec::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k);
        if is_tls_key(&key) {
            taken.push((key, percent_decode(v)));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    (rest, taken)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex =
            b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `host=db sslmode = verify-full sslrootcert='/etc/my ca.pem'`. Malformed text is left
/// whole for tokio-postgres to report.
fn split_key_values(conn: &str) -> (String, Vec<(String, String)>) {
    let mut kept: Vec<&str> = Vec::new();
    let mut taken = Vec::new();
    let mut i = 0;
    let b = conn.as_bytes();
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        let Some((key, value, end)) = key_value(conn, i) else { return (conn.to_string(), Vec::new()) };
        if is_tls_key(&key) {
            taken.push((key, value));
        } else {
            kept.push(&conn[start..end]);
        }
        i = end;
    }
    (kept.join(" "), taken)
}

/// The pair starting at `i`: key, unescaped value, and where it ends.
fn key_value(s: &str, mut i: usize) -> Option<(String, String, usize)> {
    let b = s.as_bytes();
    let key_start = i;
    while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
        i += 1;
    }
    let key = s[key_start..i].to_string();
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    if b.get(i) != Some(&b'=') || key.is_empty() {
        return None;
    }
    i += 1;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let quoted = b.get(i) == Some(&b'\'');
    i += usize::from(quoted);
    let mut value = Vec::new();
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() => {
                value.push(b[i + 1]);
                i += 2;
                continue;
            }
            b'\'' if quoted => return Some((key, String::from_utf8_lossy(&value).into_owned(), i + 1)),
            c if !quoted && c.is_ascii_whitespace() => break,
            c => value.push(c),
        }
        i += 1;
    }
    (!quoted).then(|| (key, String::from_utf8_lossy(&value).into_owned(), i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(conn: &str) -> Result<(String, TlsSettings), String> {
        split_tls(conn, |_| None)
    }

    #[test]
    fn url_query_parameters_are_taken_out() {
        let (rest, tls) =
            split("postgres://u:p@h:5432/db?sslmode=verify-full&application_name=x&sslrootcert=%2Ftmp%2Fca%20x.pem")
                .unwrap();
        assert_eq!(rest, "postgres://u:p@h:5432/db?application_name=x");
        assert_eq!(tls, TlsSettings { mode: SslMode::VerifyFull, root_cert: Some("/tmp/ca x.pem".into()) });
        let (rest, tls) = split("postgresql://h/db?sslmode=require").unwrap();
        assert_eq!((rest.as_str(), tls.mode), ("postgresql://h/db", SslMode::Require));
    }

    #[test]
    fn key_value_pairs_are_taken_out_with_quotes_and_escapes() {
        let (rest, tls) =
            split("host=h  sslmode = verify-ca sslrootcert='/tmp/my \\'ca\\'.pem' password='a b' dbname=d").unwrap();
        assert_eq!(rest, "host=h password='a b' dbname=d");
        assert_eq!(tls, TlsSettings { mode: SslMode::VerifyCa, root_cert: Some("/tmp/my 'ca'.pem".into()) });
        assert_eq!(split("host=h 'broken").unwrap().0, "host=h 'broken", "left for tokio-postgres to report");
    }

    #[test]
    fn defaults_environment_and_refusals() {
        assert_eq!(split("host=h").unwrap().1, TlsSettings { mode: SslMode::Prefer, root_cert: None });
        let env = |k: &str| (k == "PGSSLMODE").then(|| "verify-full".to_string());
        assert_eq!(split_tls("postgres://h/d", env).unwrap().1.mode, SslMode::VerifyFull);
        assert_eq!(split_tls("postgres://h/d?sslmode=disable", env).unwrap().1.mode, SslMode::Disable);
        assert!(split("postgres://h/d?sslmode=bogus").unwrap_err().contains("verify-full"));
        assert!(split("host=h sslcert=/c.pem").unwrap_err().starts_with("sslcert is not supported"));
    }
}
