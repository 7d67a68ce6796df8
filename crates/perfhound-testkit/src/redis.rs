//! A real `redis-server` for tests (feature `redis`): one per [`RedisServer::start`], in its
//! own temp dir, on a free loopback port, stopped and removed on drop.
//!
//! The server comes from the Debian package (`redis-server` on `PATH`, or
//! `PERFHOUND_REDIS_SERVER`). It runs in the foreground with persistence off, bound to
//! 127.0.0.1 only. Readiness is a bounded poll of `PING` on the socket, never a sleep, and
//! the server that answers must be *ours*: `INFO server` reports its `process_id`, which is
//! compared with the child's pid, so another server that grabbed the port in between is
//! never mistaken for it. A port taken between choosing and binding makes the child exit
//! with "Address already in use": that is detected and the start is retried on another
//! port (a bounded number of times), never raced silently. The child also gets the
//! parent-death signal, so a killed test binary leaves no server behind.
//!
//! ```no_run
//! let redis = perfhound_testkit::redis::RedisServer::start();
//! assert!(redis.url().starts_with("redis://127.0.0.1:"));
//! assert_eq!(redis.command(&["SET", "k", "v"]), "+OK");
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long one start may take before the test fails with the server's log.
const READY_WITHIN: Duration = Duration::from_secs(30);
/// How many ports are tried when the chosen one turns out to be taken.
const PORT_ATTEMPTS: usize = 5;

/// A running `redis-server`; dropping it kills the server and removes its directory.
pub struct RedisServer {
    port: u16,
    /// The TLS port of [`RedisServer::start_tls`].
    tls_port: Option<u16>,
    dir: PathBuf,
    child: Child,
}

/// Why [`RedisServer::start_on`] failed.
#[derive(Debug)]
pub enum StartError {
    /// Another process holds the port (the server said "Address already in use").
    PortTaken,
    /// Anything else, with the server's log.
    Failed(String),
}

impl RedisServer {
    /// Starts a server; panics with the server's log when it cannot (a test harness).
    pub fn start() -> RedisServer {
        for _ in 0..PORT_ATTEMPTS {
            match RedisServer::start_on(crate::free_port()) {
                Ok(server) => return server,
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("{why}"),
            }
        }
        panic!("redis-server did not start: the chosen port was taken {PORT_ATTEMPTS} times");
    }

    /// Starts a server that also speaks TLS on a second free port ([`RedisServer::tls_port`])
    /// with the certificate and key (PEM files) and the CA that signed it; clients are not
    /// asked for certificates. Readiness is still checked on the plaintext port.
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path, ca: &std::path::Path) -> RedisServer {
        for _ in 0..PORT_ATTEMPTS {
            let tls_port = crate::free_port();
            let mut extra: Vec<std::ffi::OsString> = vec!["--tls-port".into(), tls_port.to_string().into()];
            for (flag, file) in [("--tls-cert-file", cert), ("--tls-key-file", key), ("--tls-ca-cert-file", ca)] {
                extra.push(flag.into());
                extra.push(file.into());
            }
            extra.extend(["--tls-auth-clients".into(), "no".into()]);
            match RedisServer::start_with(crate::free_port(), &extra) {
                Ok(mut server) => {
                    server.tls_port = Some(tls_port);
                    return server;
                }
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("{why}"),
            }
        }
        panic!("redis-server did not start: the chosen ports were taken {PORT_ATTEMPTS} times");
    }

    /// The TLS port of a server from [`RedisServer::start_tls`].
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// Starts a server on `port`, telling a taken port from other failures.
    pub fn start_on(port: u16) -> Result<RedisServer, StartError> {
        RedisServer::start_with(port, &[])
    }

    fn start_with(port: u16, extra: &[std::ffi::OsString]) -> Result<RedisServer, StartError> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
        let dir = std::env::temp_dir().join(format!("perfhound-redis-{}-{port}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create redis dir");
        let child = match spawn(&dir, port, extra) {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                let bin = binary();
                let hint = "apt-get install redis-server (or set PERFHOUND_REDIS_SERVER)";
                return Err(StartError::Failed(format!("cannot run {}: {e} — {hint}", bin.display())));
            }
        };
        let mut server = RedisServer { port, tls_port: None, dir, child };
        // On failure, dropping `server` kills the child and removes its directory.
        wait_ready(&mut server).map(|()| server)
    }

    /// The server's directory (removed on drop).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>` (database 0).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends one command and returns the first line of the reply (e.g. `+OK`, `:3`, `$5`).
    pub fn command(&self, args: &[&str]) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server");
        stream.set_read_timeout(Some(READY_WITHIN)).expect("read timeout");
        stream.write_all(&resp(args)).expect("send command");
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).expect("read reply");
        line.trim_end().to_string()
    }
}

impl RedisServer {
    /// Sends many commands on one connection (binary arguments) and returns the raw replies
    /// (a final `PING` marks their end). For planting test data quickly.
    pub fn pipeline(&self, commands: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server");
        stream.set_read_timeout(Some(READY_WITHIN)).expect("read timeout");
        let mut wire = Vec::new();
        for args in commands {
            wire.extend(format!("*{}\r\n", args.len()).into_bytes());
            for a in args {
                wire.extend(format!("${}\r\n", a.len()).into_bytes());
                wire.extend_from_slice(a);
                wire.extend_from_slice(b"\r\n");
            }
        }
        wire.extend(resp(&["PING"]));
        stream.write_all(&wire).expect("send commands");
        let mut replies = Vec::new();
        let mut chunk = [0u8; 64 << 10];
        while !replies.ends_with(b"+PONG\r\n") {
            let n = std::io::Read::read(&mut stream, &mut chunk).expect("read replies");
            assert!(n > 0, "redis-server closed the connection");
            replies.extend_from_slice(&chunk[..n]);
        }
        replies
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn binary() -> PathBuf {
    std::env::var_os("PERFHOUND_REDIS_SERVER").map_or_else(|| PathBuf::from("redis-server"), PathBuf::from)
}

fn spawn(dir: &std::path::Path, port: u16, extra: &[std::ffi::OsString]) -> std::io::Result<Child> {
    let mut cmd = Command::new(binary());
    cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--daemonize", "no", "--protected-mode", "yes", "--logfile"])
        .arg(dir.join("redis.log"))
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe; it runs in the child after fork.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    cmd.spawn()
}

/// Polls until our child answers `PING` (bounded), or tells why it never will.
fn wait_ready(server: &mut RedisServer) -> Result<(), StartError> {
    let deadline = Instant::now() + READY_WITHIN;
    let pid = server.child.id();
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = std::fs::read_to_string(server.dir.join("redis.log")).unwrap_or_default();
            if log.contains("Address already in use") {
                return Err(StartError::PortTaken);
            }
            return Err(StartError::Failed(format!(
                "redis-server exited ({status}) on port {}; log:\n{log}",
                server.port
            )));
        }
        if answers_as(server.port, pid) {
            return Ok(());
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(server.dir.join("redis.log")).unwrap_or_default();
            return Err(StartError::Failed(format!("redis-server not ready within {READY_WITHIN:?}; log:\n{log}")));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether the server on `port` answers `PING` and is the process `pid`.
fn answers_as(port: u16, pid: u32) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    if stream.set_read_timeout(Some(Duration::from_secs(2))).is_err() {
        return false;
    }
    let mut request = resp(&["PING"]);
    request.extend(resp(&["INFO", "server"]));
    if stream.write_all(&request).is_err() {
        return false;
    }
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.trim_end() != "+PONG" {
        return false;
    }
    let wanted = format!("process_id:{pid}");
    reader.lines().map_while(Result::ok).take(40).any(|l| l.trim_end() == wanted)
}

/// A command in the RESP wire format.
fn resp(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend(format!("${}\r\n{a}\r\n", a.len()).into_bytes());
    }
    out
}
