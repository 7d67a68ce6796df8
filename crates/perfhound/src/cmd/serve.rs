//! `perfhound serve`: the dashboard over the run store, with the OTLP receiver and
//! Prometheus `/metrics` on the same server; `load --serve` starts it for a live view.

use crate::exit;
use anyhow::{bail, Context as _};
use clap::Args;
use perfhound_server::dashboard::{self, Dashboard, Live};
use std::net::SocketAddr;
use std::sync::Arc;

const EXAMPLES: &str = "Examples:
  perfhound serve                                   http://127.0.0.1:8090/ over .perfhound/history.db
  perfhound serve --store postgres://perf@127.0.0.1/perfhound
  perfhound serve --listen 0.0.0.0:8090 --token \"$PERFHOUND_SERVE_TOKEN\"   beyond loopback: a token is required
  perfhound load http://127.0.0.1:8080/ -d 1m --serve                        a live view while the load runs

Pages: / (runs) · /trends (p50/p95/p99 per endpoint, change points) · /findings · /compare ·
/runs/ID (the full report) · /live. Also POST /v1/traces (OTLP/HTTP) and GET /metrics.
Exit codes: 0 stopped with Ctrl-C · 2 cannot bind, no token for a non-loopback address, bad store.";

/// Serve the history dashboard, the OTLP receiver and Prometheus /metrics.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,
    /// Token clients must present (default: $PERFHOUND_SERVE_TOKEN); required when
    /// --listen is not a loopback address.
    #[arg(long)]
    token: Option<String>,
    /// Run store: a SQLite file or a postgres://… URL [default: $PERFHOUND_STORE, else
    /// .perfhound/history.db in the project].
    #[arg(long, value_name = "PATH|URL")]
    store: Option<String>,
}

pub fn run(args: ServeArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &ServeArgs) -> anyhow::Result<i32> {
    let token = args.token.clone().or_else(|| std::env::var("PERFHOUND_SERVE_TOKEN").ok()).filter(|t| !t.is_empty());
    let addr = check_listen(&args.listen, token.as_deref())?;
    let location = super::store::location(args.store.as_deref());
    // Fail now on a store that cannot be opened (or is newer), not on the first page view.
    perfhound_store::Store::open(&location)?;
    let d = dashboard_for(location, token, Arc::new(Live::default()));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let receiver = Arc::clone(&d.receiver);
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("--listen {addr}: cannot bind"))?;
        let local = listener.local_addr()?;
        perfhound_term::eprint(&format!(
            "perfhound serve: dashboard on http://{local}/ (store {}); OTLP/HTTP on /v1/traces, Prometheus on /metrics. Ctrl-C to stop.\n",
            d.store.describe()
        ));
        dashboard::serve(listener, d, super::traces::shutdown_signal()).await.context("the server failed")
    })?;
    save_received_traces(&receiver, args.store.as_deref());
    Ok(exit::OK)
}

/// The address, refusing a non-loopback one without a token.
pub fn check_listen(listen: &str, token: Option<&str>) -> anyhow::Result<SocketAddr> {
    let addr: SocketAddr =
        listen.parse().with_context(|| format!("--listen `{listen}`: expected an address like 127.0.0.1:8090"))?;
    if !addr.ip().is_loopback() && token.is_none_or(|t| t.trim().len() < 16) {
        bail!(
            "--listen {addr} is reachable from other machines: pass --token (at least 16 characters) \
             or set PERFHOUND_SERVE_TOKEN, or listen on 127.0.0.1"
        );
    }
    Ok(addr)
}

/// A dashboard over `location` with a fresh OTLP receiver.
pub fn dashboard_for(location: perfhound_store::Location, token: Option<String>, live: Arc<Live>) -> Arc<Dashboard> {
    let on_finding = Box::new(|_: &perfhound_model::Finding| {});
    let receiver = perfhound_server::State::new(Default::default(), Default::default(), on_finding);
    Arc::new(Dashboard { store: location, token, live, receiver })
}

/// Traces received while serving become a run in the store (like `traces --listen`).
fn save_received_traces(receiver: &perfhound_server::State, store: Option<&str>) {
    if receiver.metrics.spans_received.get() == 0 {
        return;
    }
    let meta = perfhound_traces::RunMeta {
        command: super::recorded_command(),
        sources: vec!["OTLP/HTTP receiver of perfhound serve".into()],
        ..Default::default()
    };
    let mut run = receiver.finish(meta);
    run.redact_secrets();
    let flags = super::store::StoreArgs { store: store.map(str::to_string), ..Default::default() };
    flags.save("traces", &run);
}

/// A dashboard server on its own thread for `load --serve`; returns its address.
pub fn spawn_live(listen: &str, live: Arc<Live>, store: Option<&str>) -> anyhow::Result<SocketAddr> {
    let addr = check_listen(listen, None)?;
    let d = dashboard_for(super::store::location(store), None, live);
    let std_listener = std::net::TcpListener::bind(addr).with_context(|| format!("--serve {addr}: cannot bind"))?;
    std_listener.set_nonblocking(true)?;
    let local = std_listener.local_addr()?;
    std::thread::Builder::new().name("perfhound-serve".into()).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() else { return };
        rt.block_on(async move {
            if let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) {
                let _ = dashboard::serve(listener, d, std::future::pending()).await;
            }
        });
    })?;
    Ok(local)
}
