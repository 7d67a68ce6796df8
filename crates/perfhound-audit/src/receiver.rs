//! perfhound's OTLP/HTTP receiver run in the background for the length of a load.

use crate::database::SeenStatement;
use crate::error::AuditError;
use perfhound_model::Run;
use perfhound_server::{ReceiverConfig, State};
use perfhound_traces::engine::TraceNamer;
use perfhound_traces::RunMeta;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct Receiver {
    pub addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Binds `listen` and serves on a thread of its own until [`Receiver::finish`].
    pub fn start(listen: &str, detectors: perfhound_traces::Config) -> Result<Receiver, AuditError> {
        let err = |e: std::io::Error| AuditError::Listen { addr: listen.to_string(), message: e.to_string() };
        let std_listener = std::net::TcpListener::bind(listen).map_err(err)?;
        std_listener.set_nonblocking(true).map_err(err)?;
        let addr = std_listener.local_addr().map_err(err)?;
        let state = State::new(ReceiverConfig::default(), detectors, Box::new(|_| {}));
        let served = Arc::clone(&state);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(err)?;
        let thread = std::thread::Builder::new()
            .name("perfhound-otlp".into())
            .spawn(move || {
                rt.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else { return };
                    let shutdown = async move {
                        let _ = stopped.await;
                    };
                    let _ = perfhound_server::serve(listener, served, shutdown).await;
                });
            })
            .map_err(err)?;
        Ok(Receiver { addr, state, stop: Some(stop), thread: Some(thread) })
    }

    /// The URL an OTLP/HTTP exporter sends traces to.
    pub fn traces_url(&self) -> String {
        format!("http://{}/v1/traces", self.addr)
    }

    pub fn set_namer(&self, namer: TraceNamer) {
        self.state.set_namer(namer);
    }

    pub fn spans_received(&self) -> u64 {
        self.state.metrics.spans_received.get()
    }

    /// Waits until no span arrived for `quiet` (exporters batch every few seconds), at
    /// most `max`. Returns the spans received.
    pub fn settle(&self, quiet: Duration, max: Duration) -> u64 {
        let deadline = Instant::now() + max;
        let mut last = self.spans_received();
        let mut last_change = Instant::now();
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            let now = self.spans_received();
            if now != last {
                last = now;
                last_change = Instant::now();
            } else if last_change.elapsed() >= quiet {
                break;
            }
        }
        last
    }

    /// Analyzes the buffered traces, then reads what was measured so far (cumulative: a
    /// capacity step takes the difference).
    pub fn flush_with<R>(&self, f: impl FnOnce(&perfhound_traces::measure::Measure) -> R) -> R {
        self.state.flush();
        self.state.with_measure(f)
    }

    /// Starts keeping the DB spans' `(start_ns, end_ns)`; [`Receiver::take_db_intervals`]
    /// returns those analyzed since the last call.
    pub fn keep_db_intervals(&self) {
        self.state.with_measure_mut(|m| m.db_intervals = Some(Vec::new()));
    }

    /// Analyzes the buffered traces and takes the DB span intervals kept so far.
    pub fn take_db_intervals(&self) -> Vec<(u64, u64)> {
        self.state.flush();
        self.state.with_measure_mut(|m| m.db_intervals.as_mut().map(std::mem::take).unwrap_or_default())
    }

    /// Stops serving, analyzes every buffered trace and returns the traces run (with what
    /// a cache would save on repeated reads) and the statements the traces recorded.
    pub fn finish(mut self, meta: RunMeta) -> (Run, Vec<SeenStatement>) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let mut run = self.state.finish(meta);
        run.findings
            .extend(self.state.with_measure(|m| crate::read_cache::findings(m, crate::read_cache::Traffic::OwnLoad)));
        let seen = self
            .state
            .query_summaries()
            .into_iter()
            .map(|q| SeenStatement {
                sql: if q.example.is_empty() { q.label.to_string() } else { q.example.into() },
                calls: q.calls,
                total_us: q.total_us,
                endpoint: q.endpoint.map(|e| e.to_string()),
            })
            .collect();
        (run, seen)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
