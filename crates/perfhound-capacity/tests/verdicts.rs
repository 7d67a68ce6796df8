//! "What saturates first" against real servers whose limit is known by construction (the
//! SLOs are loose, p99 < 2 s: on the shared machine a stray slow second must not end a
//! search before the service is at its limit):
//! - a CPU-bound service (`tests/servers/cpu_server.py`: 10 ms of CPU per request on one
//!   worker thread, watched with `--watch-pid`) — the verdict names the service's CPU, and
//!   its CPU demand (on a CPU or waiting for one) is one thread's worth, whatever share of
//!   the shared machine it gets;
//! - a service opening a PostgreSQL connection per request against a server started with
//!   `max_connections` = 12 (the testkit's small server) — the verdict names the
//!   connections against `max_connections`.

mod common;

use perfhound_capacity::watch::Watchers;
use perfhound_capacity::{CapacityConfig, Search};
use perfhound_model::CapacitySection;
use perfhound_testkit::pg;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn config(url: String, slo: &[&str], search: Search) -> CapacityConfig {
    let plan = common::get_plan(url, Duration::from_secs(60));
    let slo: Vec<String> = slo.iter().map(|s| s.to_string()).collect();
    CapacityConfig {
        plan,
        slo: perfhound_capacity::config::parse_slo(&slo).unwrap(),
        search,
        watch_pid: None,
        db: None,
        traces_listen: None,
        hold: None,
        soak: None,
        threads: None,
    }
}

fn search(cfg: &CapacityConfig, watchers: &mut Watchers) -> CapacitySection {
    let mut lines = String::new();
    let mut on_step = |s: &perfhound_model::CapacityStep| lines.push_str(&perfhound_capacity::output::step_line(s));
    let out = perfhound_capacity::run(cfg, watchers, &mut on_step, Vec::new()).unwrap();
    let c = *out.run.load.unwrap().capacity.unwrap();
    eprintln!("{lines}{}", perfhound_capacity::output::summary(&c));
    c
}

/// The Python server; killed (by its own id) when dropped.
struct Python(Child, u16);

impl Python {
    fn start(script: &str, args: &[&str]) -> Python {
        let path = format!("{}/tests/servers/{script}", env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new("python3")
            .arg(path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 (Debian package python3, see test.sh)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        Python(child, port)
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_cpu_bound_service_is_named_by_its_cpu() {
    let server = Python::start("cpu_server.py", &["10"]);
    let s = Search {
        start_rps: 5.0,
        max_rps: 400.0,
        step: Duration::from_secs(3),
        max_time: Duration::from_secs(120),
        precision: 0.1,
        max_refine: 2,
        max_vus: 200,
        timeout: Duration::from_secs(5),
        ..Search::default()
    };
    let mut cfg = config(format!("http://127.0.0.1:{}/", server.1), &["p99 < 2s", "error_rate < 1%"], s);
    cfg.watch_pid = Some(server.0.id());
    let c = search(&cfg, &mut Watchers::default());
    let first = c.saturation.first().expect("a component saturated");
    assert_eq!(first.component, "service CPU", "{:#?}", c.saturation);
    // One worker thread: its demand at the plateau is one core's worth, whatever share of
    // the shared machine it got.
    let top =
        c.steps.iter().filter(|s| s.target_cpu_pct.is_some()).max_by(|a, b| a.offered_rps.total_cmp(&b.offered_rps));
    let top = top.expect("CPU was watched");
    let demand = top.target_cpu_pct.unwrap() + top.target_cpu_wait_pct.expect("run-queue wait was read");
    assert!((70.0..=140.0).contains(&demand), "one thread's demand: {demand}% of a core ({top:?})");
    let max = c.max_sustainable_rps.expect("a step met the SLO");
    assert!(max <= 110.0, "10 ms of CPU a request on one thread: at most 100 req/s, found {max}");
}

/// Serves HTTP/1.1 keep-alive `GET`s; each request opens its own PostgreSQL connection
/// (no pool) and holds it for `pg_sleep(0.2)`.
async fn serve_connection(mut socket: tokio::net::TcpStream, url: String) {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        buf.drain(..end);
        let ok = match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
            Ok((client, conn)) => {
                let conn = tokio::spawn(conn);
                let ok = client.simple_query("SELECT pg_sleep(0.2)").await.is_ok();
                drop(client);
                let _ = conn.await;
                ok
            }
            Err(_) => false,
        };
        let response: &[u8] = if ok {
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        } else {
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\ndb"
        };
        if socket.write_all(response).await.is_err() {
            return;
        }
    }
}

fn start_service(url: String) -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let Ok((socket, _)) = listener.accept().await else { continue };
                tokio::spawn(serve_connection(socket, url.clone()));
            }
        });
    });
    rx.recv().expect("the service started")
}

#[test]
fn connections_running_out_are_named_against_max_connections() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (url, setup) = rt.block_on(pg::small_server().database("capacity_max_conn", false));
    drop(setup);
    let addr = start_service(url.clone());
    let s = Search {
        start_rps: 10.0,
        max_rps: 400.0,
        step: Duration::from_secs(3),
        max_time: Duration::from_secs(120),
        precision: 0.1,
        max_refine: 2,
        max_vus: 300,
        timeout: Duration::from_secs(5),
        ..Search::default()
    };
    let mut cfg = config(format!("http://{addr}/"), &["p99 < 2s", "error_rate < 1%"], s);
    cfg.db = Some(url);
    let mut watchers = Watchers::start(cfg.db.as_deref(), None).unwrap();
    let c = search(&cfg, &mut watchers);
    let first = c.saturation.first().expect("a component saturated");
    assert_eq!(first.component, "PostgreSQL max_connections", "{:#?}", c.saturation);
    let max = pg::SMALL_MAX_CONNECTIONS;
    assert!(first.evidence.contains(&format!("/{max} (max_connections)")), "{}", first.evidence);
    let peak = c.steps.iter().filter_map(|s| s.db.as_ref()).map(|d| (d.max_connections, d.connections_peak)).max();
    assert_eq!(peak.map(|p| p.0), Some(max));
    assert!(peak.is_some_and(|p| p.1 >= max - 2), "connections reached the limit: {peak:?}");
    // 12 connections held ≥ 0.2 s each: at most 60 req/s can be served.
    let found = c.max_sustainable_rps.expect("a step met the SLO");
    assert!(found <= 66.0, "max sustainable {found} req/s vs at most 60 by construction");
}

#[test]
fn memory_that_grows_with_the_queue_is_named() {
    // One worker sleeping 20 ms a request (50 req/s, no CPU), each waiting request holding
    // 8 MB: RSS follows the queue in front of the worker.
    let server = Python::start("cpu_server.py", &["sleep", "20", "8"]);
    let s = Search {
        start_rps: 10.0,
        max_rps: 400.0,
        factor: 2.0,
        step: Duration::from_secs(3),
        max_time: Duration::from_secs(90),
        precision: 0.1,
        max_refine: 1,
        max_vus: 200,
        timeout: Duration::from_secs(5),
        ..Search::default()
    };
    let mut cfg = config(format!("http://127.0.0.1:{}/", server.1), &["p99 < 2s", "error_rate < 1%"], s);
    cfg.watch_pid = Some(server.0.id());
    let c = search(&cfg, &mut Watchers::default());
    let first = c.saturation.first().expect("a component saturated");
    assert_eq!(first.component, "service memory", "{:#?}", c.saturation);
    assert!(first.growth >= 1.5 && first.evidence.starts_with("service RSS grows"), "{first:?}");
    assert!(c.saturation.iter().all(|s| s.component != "service CPU"), "the worker sleeps: {:#?}", c.saturation);
    let max = c.max_sustainable_rps.expect("a step met the SLO");
    assert!(max <= 55.0, "one worker × 20 ms: at most 50 req/s, found {max}");
}
