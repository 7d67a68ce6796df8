//! The closing check of the cache simulation: a generated access log is replayed through
//! a real Redis (cache-aside: GET, and on a miss SET with a TTL; `maxmemory` with
//! `allkeys-lru`), and Redis's own keyspace hit ratio is compared with the hit ratio
//! `perfhound logs` simulates for the same cache size: they agree within 5 points.

use perfhound_logs::synth::Rng;
use perfhound_logs::{Analyzer, Config, Input};
use perfhound_testkit::redis::RedisServer;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

const REQUESTS: u64 = 30_000;
const PRODUCTS: u64 = 5_000;
/// The simulated cache: a third of the working set (~10 MB) or so.
const CACHE_BYTES: u64 = 3_000_000;
const TTL_S: u32 = 3_600;

/// The size of product `id`'s response (deterministic, 1–3 KB).
fn size(id: u64) -> u64 {
    1_000 + (id * 7_919) % 2_000
}

/// `(id, size)` of each request, and the access log that records them.
fn traffic() -> (Vec<(u64, u64)>, String) {
    let mut rng = Rng::new(99);
    let mut reqs = Vec::new();
    let mut log = String::new();
    for i in 0..REQUESTS {
        let id = rng.zipf(PRODUCTS);
        let s = size(id);
        let (m, sec) = ((i / 100) / 60, (i / 100) % 60);
        log.push_str(&format!(
            "10.0.0.1 - - [06/Dec/2026:01:{m:02}:{sec:02} +0000] \"GET /api/products/{id} HTTP/1.1\" 200 {s} \"-\" \"ua\" 0.030\n"
        ));
        reqs.push((id, s));
    }
    (reqs, log)
}

struct Client {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let w = TcpStream::connect(("127.0.0.1", port)).unwrap();
        w.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
        Client { r: BufReader::new(w.try_clone().unwrap()), w }
    }

    /// Sends a command; returns the reply's first line and, for a bulk string, its body.
    fn call(&mut self, args: &[&[u8]]) -> (String, Vec<u8>) {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend(format!("${}\r\n", a.len()).into_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.w.write_all(&out).unwrap();
        let mut line = String::new();
        self.r.read_line(&mut line).unwrap();
        let line = line.trim_end().to_string();
        let mut body = Vec::new();
        if let Some(n) = line.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
            body.resize(n + 2, 0);
            self.r.read_exact(&mut body).unwrap();
            body.truncate(n);
        }
        (line, body)
    }

    fn info(&mut self, field: &str) -> u64 {
        let (_, body) = self.call(&[b"INFO", b"all"]);
        let text = String::from_utf8_lossy(&body);
        let wanted = format!("{field}:");
        text.lines().find_map(|l| l.strip_prefix(&wanted)).and_then(|v| v.trim().parse().ok()).unwrap()
    }
}

/// Bytes Redis uses per byte of value, measured on this server with the log's objects.
fn overhead_factor(c: &mut Client, reqs: &[(u64, u64)]) -> f64 {
    let before = c.info("used_memory");
    let mut stored = 0;
    let mut seen = std::collections::HashSet::new();
    for (id, s) in reqs.iter().filter(|(id, _)| seen.insert(*id)).take(2_000) {
        c.call(&[b"SET", format!("/api/products/{id}").as_bytes(), &vec![b'x'; *s as usize], b"EX", b"3600"]);
        stored += s;
    }
    let factor = (c.info("used_memory") - before) as f64 / stored as f64;
    assert_eq!(c.call(&[b"FLUSHALL"]).0, "+OK");
    factor
}

#[test]
fn simulated_hit_ratio_matches_redis_cache_aside_within_5_points() {
    let (reqs, log) = traffic();
    let cfg = Config { cache_sizes: vec![CACHE_BYTES], cache_ttls: vec![TTL_S], ..Config::default() };
    let mut analyzer = Analyzer::new(cfg, None, Vec::new());
    analyzer.read(Input { name: "replay.log".into(), reader: Box::new(std::io::Cursor::new(log.into_bytes())) });
    let analysis = analyzer.finish();
    let sim = analysis.cache.iter().find(|c| c.endpoint == "GET /api/products/{id}").expect("simulated");
    assert_eq!(sim.requests, REQUESTS);

    let redis = RedisServer::start();
    let mut c = Client::connect(redis.port());
    let factor = overhead_factor(&mut c, &reqs);
    let baseline = c.info("used_memory");
    let maxmemory = baseline + (CACHE_BYTES as f64 * factor) as u64;
    for (k, v) in [
        ("maxmemory-policy", "allkeys-lru".to_string()),
        ("maxmemory-samples", "10".into()),
        ("maxmemory", maxmemory.to_string()),
    ] {
        assert_eq!(c.call(&[b"CONFIG", b"SET", k.as_bytes(), v.as_bytes()]).0, "+OK", "{k}");
    }
    assert_eq!(c.call(&[b"CONFIG", b"RESETSTAT"]).0, "+OK");
    for (id, s) in &reqs {
        let key = format!("/api/products/{id}");
        if c.call(&[b"GET", key.as_bytes()]).0 == "$-1" {
            let reply =
                c.call(&[b"SET", key.as_bytes(), &vec![b'x'; *s as usize], b"EX", TTL_S.to_string().as_bytes()]).0;
            assert_eq!(reply, "+OK");
        }
    }
    let (hits, misses) = (c.info("keyspace_hits"), c.info("keyspace_misses"));
    assert_eq!(hits + misses, REQUESTS);
    assert!(c.info("evicted_keys") > 0, "the cache was under memory pressure");
    let actual = hits as f64 / REQUESTS as f64;
    let simulated = sim.chosen.hit;
    eprintln!(
        "simulated LRU {simulated:.3} · SIEVE {:.3} · Redis allkeys-lru {actual:.3} (overhead ×{factor:.2})",
        sim.sieve_hit
    );
    assert!((simulated - actual).abs() <= 0.05, "simulated {simulated:.3} vs Redis {actual:.3}");
    assert!(actual > 0.2 && actual < 0.95, "a meaningful hit ratio: {actual}");
}
