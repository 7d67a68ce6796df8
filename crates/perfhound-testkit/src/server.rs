//! [`TestServer`]: binds 127.0.0.1:0, runs the accept loop on its own tokio runtime thread, shuts down on drop.

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::config::ServerConfig;
use crate::conn::{handle_connection, tls_material};
use crate::stats::{Stats, StatsRecorder};
use crate::timer::PreciseTimer;

/// How long `Drop` waits for the server thread; past that the thread is detached.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);
/// How long the runtime gives in-flight tasks to finish after the accept loop stopped.
const RUNTIME_SHUTDOWN: Duration = Duration::from_secs(2);

/// State shared by the accept loop, the connections and the handlers.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    /// The server's start instant; stall windows are measured from here.
    pub(crate) started: Instant,
    pub(crate) stats: StatsRecorder,
    /// Sub-millisecond sleeps for delays and stalls.
    pub(crate) timer: PreciseTimer,
    /// [`ServerConfig::workers`]: permits handed out first come, first served.
    pub(crate) workers: Option<tokio::sync::Semaphore>,
    logins: AtomicU64,
    tokens: Mutex<HashSet<String>>,
}

impl Shared {
    /// Issues `tok-<n>` (n = 1, 2, …) and remembers it for `/need-token`.
    pub(crate) fn issue_token(&self) -> String {
        let token = format!("tok-{}", self.logins.fetch_add(1, Ordering::SeqCst) + 1);
        self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(token.clone());
        token
    }

    pub(crate) fn token_is_valid(&self, token: &str) -> bool {
        self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(token)
    }
}

/// A real HTTP server on `127.0.0.1:<ephemeral port>` for integration tests.
///
/// Serves HTTP/1.1 and h2c (prior knowledge) on the same port, or HTTPS with ALPN `h2`/`http/1.1` when
/// [`ServerConfig::tls`] is set. It runs on a dedicated thread with its own two-worker tokio runtime, so it can
/// be used from plain `#[test]`s and from `#[tokio::test]`s alike. Dropping it stops the server.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    cert: Option<(CertificateDer<'static>, String)>,
    started_at: std::time::Instant,
    shutdown: Option<oneshot::Sender<()>>,
    finished: mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server and returns once it is listening. Panics if it cannot start (test helper).
    pub fn start(config: ServerConfig) -> TestServer {
        Self::try_start(config).unwrap_or_else(|err| panic!("perfhound-testkit: cannot start test server: {err}"))
    }

    /// Starts a server and returns once it is listening.
    pub fn try_start(config: ServerConfig) -> io::Result<TestServer> {
        config.validate().map_err(|msg| io::Error::new(io::ErrorKind::InvalidInput, msg))?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let tls = if config.tls { Some(tls_material(&config)?) } else { None };
        let cert = tls.as_ref().map(|m| (m.cert_der.clone(), m.cert_pem.clone()));
        let acceptor = tls.map(|m| m.acceptor);
        let started_at = std::time::Instant::now();
        let workers = config.workers.map(tokio::sync::Semaphore::new);
        let shared = Arc::new(Shared {
            config,
            started: Instant::from_std(started_at),
            stats: StatsRecorder::default(),
            timer: PreciseTimer::start(format!("perfhound-testkit-timer-{}", addr.port()))?,
            workers,
            logins: AtomicU64::new(0),
            tokens: Mutex::new(HashSet::new()),
        });
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = mpsc::channel::<io::Result<()>>();
        let (finished_tx, finished) = mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let thread =
            std::thread::Builder::new().name(format!("perfhound-testkit-{}", addr.port())).spawn(move || {
                run_server(listener, thread_shared, acceptor, shutdown_rx, ready_tx);
                let _ = finished_tx.send(());
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(err)) => return Err(err),
            Err(_) => return Err(io::Error::other("test server thread exited before listening")),
        }
        Ok(TestServer { addr, shared, cert, started_at, shutdown: Some(shutdown_tx), finished, thread: Some(thread) })
    }

    /// The listening address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` for TLS servers (the certificate names both).
    pub fn base_url(&self) -> String {
        if self.is_tls() {
            format!("https://localhost:{}", self.addr.port())
        } else {
            format!("http://{}", self.addr)
        }
    }

    /// `base_url()` followed by `path_and_query` (which should start with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base_url(), path_and_query)
    }

    /// Whether this server speaks HTTPS.
    pub fn is_tls(&self) -> bool {
        self.cert.is_some()
    }

    /// The self-signed certificate (DER) of a TLS server, to add as a trusted root in clients.
    pub fn cert_der(&self) -> Option<CertificateDer<'static>> {
        self.cert.as_ref().map(|(der, _)| der.clone())
    }

    /// The self-signed certificate of a TLS server in PEM form (e.g. to write a CA file for a CLI under test).
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert.as_ref().map(|(_, pem)| pem.as_str())
    }

    /// The configuration the server was started with.
    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// The server's start instant: [`crate::Stall`] windows are measured from here.
    pub fn started_at(&self) -> std::time::Instant {
        self.started_at
    }

    /// A snapshot of the server's counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }
}

impl fmt::Debug for TestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer").field("base_url", &self.base_url()).field("config", &self.shared.config).finish()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // Bounded: join only once the thread said it is done; otherwise leave it detached.
            if self.finished.recv_timeout(SHUTDOWN_WAIT).is_ok() {
                let _ = thread.join();
            }
        }
    }
}

/// Body of the server thread: builds the runtime, reports readiness, runs the accept loop until shutdown.
fn run_server(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    acceptor: Option<TlsAcceptor>,
    shutdown: oneshot::Receiver<()>,
    ready: mpsc::Sender<io::Result<()>>,
) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("perfhound-testkit-worker")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = ready.send(Err(err));
            return;
        }
    };
    runtime.block_on(async move {
        let listener = match TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(err) => {
                let _ = ready.send(Err(err));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        accept_loop(listener, shared, acceptor, shutdown).await;
    });
    // Drops every connection task still running (their sockets close) within a bounded time.
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    acceptor: Option<TlsAcceptor>,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    shared.stats.record_accept();
                    tokio::spawn(handle_connection(Arc::clone(&shared), stream, acceptor.clone()));
                }
                // Typically EMFILE under heavy load: back off briefly instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
}
