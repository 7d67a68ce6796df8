//! `audit.redis`: INFO before and after the load window makes the window's hit ratio the
//! report's Cache Hit Rate. A real redis-server and a loopback cache-aside service: its
//! lifetime counters start at a 0% hit ratio (planted misses before the audit), the window
//! alone has an exact, known number of hits and misses.

use perfhound_audit::config::parse;
use perfhound_audit::{run, Hooks};
use perfhound_load::output::{Progress, ProgressMode};
use perfhound_model::Extra;
use perfhound_testkit::redis::RedisServer;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

/// One RESP command on `redis`, returning whether the reply was a value (not nil).
fn redis_call(redis: &mut BufReader<TcpStream>, args: &[&str]) -> bool {
    let mut wire = format!("*{}\r\n", args.len());
    for a in args {
        wire.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    redis.get_mut().write_all(wire.as_bytes()).unwrap();
    let mut line = String::new();
    redis.read_line(&mut line).unwrap();
    if let Some(len) = line.strip_prefix('$').and_then(|n| n.trim().parse::<usize>().ok()) {
        let mut body = vec![0; len + 2];
        redis.read_exact(&mut body).unwrap();
    }
    !line.starts_with("$-1")
}

/// Cache-aside per request: `GET /product/N` reads `product:N`, and on a miss writes it with
/// a TTL; `GET /miss/X` reads a key nobody writes. One thread per connection.
fn service(redis_port: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || serve(conn, redis_port));
        }
    });
    port
}

fn serve(conn: TcpStream, redis_port: u16) {
    let mut redis = BufReader::new(TcpStream::connect(("127.0.0.1", redis_port)).unwrap());
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    loop {
        let mut request = String::new();
        if reader.read_line(&mut request).unwrap_or(0) == 0 {
            return;
        }
        let mut header = String::new();
        while reader.read_line(&mut header).unwrap_or(0) > 2 {
            header.clear();
        }
        let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
        let key = path.trim_start_matches('/').replace('/', ":");
        if !redis_call(&mut redis, &["GET", &key]) && key.starts_with("product:") {
            redis_call(&mut redis, &["SET", &key, "{}", "EX", "600"]);
        }
        if out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").is_err() {
            return;
        }
    }
}

#[test]
fn the_load_windows_hits_and_misses_are_the_cache_hit_rate() {
    let redis = RedisServer::start();
    for i in 0..500 {
        assert_eq!(redis.command(&["GET", &format!("before:{i}")]), "$-1");
    }
    let port = service(redis.port());
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "base_url: http://127.0.0.1:{port}\nvus: 1\niterations: 30\nflow:\n  - get: /product/1\n  - get: /product/1\n  \
         - get: /miss/a\n  - get: /miss/b\naudit:\n  redis: {}\n",
        redis.url()
    );
    let cfg = parse(&dir.path().join("perfhound.yaml"), &text, &|_| None).unwrap();
    let mut progress = Progress::new(ProgressMode::Quiet);
    let mut status = |_: &str| {};
    let audit = run(&cfg, Hooks::new(&mut progress, &mut status), vec!["test".into()]).unwrap();

    let name = format!("redis 127.0.0.1:{}/0", redis.port());
    let server = audit.run.target(&name).expect("the cache server target");
    let extra = &server.measurements.extra;
    // product:1 misses once then hits 59 times; the two /miss requests miss 60 times.
    assert_eq!(extra.get(Extra::CacheServerKeyspaceHits), Some(59.0));
    assert_eq!(extra.get(Extra::CacheServerKeyspaceMisses), Some(61.0));
    assert_eq!(extra.get(Extra::CacheHitRatio), Some(59.0 / 120.0));
    assert!(audit.run.sources.iter().any(|s| s.kind == perfhound_model::SourceKind::Cache));
    // INFO commandstats over the window: the service's commands, not perfhound's INFO.
    let calls = |name: &str| audit.run.target(name).and_then(|t| t.measurements.extra.get(Extra::Calls));
    assert_eq!((calls("redis GET"), calls("redis SET"), calls("redis INFO")), (Some(120.0), Some(1.0), None));
    let low = audit.run.findings.iter().find(|f| f.rule.code == "PH-REDIS001").expect("49% < 80%");
    assert!(low.title.starts_with("keyspace hit ratio 49% (59 hits, 61 misses)"), "{}", low.title);

    let written = perfhound_audit::output::write(&dir.path().join("out"), &audit, None, None).unwrap();
    let summary = perfhound_audit::output::summary(&audit, &written, 5);
    let line = format!("cache hit rate 49% over the load window ({name}: 59 hits, 61 misses, 0 evictions)");
    assert!(summary.contains(&line), "{summary}");

    let runs = perfhound_report::RunSet::new(vec![audit.run]);
    let report = perfhound_report::build_report(&runs, &perfhound_report::ReportOptions::default());
    let md = perfhound_report::render::markdown::render(&report);
    let line = format!("- **Cache Hit Rate** (cache server, `{name}`): 49% (59 hits, 61 misses, 0 evictions)");
    assert!(md.contains(&line), "{md}");
}
