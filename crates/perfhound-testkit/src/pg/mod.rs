//! Real PostgreSQL servers for any crate's tests (feature `postgres`), started once per test
//! binary, one database per test.
//!
//! The servers come from the Debian packages (`/usr/lib/postgresql/<v>/bin`, or
//! `PERFHOUND_PG_BIN`): `initdb` into a fresh directory under the temp dir, `postgres` on a
//! free port on 127.0.0.1 with `pg_stat_statements` preloaded. As root they run as the
//! `postgres` user (the server refuses to run as root). Readiness is a bounded `pg_isready`
//! poll, never a sleep. The servers die with the test binary: an `atexit` hook asks for a
//! fast shutdown and removes the directories, and the parent-death signal covers a killed
//! binary. Tests get their own database with `pg_stat_statements` and `hypopg` created.
//!
//! - [`server`]: the main server, with `ssl = on` (a certificate from a test CA made with
//!   rcgen, see [`certs`]) and a SCRAM-only role over TLS ([`SCRAM_USER`]).
//! - [`log_server`]: a server that logs every statement with its duration
//!   (`log_min_duration_statement = 0`) through the logging collector into stderr, csvlog
//!   and jsonlog files in its directory, with a non-default `log_line_prefix`; TLS off.
//!
//! Use it as `use perfhound_testkit::pg as support;` (what perfhound-db's tests call it).

pub mod certs;
pub mod seed;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};
use tokio_postgres::{Client, NoTls};

/// A role that may only log in with SCRAM-SHA-256 over TLS (main server).
pub const SCRAM_USER: &str = "perfhound_scram";
pub const SCRAM_PASSWORD: &str = "scram-secret";

/// The log files of [`log_server`], in its directory.
pub const LOG_FILES: [&str; 3] = ["log/postgresql.log", "log/postgresql.csv", "log/postgresql.json"];

/// A running server.
pub struct Server {
    pub port: u16,
    pub dir: PathBuf,
    pub bin: PathBuf,
    pub version: u32,
    /// The certificates when the server has `ssl = on`.
    pub certs: Option<certs::Certs>,
}

static SERVER: OnceLock<Server> = OnceLock::new();
static LOG_SERVER: OnceLock<Server> = OnceLock::new();
static SMALL_SERVER: OnceLock<Server> = OnceLock::new();
static STOP: Mutex<Vec<(i32, PathBuf)>> = Mutex::new(Vec::new());
static AT_EXIT: Once = Once::new();

/// What differs between the servers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Main,
    Logging,
    /// `max_connections` = [`SMALL_MAX_CONNECTIONS`], no TLS.
    Small,
}

/// `max_connections` of [`small_server`].
pub const SMALL_MAX_CONNECTIONS: u32 = 12;

/// The shared server (TLS on), started on first use.
pub fn server() -> &'static Server {
    SERVER.get_or_init(|| start(Kind::Main))
}

/// The statement-logging server, started on first use.
pub fn log_server() -> &'static Server {
    LOG_SERVER.get_or_init(|| start(Kind::Logging))
}

/// A server with a small `max_connections` ([`SMALL_MAX_CONNECTIONS`]), started on first
/// use: tests that run it out of connections do not starve the shared one.
pub fn small_server() -> &'static Server {
    SMALL_SERVER.get_or_init(|| start(Kind::Small))
}

/// The newest Debian PostgreSQL with initdb, or `PERFHOUND_PG_BIN`.
fn find_bin() -> (PathBuf, u32) {
    if let Ok(dir) = std::env::var("PERFHOUND_PG_BIN") {
        return (PathBuf::from(dir), 0);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    let (v, bin) = found.pop().expect(
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: \
         apt-get install postgresql postgresql-contrib postgresql-15-hypopg (or set PERFHOUND_PG_BIN)",
    );
    (bin, v)
}

/// The unprivileged account to run the server as when we are root.
fn server_account() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    for name in [c"postgres", c"nobody"] {
        // SAFETY: a valid NUL-terminated name; the returned record is read immediately.
        let pw = unsafe { libc::getpwnam(name.as_ptr()) };
        if !pw.is_null() {
            // SAFETY: non-null pointer returned by getpwnam.
            return Some(unsafe { ((*pw).pw_uid, (*pw).pw_gid) });
        }
    }
    panic!("running as root but neither a `postgres` nor a `nobody` account exists to run PostgreSQL");
}

fn as_account(cmd: &mut Command, account: Option<(u32, u32)>) -> &mut Command {
    if let Some((uid, gid)) = account {
        cmd.uid(uid).gid(gid);
    }
    cmd
}

fn start(kind: Kind) -> Server {
    let (bin, version) = find_bin();
    let account = server_account();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    let label = match kind {
        Kind::Main => "main",
        Kind::Logging => "logging",
        Kind::Small => "small",
    };
    let dir = std::env::temp_dir().join(format!("perfhound-pg-{}-{label}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create server dir");
    if let Some((uid, gid)) = account {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown server dir");
    }
    let data = dir.join("data");
    let out = as_account(&mut Command::new(bin.join("initdb")), account)
        .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
        .arg(&data)
        .current_dir(&dir)
        .output()
        .expect("run initdb");
    assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
    let (settings, certs) = match kind {
        Kind::Main => {
            let certs = certs::write(&dir, account);
            require_scram_over_tls(&data);
            (tls_settings(&certs), Some(certs))
        }
        Kind::Logging => (logging_settings(&dir), None),
        Kind::Small => (vec![format!("max_connections={SMALL_MAX_CONNECTIONS}")], None),
    };
    let (port, pid) = listen_on_a_free_port(&bin, &dir, &data, account, &settings);
    STOP.lock().unwrap_or_else(|e| e.into_inner()).push((pid, dir.clone()));
    // SAFETY: registering a plain extern "C" function, once.
    AT_EXIT.call_once(|| unsafe {
        libc::atexit(stop_at_exit);
    });
    let server = Server { port, dir, bin, version, certs };
    if server.certs.is_some() {
        create_scram_user(&server);
    }
    server
}

/// How many ports are tried when the chosen one turns out to be taken.
const PORT_ATTEMPTS: usize = 5;

/// Starts `postgres` on a free port and waits until it accepts connections. A port taken
/// between choosing and binding makes the server exit ("could not bind"): that is detected
/// and retried on another port, never raced silently.
fn listen_on_a_free_port(
    bin: &Path,
    dir: &Path,
    data: &Path,
    account: Option<(u32, u32)>,
    settings: &[String],
) -> (u16, i32) {
    for _ in 0..PORT_ATTEMPTS {
        let port = crate::free_port();
        let pid = spawn_postgres(bin, dir, data, port, account, settings);
        if wait_ready(bin, dir, port, pid) {
            return (port, pid);
        }
    }
    panic!("PostgreSQL did not start: the chosen port was taken {PORT_ATTEMPTS} times");
}

fn tls_settings(c: &certs::Certs) -> Vec<String> {
    vec![
        "ssl=on".into(),
        format!("ssl_cert_file={}", c.server_cert.display()),
        format!("ssl_key_file={}", c.server_key.display()),
    ]
}

fn logging_settings(dir: &Path) -> Vec<String> {
    [
        "logging_collector=on",
        "log_destination=stderr,csvlog,jsonlog",
        "log_filename=postgresql.log",
        "log_rotation_age=0",
        "log_rotation_size=0",
        "log_min_duration_statement=0",
        "log_line_prefix=%m [%p] %q%u@%d ",
        "lc_messages=C",
        "shared_buffers=32MB",
    ]
    .map(String::from)
    .into_iter()
    .chain([format!("log_directory={}", dir.join("log").display())])
    .collect()
}

/// `SCRAM_USER` may only log in over TLS with SCRAM (so channel binding is exercised).
fn require_scram_over_tls(data: &Path) {
    let hba = data.join("pg_hba.conf");
    let rest = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
    let rules = format!(
        "hostssl all {SCRAM_USER} 127.0.0.1/32 scram-sha-256\nhost all {SCRAM_USER} 127.0.0.1/32 reject\n{rest}"
    );
    std::fs::write(&hba, rules).expect("write pg_hba.conf");
}

fn create_scram_user(s: &Server) {
    let psql = s.bin.join("psql");
    let sql = format!("CREATE ROLE {SCRAM_USER} LOGIN PASSWORD '{SCRAM_PASSWORD}'");
    let out = Command::new(psql)
        .args([
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            &s.port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            &sql,
        ])
        .env("PGSSLMODE", "disable")
        .output()
        .expect("run psql");
    assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Starts `postgres` from a thread that lives as long as the server (the parent-death
/// signal is tied to the spawning thread) and returns its pid.
fn spawn_postgres(
    bin: &Path,
    dir: &Path,
    data: &Path,
    port: u16,
    account: Option<(u32, u32)>,
    settings: &[String],
) -> i32 {
    let log = std::fs::File::create(dir.join("server.log")).expect("create server log");
    let mut cmd = Command::new(bin.join("postgres"));
    as_account(&mut cmd, account)
        .arg("-D")
        .arg(data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(dir)
        .args(["-c", "listen_addresses=127.0.0.1", "-c", "shared_preload_libraries=pg_stat_statements"])
        .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
        .args(["-c", "max_connections=60", "-c", "shared_buffers=128MB", "-c", "max_prepared_transactions=0"])
        .args(settings.iter().flat_map(|s| ["-c", s.as_str()]))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone log"))
        .stderr(log);
    // SAFETY: prctl is async-signal-safe; it runs in the child after fork, after setuid.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
            Ok(())
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("postgres-server".into())
        .spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                tx.send(Ok(child.id() as i32)).ok();
                let _ = child.wait();
            }
            Err(e) => {
                tx.send(Err(e.to_string())).ok();
            }
        })
        .expect("spawn server thread");
    rx.recv().expect("server thread").unwrap_or_else(|e| panic!("cannot start postgres: {e}"))
}

/// Polls `pg_isready` until the server accepts connections (bounded: 60 s). Returns false
/// when the server exited because its port was taken; panics with the log otherwise.
fn wait_ready(bin: &Path, dir: &Path, port: u16, pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    let log = || std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    loop {
        let ok = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-t", "1"])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return true;
        }
        // SAFETY: signal 0 only checks that our child still exists.
        if unsafe { libc::kill(pid, 0) } != 0 {
            let log = log();
            if log.contains("could not bind") || log.contains("already in use") {
                return false;
            }
            panic!("PostgreSQL exited before accepting connections; server log:\n{log}");
        }
        if Instant::now() > deadline {
            panic!("PostgreSQL did not become ready within 60 s; server log:\n{}", log());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

extern "C" fn stop_at_exit() {
    let Ok(servers) = STOP.try_lock() else { return };
    for (pid, _) in servers.iter() {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(*pid, libc::SIGINT) };
    }
    for (_, dir) in servers.iter() {
        let pidfile = dir.join("data").join("postmaster.pid");
        let deadline = Instant::now() + Duration::from_secs(20);
        while pidfile.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

impl Server {
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a fresh database `name` with pg_stat_statements (and HypoPG when `hypopg`)
    /// and returns its URL and a setup connection.
    pub async fn database(&self, name: &str, hypopg: bool) -> (String, Client) {
        let root = admin(&self.url("postgres")).await;
        for sql in [format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), format!("CREATE DATABASE {name}")] {
            root.batch_execute(&sql).await.unwrap_or_else(|e| panic!("{sql}: {}", pg_error(&e)));
        }
        let url = self.url(name);
        let c = admin(&url).await;
        c.batch_execute("CREATE EXTENSION pg_stat_statements").await.expect("create pg_stat_statements");
        if hypopg {
            c.batch_execute("CREATE EXTENSION hypopg")
                .await
                .expect("create hypopg (apt-get install postgresql-15-hypopg)");
        }
        (url, c)
    }

    /// A file in the server's directory (e.g. one of [`LOG_FILES`]).
    pub fn file(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }
}

/// Waits (bounded: 60 s) until the logging collector has written a line containing
/// `needle` to `path`: the collector writes asynchronously, so a marker statement run
/// after the workload is the readiness signal, like `pg_isready` for the server.
pub fn wait_for_log(path: &Path, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if std::fs::read(path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes())) {
            return;
        }
        assert!(Instant::now() < deadline, "{needle:?} never reached {}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A writable superuser connection (setup only; the code under test uses its own).
pub async fn admin(url: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.unwrap_or_else(|e| panic!("connect {url}: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// Creates a fresh database `name` on the main server (see [`Server::database`]).
pub async fn database(name: &str, hypopg: bool) -> (String, Client) {
    server().database(name, hypopg).await
}

/// The server's message for a failed statement.
pub fn pg_error(e: &tokio_postgres::Error) -> String {
    e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())
}

/// Makes the session's pending table/index statistics visible to other sessions now
/// (PostgreSQL 15+ flushes them lazily).
pub async fn flush_stats(c: &Client) {
    c.batch_execute("SELECT pg_stat_force_next_flush()").await.expect("force stats flush");
    c.batch_execute("SELECT 1").await.expect("idle point after flush");
}
