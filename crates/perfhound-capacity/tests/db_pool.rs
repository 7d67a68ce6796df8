//! A service whose database connection pool is its limit: every request borrows one of
//! 4 PostgreSQL connections (real PostgreSQL from the testkit) for `pg_sleep(0.1)`, so the
//! service saturates at 4 / 100 ms = 40 req/s with its own CPU idle — less on a loaded
//! machine, where each borrow also pays the database's scheduling delay. The verdict must
//! name the pool.

mod common;

use perfhound_capacity::watch::Watchers;
use perfhound_capacity::{CapacityConfig, Search};
use perfhound_testkit::pg;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;
use tokio_postgres::{Client, NoTls};

const POOL: usize = 4;

/// The pool: a permit per connection, the connections behind a lock.
struct Pool {
    permits: Semaphore,
    clients: Mutex<Vec<Client>>,
}

impl Pool {
    async fn query(&self) -> bool {
        let Ok(_permit) = self.permits.acquire().await else { return false };
        let client = self.clients.lock().unwrap().pop().expect("a permit guarantees a connection");
        let ok = client.simple_query("SELECT pg_sleep(0.1)").await.is_ok();
        self.clients.lock().unwrap().push(client);
        ok
    }
}

/// Serves HTTP/1.1 keep-alive `GET`s: each request runs one pooled query.
async fn serve_connection(mut socket: tokio::net::TcpStream, pool: Arc<Pool>) {
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
        let response: &[u8] = if pool.query().await {
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        } else {
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\ndb"
        };
        if socket.write_all(response).await.is_err() {
            return;
        }
    }
}

/// Starts the service on 127.0.0.1:0 on a runtime of its own thread.
fn start_service(url: String) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let mut clients = Vec::new();
            for _ in 0..POOL {
                let (client, conn) =
                    tokio_postgres::connect(&url, NoTls).await.expect("connect to the test PostgreSQL");
                tokio::spawn(conn);
                clients.push(client);
            }
            let pool = Arc::new(Pool { permits: Semaphore::new(POOL), clients: Mutex::new(clients) });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let Ok((socket, _)) = listener.accept().await else { continue };
                tokio::spawn(serve_connection(socket, Arc::clone(&pool)));
            }
        });
    });
    rx.recv().expect("the service started")
}

#[test]
fn the_verdict_names_the_db_pool() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (url, setup) = rt.block_on(pg::server().database("capacity_pool", false));
    drop(setup);
    let addr = start_service(url.clone());
    let plan = common::get_plan(format!("http://{addr}/orders"), Duration::from_secs(60));
    let cfg = CapacityConfig {
        plan,
        slo: perfhound_capacity::config::parse_slo(&["p99 < 400ms".into()]).unwrap(),
        search: Search {
            start_rps: 12.0,
            max_rps: 400.0,
            step: Duration::from_secs(4),
            max_time: Duration::from_secs(120),
            max_vus: 300,
            timeout: Duration::from_secs(5),
            ..Search::default()
        },
        watch_pid: None,
        db: Some(url),
        traces_listen: None,
        hold: None,
        soak: None,
        threads: None,
    };
    let mut watchers = Watchers::start(cfg.db.as_deref(), None).unwrap();
    let mut lines = String::new();
    let mut on_step = |s: &perfhound_model::CapacityStep| lines.push_str(&perfhound_capacity::output::step_line(s));
    let out = perfhound_capacity::run(&cfg, &mut watchers, &mut on_step, Vec::new()).unwrap();
    let c = out.run.load.unwrap().capacity.unwrap();
    eprintln!("{lines}{}", perfhound_capacity::output::summary(&c));
    let first = c.saturation.first().expect("a component saturated");
    assert_eq!(first.component, "DB connection pool", "{:?}", c.saturation);
    assert!(first.evidence.contains(&format!("{POOL} of {POOL} connections busy")), "{}", first.evidence);
    assert!(first.evidence.contains("Timeout: PgSleep"), "the wait is named: {}", first.evidence);
    let max = c.max_sustainable_rps.unwrap();
    assert!((28.0..=44.0).contains(&max), "max sustainable {max} req/s vs the pool's 40 req/s");
    let db = c.steps[0].db.as_ref().unwrap();
    assert!(db.max_connections >= 10 && db.samples > 5, "{db:?}");
}
