//! perfhound's demo service: a real HTTP service (axum) over an embedded SQLite shop
//! database, instrumented with the OpenTelemetry SDK, whose endpoints carry the seeds'
//! "before" examples as planted bottlenecks — or, in [`Mode::Fixed`], their fixes.
//!
//! `perfhound demo` starts it in-process with [`start`], load-tests it with the scenario
//! from [`scenario_yaml`] while perfhound's own OTLP receiver collects its traces, stops it
//! with [`DemoServer::shutdown`] (which delivers every span), and checks the analysis
//! against [`PLANTED`].
//!
//! | endpoint | `Before` | `Fixed` |
//! |---|---|---|
//! | `GET /api/users/{id}/orders` | one items query per order (N+1) | one `IN (...)` query for all items |
//! | `GET /api/orders/search?product_id=` | full scan: `order_items.product_id` has no index | same SQL, index created at start |
//! | `GET /api/dashboard` | four downstream calls one after another | the four calls concurrently |
//! | `GET /api/products/export` | ~450 KB JSON, never compressed | gzip when accepted |
//! | `GET /api/reports/sales-summary` | aggregation recomputed per request | TTL cache |
//! | `POST /api/events/import` | one INSERT (one commit) per row | multi-row INSERT, one transaction |
//! | `GET /api/products/{id}/similar?items=` | seed 002's O(n²) `find_similar_products` | one score per candidate, one sort |
//!
//! Responses are identical in both modes (the tests check it); only the time they take differs.

mod client;
pub mod db;
mod endpoints;
mod otlp_http;
pub mod planted;
pub mod scenario;
pub mod seed;
pub mod telemetry;

pub use db::SeedReport;
/// The dashboard's downstream services: route and simulated latency.
pub use endpoints::dashboard::DOWNSTREAM;
pub use endpoints::gunzip;
/// The planted unindexed filter's SQL (the same text in both modes).
pub use endpoints::orders::ORDERS_WITH_PRODUCT as SEARCH_SQL;
pub use planted::{complexity_sizes, Planted, COMPLEXITY_URL_PATH, PLANTED, TRACES_CONFIG_YAML};
pub use scenario::scenario_yaml;
pub use seed::RowCounts;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use telemetry::Telemetry;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Which version of the endpoints runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The planted bottlenecks.
    Before,
    /// The optimized versions.
    Fixed,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Before => "before",
            Mode::Fixed => "fixed",
        }
    }
}

/// How to start the demo.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    pub mode: Mode,
    /// The SQLite file; seeded when missing or of another schema version, reused otherwise.
    pub db_path: PathBuf,
    /// Full OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`; `None` exports nothing.
    pub otlp_endpoint: Option<String>,
    /// `service.name` of the exported spans.
    pub service_name: String,
    /// Address to listen on (default `127.0.0.1:0`: a free loopback port).
    pub bind: SocketAddr,
    /// Simulated network round trip per SQL statement (default 1 ms; see [`db`]).
    pub db_round_trip: Duration,
    /// Pooled SQLite connections (default 4: about the cores of a small machine; more
    /// threads running queries at once only queue for the CPU inside their spans).
    pub db_connections: usize,
}

impl DemoConfig {
    pub fn new(mode: Mode, db_path: impl Into<PathBuf>) -> DemoConfig {
        DemoConfig {
            mode,
            db_path: db_path.into(),
            otlp_endpoint: None,
            service_name: "perfhound-demo".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_round_trip: Duration::from_millis(1),
            db_connections: 4,
        }
    }
}

/// Why the demo could not start or stop.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("demo I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("OpenTelemetry: {0}")]
    Telemetry(String),
    #[error("downstream call failed: {0}")]
    Downstream(String),
    #[error("background task failed: {0}")]
    Task(String),
}

/// A running demo service.
pub struct DemoServer {
    /// Where it listens (`http://{addr}`).
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    pub mode: Mode,
    /// Whether the database was seeded or reused, and its row counts.
    pub seed: SeedReport,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    tel: Telemetry,
}

impl DemoServer {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets in-flight requests finish, then flushes and stops
    /// the OpenTelemetry exporter: when this returns, every span has been delivered.
    pub async fn shutdown(mut self) -> Result<(), DemoError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.map_err(|e| DemoError::Task(e.to_string()))??;
        }
        let tel = self.tel.clone();
        tokio::task::spawn_blocking(move || tel.shutdown()).await.map_err(|e| DemoError::Task(e.to_string()))?
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, DemoError> + Send + 'static,
) -> Result<T, DemoError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| DemoError::Task(e.to_string()))?
}

/// Seeds (or reuses) the database, prepares it for `cfg.mode`, and serves until
/// [`DemoServer::shutdown`].
pub async fn start(cfg: DemoConfig) -> Result<DemoServer, DemoError> {
    let path = cfg.db_path.clone();
    let mode = cfg.mode;
    let (seed, snapshot) = blocking(move || {
        let seed = db::prepare_database(&path)?;
        db::prepare_mode(&path, mode)?;
        let conn = rusqlite::Connection::open(&path)?;
        let snapshot = endpoints::Snapshot::read(&conn)?;
        Ok((seed, snapshot))
    })
    .await?;
    let listener = tokio::net::TcpListener::bind(cfg.bind).await?;
    let addr = listener.local_addr()?;
    let tel = Telemetry::new(&cfg.service_name, cfg.otlp_endpoint.as_deref())?;
    let db = Arc::new(db::Db::open(&cfg.db_path, cfg.db_connections, tel.clone(), cfg.db_round_trip)?);
    let app = Arc::new(endpoints::App::new(cfg.mode, db, tel.clone(), addr, snapshot));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, endpoints::router(app))
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(DemoServer { addr, db_path: cfg.db_path, mode: cfg.mode, seed, stop: Some(stop), task: Some(task), tel })
}

/// Seeds (or reuses) a database file without starting the service. Blocking.
pub fn prepare_database(path: &Path) -> Result<SeedReport, DemoError> {
    db::prepare_database(path)
}
