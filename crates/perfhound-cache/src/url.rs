//! `redis://[user:password@]host[:port][/db][?…]` and `rediss://…` (TLS).
//!
//! TLS options are query parameters, named like redis-cli's flags: `cacert=FILE` (PEM CA
//! certificates to verify the server with; default: the public web PKI roots) and
//! `insecure=true` (encrypt without verifying — a local test server). The password is
//! percent-decoded and never printed: [`RedisUrl::redacted`] is what messages show.

/// A parsed connection URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    pub db: u32,
    pub cacert: Option<String>,
    pub insecure: bool,
}

impl RedisUrl {
    /// Parses `url`; the error says what to write instead.
    pub fn parse(url: &str) -> Result<RedisUrl, String> {
        let (tls, rest) = match url.split_once("://") {
            Some(("redis", r)) => (false, r),
            Some(("rediss", r)) => (true, r),
            _ => return Err("expected redis://[user:password@]host[:port][/db] (or rediss:// for TLS)".into()),
        };
        let (rest, query) = rest.split_once('?').map_or((rest, ""), |(a, q)| (a, q));
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        let (userinfo, hostport) = authority.rsplit_once('@').map_or((None, authority), |(u, h)| (Some(u), h));
        let (user, password) = credentials(userinfo)?;
        let (host, port) = host_port(hostport)?;
        let db = match path.trim_end_matches('/') {
            "" => 0,
            d => d.parse().map_err(|_| format!("`/{d}` is not a database number (e.g. /0)"))?,
        };
        let mut u = RedisUrl { tls, host, port, user, password, db, cacert: None, insecure: false };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, "true"));
            match k {
                "cacert" => u.cacert = Some(decode(v)?),
                "insecure" => u.insecure = matches!(v, "true" | "1" | "yes"),
                "db" => u.db = v.parse().map_err(|_| format!("db={v} is not a database number"))?,
                other => return Err(format!("unknown parameter `{other}` (known: cacert=FILE, insecure=true, db=N)")),
            }
        }
        Ok(u)
    }

    /// The URL without its password, for messages and run files.
    pub fn redacted(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        let auth = match (&self.user, &self.password) {
            (Some(u), Some(_)) => format!("{u}:***@"),
            (None, Some(_)) => ":***@".to_string(),
            (Some(u), None) => format!("{u}@"),
            (None, None) => String::new(),
        };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("{scheme}://{auth}{host}:{}/{}", self.port, self.db)
    }

    /// Whether the host is a loopback address or `localhost`.
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

fn credentials(userinfo: Option<&str>) -> Result<(Option<String>, Option<String>), String> {
    let Some(info) = userinfo else { return Ok((None, None)) };
    let (user, pass) = info.split_once(':').map_or((info, None), |(u, p)| (u, Some(p)));
    let user = Some(decode(user)?).filter(|u| !u.is_empty());
    let pass = pass.map(decode).transpose()?.filter(|p| !p.is_empty());
    // `redis://secret@host`: a lone userinfo is the password, as redis-cli reads it.
    Ok(match (user, pass) {
        (Some(u), None) => (None, Some(u)),
        other => other,
    })
}

fn host_port(hostport: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or("an IPv6 host needs a closing `]`")?;
        (h, after.strip_prefix(':'))
    } else {
        hostport.split_once(':').map_or((hostport, None), |(h, p)| (h, Some(p)))
    };
    if host.is_empty() {
        return Err("no host: write e.g. redis://127.0.0.1:6379".into());
    }
    let port = match port {
        None | Some("") => 6379,
        Some(p) => p.parse().map_err(|_| format!("`{p}` is not a port number"))?,
    };
    Ok((host.to_string(), port))
}

/// Percent-decoding (`%40` → `@`).
fn decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or("a `%` escape needs two hex digits")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("`%{hex}` is not a percent escape"))?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent escapes that are not UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::RedisUrl;

    #[test]
    fn parses_the_usual_forms() {
        let u = RedisUrl::parse("redis://app:p%40ss@127.0.0.1:6380/2").unwrap();
        assert_eq!((u.user.as_deref(), u.password.as_deref(), u.port, u.db), (Some("app"), Some("p@ss"), 6380, 2));
        assert_eq!(u.redacted(), "redis://app:***@127.0.0.1:6380/2");
        let u = RedisUrl::parse("rediss://:secret@[::1]?insecure=true").unwrap();
        assert!(u.tls && u.insecure && u.is_loopback());
        assert_eq!(u.redacted(), "rediss://:***@[::1]:6379/0");
        assert_eq!(RedisUrl::parse("redis://tok@h").unwrap().password.as_deref(), Some("tok"));
    }

    #[test]
    fn bad_urls_say_what_to_write() {
        assert!(RedisUrl::parse("http://x").unwrap_err().contains("redis://"));
        assert!(RedisUrl::parse("redis://h:99999").unwrap_err().contains("port"));
        assert!(RedisUrl::parse("redis://h/x").unwrap_err().contains("database number"));
        assert!(RedisUrl::parse("redis://h?sslmode=x").unwrap_err().contains("cacert=FILE"));
        assert!(RedisUrl::parse("redis:///0").unwrap_err().contains("no host"));
    }
}
