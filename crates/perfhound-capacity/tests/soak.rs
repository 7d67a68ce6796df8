//! Soak leak detection against real processes with known memory behaviour
//! (`tests/servers/memory_server.py`, standard-library Python): a planted leak of a fixed
//! size per request must be found with its slope within 20 %; a flat server and a sawtooth
//! (GC-like) server must not be called leaks.

mod common;

use perfhound_capacity::{CapacityConfig, Search, SoakConfig};
use perfhound_model::capacity::Trend;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The server process; killed (by its own id) when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/memory_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 (Debian package python3, see test.sh)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Server { port: line.trim().parse().expect("the server prints its port"), child }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn soak(server: &Server, rps: f64, secs: u64) -> (perfhound_capacity::Capacity, Vec<Trend>) {
    let plan = common::get_plan(format!("http://127.0.0.1:{}/", server.port), Duration::from_secs(120));
    let soak = SoakConfig {
        rps,
        duration: Duration::from_secs(secs),
        warmup: Duration::from_secs(4),
        memory_limit_bytes: Some(2_000_000_000),
    };
    let cfg = CapacityConfig {
        plan,
        slo: Vec::new(),
        search: Search::default(),
        watch_pid: Some(server.child.id()),
        db: None,
        traces_listen: None,
        hold: None,
        soak: Some(soak.clone()),
        threads: Some(1),
    };
    let out = perfhound_capacity::run_soak(&cfg, &soak, Vec::new()).unwrap();
    let trends = out.run.load.as_ref().unwrap().capacity.as_ref().unwrap().soak.as_ref().unwrap().trends.clone();
    eprintln!("{trends:#?}");
    (out, trends)
}

fn rss(trends: &[Trend]) -> &Trend {
    trends.iter().find(|t| t.resource == "rss_bytes").expect("an RSS trend")
}

#[test]
fn a_planted_leak_is_found_with_its_slope_within_twenty_percent() {
    const LEAK: f64 = 100_000.0;
    let server = Server::start(&["leak", "100000"]);
    let (out, trends) = soak(&server, 20.0, 24);
    let step = &out.run.load.as_ref().unwrap().capacity.as_ref().unwrap().steps[0];
    let planted_per_hour = LEAK * step.achieved_rps * 3600.0;
    let found = rss(&trends);
    assert!(found.growing, "{found:?}");
    let off = (found.slope_per_hour - planted_per_hour).abs() / planted_per_hour;
    assert!(
        off <= 0.20,
        "found {} B/h vs planted {planted_per_hour} B/h ({:.0} % off)",
        found.slope_per_hour,
        off * 100.0
    );
    assert!(found.slope_ci_low <= found.slope_per_hour && found.slope_per_hour <= found.slope_ci_high);
    assert!(found.hours_to_limit.is_some_and(|h| h > 0.0));
    let f = out.run.findings.iter().find(|f| f.rule.code == "PH-CAP001").expect("a PH-CAP001 finding");
    assert!(f.title.starts_with("RSS grows"), "{}", f.title);
}

#[test]
fn a_flat_server_is_stable() {
    let server = Server::start(&["flat"]);
    let (out, trends) = soak(&server, 20.0, 16);
    assert!(trends.iter().all(|t| !t.growing), "{trends:?}");
    assert!(out.run.findings.iter().all(|f| f.rule.code != "PH-CAP001"));
    assert_eq!(trends.len(), 3, "rss, fds and threads are fitted");
}

#[test]
fn a_sawtooth_is_not_a_leak() {
    let server = Server::start(&["sawtooth", "500000", "80"]);
    let (out, trends) = soak(&server, 20.0, 24);
    let r = rss(&trends);
    assert!(!r.growing, "{r:?}");
    assert!(out.run.findings.iter().all(|f| f.rule.code != "PH-CAP001"));
}

/// A soak of a server leaking one `resource` per request: found growing, slope within 20 %
/// of one per request, and the `other` resource stable.
fn one_per_request(mode: &str, resource: &str, other: &str, title: &str) {
    let server = Server::start(&[mode]);
    let (out, trends) = soak(&server, 20.0, 16);
    let step = &out.run.load.as_ref().unwrap().capacity.as_ref().unwrap().steps[0];
    let planted_per_hour = step.achieved_rps * 3600.0;
    let found = trends.iter().find(|t| t.resource == resource).expect("a trend");
    assert!(found.growing, "{found:?}");
    let off = (found.slope_per_hour - planted_per_hour).abs() / planted_per_hour;
    assert!(off <= 0.20, "found {} /h vs planted {planted_per_hour} ({:.0} % off)", found.slope_per_hour, off * 100.0);
    let other = trends.iter().find(|t| t.resource == other).expect("a trend");
    assert!(!other.growing, "{other:?}");
    assert!(out.run.findings.iter().any(|f| f.rule.code == "PH-CAP001" && f.title.starts_with(title)));
}

#[test]
fn a_descriptor_leak_is_found_with_its_slope_within_twenty_percent() {
    // The soak opens its connections before the window: threads stay flat.
    one_per_request("files", "open_fds", "threads", "open file descriptors grow");
}

#[test]
fn a_thread_leak_is_found_with_its_slope_within_twenty_percent() {
    one_per_request("threads", "threads", "open_fds", "threads grow");
}
