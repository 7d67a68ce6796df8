//! Engine tests against real HTTP servers on 127.0.0.1:0 (perfhound-testkit).
//!
//! Every run is bounded (a few seconds or a fixed request count). Latency assertions are
//! about what the generator *reports* for a server with a known delay — the property the
//! tool exists for — not about how fast anything runs.

use perfhound_load::engine::{self, EngineOptions, Observer, Tick};
use perfhound_load::plan::HttpOptions;
use perfhound_load::quick::{self, QuickOptions};
use perfhound_load::to_model::to_run;
use perfhound_model::{ErrorKind, Run};
use perfhound_testkit::{ServerConfig, Stall, TestServer};
use std::time::Duration;

struct Silent;
impl Observer for Silent {
    fn on_tick(&mut self, _: &Tick<'_>) {}
}

fn options(url: String) -> QuickOptions {
    QuickOptions {
        url,
        connections: 4,
        duration: None,
        requests: Some(200),
        rate: None,
        method: http::Method::GET,
        headers: Vec::new(),
        body: None,
        http: HttpOptions { request_timeout: Duration::from_secs(5), ..HttpOptions::default() },
        thresholds: Vec::new(),
        hard_cap: Some(Duration::from_secs(60)),
        max_duration: Duration::from_secs(60),
    }
}

/// Runs quick mode against `url` with `edit` applied to the default options.
fn check(url: String, edit: impl FnOnce(&mut QuickOptions)) -> Run {
    let mut o = options(url);
    edit(&mut o);
    let plan = quick::plan(o).expect("valid quick options");
    let result = engine::run(plan, &EngineOptions::default(), &mut Silent).expect("run starts");
    let run = to_run(&result, vec![]);
    let acc = &run.load.as_ref().unwrap().accounting;
    assert!(acc.is_consistent(), "accounting identities must hold: {acc:?}");
    run
}

fn overall(run: &Run) -> &perfhound_model::Measurements {
    &run.targets[0].measurements
}

#[test]
fn closed_model_sends_exactly_n_requests_and_identities_hold() {
    let server = TestServer::start(ServerConfig::default());
    let run = check(server.url("/"), |_| {});
    let acc = &run.load.as_ref().unwrap().accounting;
    assert_eq!((acc.requests_sent, acc.requests_ok, acc.requests_failed), (200, 200, 0));
    assert_eq!((acc.iterations_scheduled, acc.iterations_started, acc.iterations_dropped), (200, 200, 0));
    assert_eq!(server.stats().requests_total, 200);
    // Keep-alive: 4 VUs, 4 connections, plus the one preflight connection.
    assert_eq!(server.stats().connections_accepted, 5);
    let series_total: u64 = run.load.as_ref().unwrap().series.iter().map(|s| s.requests).sum();
    assert_eq!(series_total, 200, "the per-second series accounts for every request");
}

#[test]
fn fixed_20ms_delay_reports_p50_between_20_and_22ms() {
    let server = TestServer::start(ServerConfig { fixed_delay: Some(Duration::from_millis(20)), ..Default::default() });
    for rate in [None, Some(50.0)] {
        let run = check(server.url("/"), |o| {
            o.requests = Some(100);
            o.rate = rate;
        });
        let p50 = overall(&run).latency.as_ref().unwrap().quantile_us(0.5);
        assert!((20_000..=22_000).contains(&p50), "rate {rate:?}: p50 = {p50} us");
    }
}

#[test]
fn errors_are_classified_by_kind() {
    let server = TestServer::start(ServerConfig::default());
    let run = check(server.url("/status/503"), |o| o.requests = Some(20));
    assert_eq!(overall(&run).errors.get(&ErrorKind::Http5xx), Some(&20));
    let run = check(server.url("/status/404"), |o| o.requests = Some(20));
    assert_eq!(overall(&run).errors.get(&ErrorKind::Http4xx), Some(&20));

    let resetting = TestServer::start(ServerConfig { reset_every: Some(4), ..Default::default() });
    let run = check(resetting.url("/"), |o| {
        o.requests = Some(100);
        o.connections = 1;
    });
    let m = overall(&run);
    assert_eq!(m.requests, 100);
    let resets = m.errors.get(&ErrorKind::Reset).copied().unwrap_or(0);
    assert!(resets >= 20, "every 4th request is reset: {:?}", m.errors);
}

#[test]
fn unreachable_target_fails_preflight_and_counts_refusals_without_it() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let plan = quick::plan(options(url.clone())).unwrap();
    let err = engine::run(plan, &EngineOptions::default(), &mut Silent).err().expect("preflight fails");
    assert!(err.to_string().contains("cannot reach"), "{err}");

    let mut o = options(url);
    o.requests = Some(10);
    let plan = quick::plan(o).unwrap();
    let opts = EngineOptions { skip_preflight: true, ..Default::default() };
    let run = to_run(&engine::run(plan, &opts, &mut Silent).unwrap(), vec![]);
    assert_eq!(overall(&run).errors.get(&ErrorKind::ConnectRefused), Some(&10));
}

#[test]
fn open_model_reports_the_stall_a_closed_model_hides() {
    // The server freezes for 1 s every 10 s. At 200 req/s, the ~200 requests due during the
    // freeze wait up to 1 s; measured from their intended send time, p99 must show it.
    let stall =
        Stall { period: Duration::from_secs(10), length: Duration::from_secs(1), offset: Duration::from_secs(4) };
    let server = TestServer::start(ServerConfig { stall: Some(stall), ..Default::default() });
    let open = check(server.url("/"), |o| {
        o.rate = Some(200.0);
        o.requests = None;
        o.duration = Some(Duration::from_secs(10));
        o.connections = 50;
    });
    let h = overall(&open).latency.clone().unwrap();
    assert!(h.quantile_us(0.99) >= 700_000, "open model p99 = {} us", h.quantile_us(0.99));
    let acc = &open.load.as_ref().unwrap().accounting;
    assert!(acc.iterations_scheduled >= 1990 && acc.iterations_scheduled <= 2000, "{acc:?}");
    assert!(acc.iterations_late > 0, "arrivals during the stall start late: {acc:?}");
    // Service time alone (what a closed-model tool reports per request) hides most of it.
    let service = overall(&open).service_time.clone().unwrap();
    assert!(service.quantile_us(0.5) < 100_000);
}

#[test]
fn open_model_counts_dropped_iterations_when_it_cannot_keep_up() {
    let server = TestServer::start(ServerConfig { fixed_delay: Some(Duration::from_millis(50)), ..Default::default() });
    let run = check(server.url("/"), |o| {
        o.rate = Some(100.0);
        o.requests = None;
        o.duration = Some(Duration::from_secs(2));
        o.connections = 1;
        o.http.request_timeout = Duration::from_millis(300);
    });
    let acc = &run.load.as_ref().unwrap().accounting;
    assert_eq!(acc.iterations_scheduled, 200);
    assert!(acc.iterations_dropped > 50, "one VU at 50 ms cannot do 100/s: {acc:?}");
    assert!(acc.iterations_started <= 60, "{acc:?}");
    assert!(run.warnings.iter().any(|w| w.contains("dropped")));
    let series_dropped: u64 = run.load.as_ref().unwrap().series.iter().map(|s| s.dropped).sum();
    assert!(series_dropped > 0);
}

#[test]
fn http2_prior_knowledge_and_tls_alpn() {
    let server = TestServer::start(ServerConfig::default());
    let run = check(server.url("/"), |o| o.http.http2 = true);
    assert_eq!(overall(&run).ok, 200);
    assert_eq!(server.stats().http2_requests, 200);

    let tls = TestServer::start(perfhound_testkit::tls_config());
    let run = check(tls.url("/"), |o| {
        o.http.http2 = true;
        o.http.insecure = true;
    });
    assert_eq!(overall(&run).ok, 200);
    assert_eq!(tls.stats().http2_requests, 200);
    let run = check(tls.url("/"), |o| o.http.insecure = true);
    assert_eq!(overall(&run).ok, 200, "HTTP/1.1 over TLS");
    // Without --insecure the self-signed certificate is rejected.
    let mut o = options(tls.url("/"));
    o.requests = Some(5);
    let err = engine::run(quick::plan(o).unwrap(), &EngineOptions::default(), &mut Silent).err().unwrap();
    assert!(err.to_string().to_lowercase().contains("certificate") || err.to_string().contains("TLS"), "{err}");
}

#[test]
fn hygiene_findings_from_responses() {
    let server = TestServer::start(ServerConfig::default());
    let codes = |run: &Run| run.findings.iter().map(|f| f.rule.code.clone()).collect::<Vec<_>>();

    let run = check(server.url("/text/5000"), |o| o.requests = Some(10));
    assert!(codes(&run).contains(&"PH-HTTP001".to_string()), "probe confirms no compression: {:?}", codes(&run));
    let run = check(server.url("/text/5000?compress=1"), |o| o.requests = Some(10));
    assert!(!codes(&run).contains(&"PH-HTTP001".to_string()), "server compresses when asked");
    let run = check(server.url("/text/5000?compress=1"), |o| {
        o.requests = Some(10);
        o.headers = vec![("Accept-Encoding".into(), "gzip".into())];
    });
    assert!(!codes(&run).contains(&"PH-HTTP001".to_string()));

    let run = check(server.url("/cached"), |o| o.requests = Some(10));
    assert!(!codes(&run).contains(&"PH-HTTP002".to_string()));
    assert!(codes(&run).is_empty(), "{:?}", codes(&run));

    let run = check(server.url("/close"), |o| o.requests = Some(20));
    let keep_alive = run.findings.iter().find(|f| f.rule.code == "PH-HTTP003").expect("keep-alive finding");
    assert!(keep_alive.target.starts_with("http://127.0.0.1:"), "about the server: {}", keep_alive.target);
    assert_eq!(keep_alive.affected.len(), 1, "lists the one request name: {:?}", keep_alive.affected);
    assert_eq!(overall(&run).ok, 20);

    let run = check(server.url("/redirect/3"), |o| o.requests = Some(10));
    let f = run.findings.iter().find(|f| f.rule.code == "PH-HTTP004").expect("redirect finding");
    assert_eq!(f.evidence.counts.get("longest_chain"), Some(&3));
    assert_eq!(overall(&run).status_codes.get(&200), Some(&10));
}

#[test]
fn thresholds_are_evaluated() {
    let server = TestServer::start(ServerConfig { fixed_delay: Some(Duration::from_millis(5)), ..Default::default() });
    let run = check(server.url("/"), |o| {
        o.requests = Some(50);
        o.thresholds = vec!["p95 < 2s".into(), "p50 < 1ms".into(), "error_rate < 1%".into(), "requests >= 50".into()];
    });
    let passed: Vec<bool> = run.budget_results.iter().map(|b| b.passed).collect();
    assert_eq!(passed, [true, false, true, true]);
}

#[test]
fn request_timeout_is_its_own_error_kind() {
    let server = TestServer::start(ServerConfig::default());
    let run = check(server.url("/delay/3000"), |o| {
        o.requests = Some(4);
        o.connections = 4;
        o.http.request_timeout = Duration::from_millis(200);
    });
    let m = overall(&run);
    assert_eq!(m.errors.get(&ErrorKind::Timeout), Some(&4), "{:?}", m.errors);
    let p50 = m.latency.as_ref().unwrap().quantile_us(0.5);
    assert!((200_000..1_000_000).contains(&p50), "a timed-out request is measured until the timeout: {p50}");
}
