//! What a corpus app runs against — a real PostgreSQL database seeded with
//! `tests/corpus/schema.sql`, a real `redis-server` holding the users' preferences and a
//! downstream HTTP service with `/delay/{ms}` — and the app itself, a child process on a
//! free port that is stopped on drop.

use perfhound_testkit::pg as support;
use perfhound_testkit::redis::RedisServer;
use perfhound_testkit::{ServerConfig, TestServer};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// How long an app may take to print its address (a cold Node/Python start on a busy machine).
const APP_START: Duration = Duration::from_secs(90);
/// Users with preferences in redis (the prefs endpoints read users 1 and 2).
const PREF_USERS: u32 = 5;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The servers one app runs against.
pub struct Backends {
    /// The app's database (no TLS): `postgresql://…?sslmode=disable`.
    pub app_db_url: String,
    /// The same database for `perfhound audit` (`audit.db`).
    pub audit_db_url: String,
    pub redis: RedisServer,
    pub downstream: TestServer,
}

impl Backends {
    /// A fresh database `db` (pg_stat_statements + HypoPG) with the corpus schema, a fresh
    /// redis-server with the preferences, a downstream server.
    pub async fn start(db: &str) -> Backends {
        let (url, c) = support::database(db, true).await;
        let schema = std::fs::read_to_string(workspace().join("tests/corpus/schema.sql")).expect("read schema.sql");
        c.batch_execute(&schema).await.unwrap_or_else(|e| panic!("schema.sql: {}", support::pg_error(&e)));
        let redis = RedisServer::start();
        let mut mset = vec!["MSET".to_string()];
        for user in 1..=PREF_USERS {
            for n in 1..=30 {
                mset.extend([format!("user:{user}:pref:{n}"), format!("value-{user}-{n}")]);
            }
        }
        let args: Vec<&str> = mset.iter().map(String::as_str).collect();
        assert_eq!(redis.command(&args), "+OK", "seed redis");
        let app_db_url = format!("{}?sslmode=disable", url.replacen("postgres://", "postgresql://", 1));
        let downstream = TestServer::start(ServerConfig::default());
        Backends { app_db_url, audit_db_url: url, redis, downstream }
    }
}

/// How to run one corpus app.
pub struct AppSpec {
    /// The directory under `tests/corpus/`.
    pub dir: &'static str,
    /// The program and its arguments, run in the app's directory.
    pub command: fn() -> Command,
}

/// A running app: killed (SIGTERM, then SIGKILL) on drop.
pub struct App {
    child: Child,
    pub base_url: String,
}

impl App {
    /// Starts the app with its exporter pointed at `otlp` (`http://127.0.0.1:<port>`) and
    /// waits (bounded) for its `listening on http://…` line.
    pub fn start(spec: &AppSpec, backends: &Backends, otlp: &str) -> App {
        let mut cmd = (spec.command)();
        cmd.current_dir(workspace().join("tests/corpus").join(spec.dir))
            .env("DATABASE_URL", &backends.app_db_url)
            .env("REDIS_URL", backends.redis.url())
            .env("DOWNSTREAM_URL", backends.downstream.base_url())
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp)
            // Export every 200 ms (SDK default 5 s), so the audit's quiet period sees the end.
            .env("OTEL_BSP_SCHEDULE_DELAY", "200")
            .env("PORT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {}: {e} (run tests/corpus/setup.sh)", spec.dir));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let mut app = App { child, base_url: String::new() };
        app.base_url = rx.recv_timeout(APP_START).unwrap_or_else(|e| match e {
            RecvTimeoutError::Timeout => panic!("{} did not print `listening on …` within {APP_START:?}", spec.dir),
            RecvTimeoutError::Disconnected => panic!("{} exited before listening (its stderr is above)", spec.dir),
        });
        app
    }
}

impl App {
    /// The app's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The corpus virtualenv's Python (`tests/corpus/setup.sh`), or `PERFHOUND_CORPUS_PYTHON`.
pub fn python() -> Command {
    let p = std::env::var_os("PERFHOUND_CORPUS_PYTHON")
        .map_or_else(|| workspace().join("target/corpus-venv/bin/python"), PathBuf::from);
    assert!(p.exists(), "{} is missing: run `bash tests/corpus/setup.sh` (python3-venv, PyPI)", p.display());
    let mut c = Command::new(p);
    c.arg("app.py");
    c
}

/// Node with the OpenTelemetry SDK preloaded (`tests/corpus/setup.sh` ran `npm ci`).
pub fn node() -> Command {
    let modules = workspace().join("tests/corpus/express_app/node_modules");
    assert!(Path::new(&modules).exists(), "{} is missing: run `bash tests/corpus/setup.sh`", modules.display());
    let mut c = Command::new("node");
    c.args(["--require", "./telemetry.js", "app.js"]);
    c
}
