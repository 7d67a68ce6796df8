//! A read-only Redis connection: plain TCP or TLS, every command under a timeout, and
//! only the commands on [`READ_ONLY`] can be sent — the tool never changes the server.

use crate::error::CacheError;
use crate::resp::{self, Limits, Value};
use crate::url::RedisUrl;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

/// The commands (with their subcommand where it matters) this client may send.
pub const READ_ONLY: &[&str] = &[
    "AUTH",
    "HELLO",
    "SELECT",
    "PING",
    "INFO",
    "SCAN",
    "TYPE",
    "PTTL",
    "MEMORY USAGE",
    "OBJECT FREQ",
    "SLOWLOG GET",
    "SLOWLOG LEN",
    "CONFIG GET",
    "DBSIZE",
];

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// One connection.
pub struct Client {
    stream: Box<dyn Stream>,
    buf: Vec<u8>,
    timeout: Duration,
    limits: Limits,
    /// The redacted URL, for messages.
    pub url: String,
}

impl Client {
    /// Connects, authenticates and selects the database, each step under `timeout`.
    pub async fn connect(u: &RedisUrl, timeout: Duration) -> Result<Client, CacheError> {
        let url = u.redacted();
        let tcp = tokio::time::timeout(timeout, tokio::net::TcpStream::connect((u.host.as_str(), u.port)))
            .await
            .map_err(|_| CacheError::Connect { url: url.clone(), reason: format!("no answer within {timeout:?}") })?
            .map_err(|e| CacheError::Connect { url: url.clone(), reason: e.to_string() })?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Stream> = if u.tls { Box::new(tls(u, tcp, timeout, &url).await?) } else { Box::new(tcp) };
        let mut c = Client { stream, buf: Vec::new(), timeout, limits: Limits::default(), url };
        c.login(u).await?;
        Ok(c)
    }

    async fn login(&mut self, u: &RedisUrl) -> Result<(), CacheError> {
        if let Some(pass) = &u.password {
            let user = u.user.as_deref().unwrap_or("default");
            let reply = self.raw(&[b"AUTH", user.as_bytes(), pass.as_bytes()], "AUTH").await?;
            if let Value::Error(e) = reply {
                return Err(CacheError::Auth { url: self.url.clone(), reason: e });
            }
        }
        match self.raw(&[b"PING"], "PING").await? {
            Value::Error(e) if e.starts_with("NOAUTH") => Err(CacheError::Auth { url: self.url.clone(), reason: e }),
            Value::Error(e) => Err(CacheError::Command { url: self.url.clone(), command: "PING".into(), reason: e }),
            _ if u.db == 0 => Ok(()),
            _ => self.command(&["SELECT", &u.db.to_string()]).await.map(drop),
        }
    }

    /// Sends one read-only command; a Redis error reply becomes [`CacheError::Command`].
    pub async fn command(&mut self, args: &[&str]) -> Result<Value, CacheError> {
        let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.command_bytes(&bytes).await
    }

    /// [`Client::command`] with binary arguments (keys need not be UTF-8).
    pub async fn command_bytes(&mut self, args: &[&[u8]]) -> Result<Value, CacheError> {
        let name = command_name(args);
        if !READ_ONLY.contains(&name.as_str()) {
            return Err(self.refused(&name));
        }
        match self.raw(args, &name).await? {
            Value::Error(reason) => Err(CacheError::Command { url: self.url.clone(), command: name, reason }),
            v => Ok(v),
        }
    }

    /// Sends `cmds` in one write and reads their replies (one timeout for the batch).
    /// A command's error reply stays in its slot as [`Value::Error`].
    pub async fn pipeline(&mut self, cmds: &[Vec<&[u8]>]) -> Result<Vec<Value>, CacheError> {
        let mut wire = Vec::new();
        for args in cmds {
            let name = command_name(args);
            if !READ_ONLY.contains(&name.as_str()) {
                return Err(self.refused(&name));
            }
            wire.extend(resp::encode(args));
        }
        let n = cmds.len();
        let timeout = self.timeout;
        let timed_out = CacheError::Timeout {
            url: self.url.clone(),
            command: format!("a pipeline of {n} commands"),
            timeout_ms: timeout.as_millis(),
        };
        let work = async {
            self.send(&wire).await?;
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                out.push(self.read_reply().await?);
            }
            Ok(out)
        };
        tokio::time::timeout(timeout, work).await.unwrap_or(Err(timed_out))
    }

    fn refused(&self, name: &str) -> CacheError {
        CacheError::Protocol {
            url: self.url.clone(),
            reason: format!("refusing `{name}`: perfhound only sends read-only commands"),
        }
    }

    async fn raw(&mut self, args: &[&[u8]], name: &str) -> Result<Value, CacheError> {
        let timeout = self.timeout;
        let timed_out =
            CacheError::Timeout { url: self.url.clone(), command: name.to_string(), timeout_ms: timeout.as_millis() };
        tokio::time::timeout(timeout, self.round_trip(args)).await.unwrap_or(Err(timed_out))
    }

    async fn round_trip(&mut self, args: &[&[u8]]) -> Result<Value, CacheError> {
        self.send(&resp::encode(args)).await?;
        self.read_reply().await
    }

    async fn send(&mut self, wire: &[u8]) -> Result<(), CacheError> {
        let io = |e: std::io::Error| e.to_string();
        self.stream.write_all(wire).await.map_err(|e| self.io_error(io(e)))?;
        self.stream.flush().await.map_err(|e| self.io_error(io(e)))
    }

    async fn read_reply(&mut self) -> Result<Value, CacheError> {
        let io = |e: std::io::Error| e.to_string();
        loop {
            match resp::parse(&self.buf, &self.limits) {
                Ok(Some((v, used))) => {
                    self.buf.drain(..used);
                    return Ok(v);
                }
                Ok(None) => {}
                Err(e) => return Err(CacheError::Protocol { url: self.url.clone(), reason: e.to_string() }),
            }
            let mut chunk = [0u8; 16 << 10];
            let n = self.stream.read(&mut chunk).await.map_err(|e| self.io_error(io(e)))?;
            if n == 0 {
                return Err(self.io_error("the server closed the connection".into()));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    fn io_error(&self, reason: String) -> CacheError {
        CacheError::Io { url: self.url.clone(), reason }
    }
}

async fn tls(
    u: &RedisUrl,
    tcp: tokio::net::TcpStream,
    timeout: Duration,
    url: &str,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, CacheError> {
    let fail = |reason: String| CacheError::Tls { url: url.to_string(), hint: crate::tls::hint(&reason), reason };
    let config = crate::tls::client_config(u.cacert.as_deref(), u.insecure).map_err(fail)?;
    let name = crate::tls::server_name(&u.host).map_err(fail)?;
    let connector = tokio_rustls::TlsConnector::from(config);
    match tokio::time::timeout(timeout, connector.connect(name, tcp)).await {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(fail(e.to_string())),
        Err(_) => Err(fail(format!("no TLS handshake within {timeout:?}"))),
    }
}

/// `SLOWLOG GET` → "SLOWLOG GET"; `INFO` → "INFO" (upper case, for the allowlist).
fn command_name(args: &[&[u8]]) -> String {
    let word = |i: usize| args.get(i).map(|a| String::from_utf8_lossy(a).to_ascii_uppercase());
    match (word(0), word(1)) {
        (Some(c), Some(sub)) if matches!(c.as_str(), "MEMORY" | "OBJECT" | "SLOWLOG" | "CONFIG") => {
            format!("{c} {sub}")
        }
        (Some(c), _) => c,
        (None, _) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::command_name;

    #[test]
    fn names_commands_with_their_subcommand() {
        assert_eq!(command_name(&[b"memory", b"usage", b"k"]), "MEMORY USAGE");
        assert_eq!(command_name(&[b"config", b"set", b"x"]), "CONFIG SET");
        assert_eq!(command_name(&[b"get", b"k"]), "GET");
        assert!(!super::READ_ONLY.contains(&"CONFIG SET") && !super::READ_ONLY.contains(&"FLUSHALL"));
    }
}
