//! `perfhound serve` and `load --serve` in a real headless Chromium over the DevTools
//! protocol: the pages load without errors under their CSP, the trend chart marks the
//! planted regression at its commit, the compare view shows `perfhound compare`'s
//! numbers, hostile run names stay text, the live view updates, a token guards the server.

mod cdp;
mod store_support;

use assert_cmd::cargo::CommandCargoExt as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const HOSTILE: &str = "GET /x<script>document.documentElement.setAttribute('data-pwned','1')</script><img src=x>";

fn perfhound() -> Command {
    let mut cmd = Command::cargo_bin("perfhound").expect("binary is built");
    cmd.env_remove("PERFHOUND_STORE").env_remove("PERFHOUND_SERVE_TOKEN");
    cmd
}

/// A child process killed when dropped, so a failed assertion never leaves it running.
struct Running(Option<Child>);

impl Running {
    fn id(&self) -> u32 {
        self.0.as_ref().expect("running").id()
    }

    fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.take().expect("running").wait()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The child and the URL it printed on stderr (`http://127.0.0.1:PORT`).
fn start(mut cmd: Command, marker: &str) -> (Running, String) {
    let mut running = Running(Some(cmd.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap()));
    let stderr = running.0.as_mut().and_then(|c| c.stderr.take()).unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let line = lines.find_map(|l| l.ok().filter(|l| l.contains(marker))).expect("the server printed its address");
    let at = line.find("http://").unwrap();
    let url: String = line[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    let base = url.trim_end_matches('/').trim_end_matches("/live").to_string();
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (running, base)
}

fn stop(mut child: Running) {
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert!(status.success(), "stopped cleanly with Ctrl-C: {status}");
}

/// 30 runs at 10 ms then 8 at 12 ms (commit c30…), plus a run with a hostile name.
fn planted(db: &Path) {
    for i in 0..38 {
        let median = if i < 30 { 10_000 + (i % 3) * 150 } else { 12_000 + (i % 3) * 150 };
        let run = store_support::run(&format!("run{i:02}"), "GET /api/orders", median);
        store_support::save(db, &run, &format!("c{i:02}{}", "0".repeat(37)), "main");
    }
    let hostile = store_support::with_finding(store_support::run("hostile", HOSTILE, 5_000));
    store_support::save(db, &hostile, "\"><script>alert(1)</script>", "<b>branch</b>");
}

fn http(base: &str, request_head: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "{request_head}Host: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn dashboard_pages_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    planted(&db);
    let mut cmd = perfhound();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--store"]).arg(&db);
    let (server, base) = start(cmd, "dashboard on");
    let mut b = cdp::Browser::launch();

    b.open(&format!("{base}/"));
    assert_eq!(b.eval("document.querySelectorAll('#runs tbody tr').length"), 39);
    let cells = b.eval("[...document.querySelectorAll('#runs td')].map(td => td.textContent).join('\\n')");
    assert!(cells.as_str().unwrap().contains("<b>branch</b>"), "hostile branch shown as text");

    b.open(&format!("{base}/trends"));
    let change = b.eval(
        "(() => { const l = document.querySelector('svg.trend[data-target=\"GET /api/orders\"] line.change[data-metric=p50]'); \
          return l && [l.dataset.index, l.dataset.commit, l.dataset.change]; })()",
    );
    assert_eq!(change[0], "30", "the change point is the 31st run: {change}");
    assert_eq!(change[1], "c300000");
    let size: f64 = change[2].as_str().unwrap().parse().unwrap();
    assert!((size - 0.2).abs() < 0.03, "+20 %: {size}");
    let points = b.eval("document.querySelector('svg.trend polyline.p95').dataset.points");
    assert_eq!(points, "38");

    let json =
        perfhound().args(["compare", "run00", "run37", "--format", "json", "--store"]).arg(&db).output().unwrap();
    let expected: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    b.open(&format!("{base}/compare?a=run00&b=run37"));
    let shown = b.eval(
        "[...document.querySelectorAll('#compare tbody tr')].map(r => [r.dataset.metric, +r.dataset.baseline, +r.dataset.current])",
    );
    let triple =
        |v: &serde_json::Value| (v[0].as_str().unwrap().to_string(), v[1].as_f64().unwrap(), v[2].as_f64().unwrap());
    let shown: Vec<_> = shown.as_array().unwrap().iter().map(triple).collect();
    let want: Vec<_> = expected["targets"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| triple(&serde_json::json!([m["metric"], m["baseline"], m["current"]])))
        .collect();
    assert_eq!(shown, want, "the compare view shows compare's numbers");
    assert_eq!(shown[0].0, "p50");
    assert_eq!(b.eval("document.getElementById('verdict').dataset.regressions"), expected["regressions"].to_string());

    b.open(&format!("{base}/findings"));
    assert!(b.eval("document.querySelector('#findings').textContent").as_str().unwrap().contains("PH-TRACE001"));
    b.open(&format!("{base}/runs/hostile"));
    b.wait_for("document.documentElement.dataset.js === 'ready'");
    assert!(b.eval("document.body.textContent").as_str().unwrap().contains("<script>document.documentElement"));

    for page in ["/", "/trends", "/findings", "/compare?a=hostile&b=run37", "/trends?branch=%22%3E%3Cimg%20src%3Dx%3E"]
    {
        b.open(&format!("{base}{page}"));
        assert_eq!(b.eval("document.documentElement.getAttribute('data-pwned')"), serde_json::Value::Null, "{page}");
        assert_eq!(b.eval("document.querySelectorAll('img').length"), 0, "{page}: injected <img>");
    }
    assert!(b.problems().is_empty(), "console errors or CSP violations: {:#?}", b.problems());
    drop(b);

    let metrics = http(&base, "GET /metrics HTTP/1.1\r\n");
    assert!(metrics.contains("perfhound_spans_received_total"), "{metrics}");
    assert!(metrics.contains("perfhound_last_run_latency_seconds{target=\"GET /x"), "{metrics}");
    assert!(metrics.trim_end().ends_with("# EOF"), "{metrics}");
    stop(server);
}

#[test]
fn a_token_guards_the_server_and_is_required_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let out = perfhound().args(["serve", "--listen", "0.0.0.0:0", "--store"]).arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --token"));

    let mut cmd = perfhound();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--store"])
        .arg(&db)
        .env("PERFHOUND_SERVE_TOKEN", "0123456789abcdef-token");
    let (server, base) = start(cmd, "dashboard on");
    assert!(http(&base, "GET / HTTP/1.1\r\n").starts_with("HTTP/1.1 401"));
    assert!(http(&base, "GET / HTTP/1.1\r\nAuthorization: Bearer wrong\r\n").starts_with("HTTP/1.1 401"));
    let ok = http(&base, "GET / HTTP/1.1\r\nAuthorization: Bearer 0123456789abcdef-token\r\n");
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(ok.contains("content-security-policy: default-src 'none'"), "{ok}");
    let cookie = http(&base, "GET /?token=0123456789abcdef-token HTTP/1.1\r\n");
    assert!(cookie.contains("set-cookie: perfhound_token="), "{cookie}");
    stop(server);
}

#[test]
fn the_live_view_updates_while_a_load_runs() {
    let server = perfhound_testkit::TestServer::start(perfhound_testkit::ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = perfhound();
    cmd.args(["load", &server.url("/"), "-d", "30s", "-r", "50", "-c", "2", "--format", "none", "--serve"])
        .arg("--store")
        .arg(dir.path().join("h.db"));
    let (load, base) = start(cmd, "live view on");
    let mut b = cdp::Browser::launch();
    b.open(&format!("{base}/live"));
    b.wait_for("+document.body.dataset.updates >= 3 && +document.body.dataset.total > 0");
    let state = b.eval("document.getElementById('live-state').textContent");
    assert_eq!(state, "running");
    let first = b.eval("+document.body.dataset.total").as_f64().unwrap();
    b.wait_for(&format!("+document.body.dataset.total > {first}"));
    // The page itself (no reload) shows the load's clock advance tick by tick: three more
    // distinct per-second snapshots after the first, each with the last second's p50.
    b.wait_for(
        "((window.seen = window.seen || new Set()).add(document.getElementById('live-elapsed').textContent), \
          window.seen.size >= 4)",
    );
    let seen = b.eval("[...window.seen].map(t => parseFloat(t))");
    let elapsed: Vec<f64> = seen.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(elapsed.windows(2).all(|w| w[1] > w[0]), "the clock only moves forward: {elapsed:?}");
    assert!(b.eval("document.getElementById('live-p50').textContent").as_str().unwrap().ends_with(" ms"));
    assert!(b.problems().is_empty(), "{:#?}", b.problems());
    drop(b);
    // Ctrl-C ends the load early; it still writes and saves its run.
    stop(load);
}

#[test]
fn the_dashboard_reads_a_postgresql_store() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (url, _client) = rt.block_on(perfhound_testkit::pg::server().database("serve_store", false));
    let loc = perfhound_store::Location::Postgres(url.clone());
    let meta = perfhound_store::Meta { command: "load".into(), git_branch: "main".into(), ..Default::default() };
    for i in 0..3 {
        let run = store_support::run(&format!("pgrun{i}"), "GET /pg", 10_000 + i * 1000);
        perfhound_store::save(&loc, &run, &meta).unwrap();
    }
    // A store URL carries libpq's TLS settings; a CA file that cannot be read is a usage error.
    let missing_ca = format!("{url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
    let out = perfhound().args(["history", "--store", &missing_ca]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read sslrootcert /nonexistent/ca.pem"), "{err}");
    let mut cmd = perfhound();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--store", &format!("{url}?sslmode=require")]);
    let (server, base) = start(cmd, "dashboard on");
    let page = http(&base, "GET / HTTP/1.1\r\n");
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("pgrun2"), "{page}");
    assert!(
        !page.contains("postgres@") && page.contains("the PostgreSQL store"),
        "no host or role on the page: {page}"
    );
    let trends = http(&base, "GET /trends HTTP/1.1\r\n");
    assert!(trends.contains("data-target=\"GET /pg\" data-runs=\"3\""), "{trends}");
    stop(server);
}

#[test]
fn an_audit_with_serve_has_a_live_view_too() {
    let server = perfhound_testkit::TestServer::start(perfhound_testkit::ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("perfhound.yaml");
    assert!(perfhound().args(["init", "--url", &server.base_url(), "-o"]).arg(&cfg).status().unwrap().success());
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("duration: 30s", "duration: 60s")
        .replace("vus: 10", "vus: 2")
        .replace("listen: 127.0.0.1:4318", "listen: 127.0.0.1:0")
        .replace("settle: 5s", "settle: 1s");
    std::fs::write(&cfg, text).unwrap();
    let db = dir.path().join("h.db");
    let mut cmd = perfhound();
    cmd.args(["audit", "-q", "--serve", "--store"]).arg(&db).arg("--out").arg(dir.path().join("out")).arg(&cfg);
    let (mut audit, base) = start(cmd, "live view on");
    let mut b = cdp::Browser::launch();
    b.open(&format!("{base}/live"));
    b.wait_for("+document.body.dataset.total > 0 && document.getElementById('live-state').textContent === 'running'");
    drop(b);
    // Ctrl-C ends the load early; the audit still analyzes, writes and saves its run.
    unsafe { libc::kill(audit.id() as i32, libc::SIGINT) };
    let status = audit.wait().unwrap();
    assert!(matches!(status.code(), Some(0) | Some(1)), "{status}");
    let out = perfhound().args(["history", "--format", "json", "--store"]).arg(&db).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["command"], "audit", "{rows}");
}

/// The value of the one `/metrics` sample whose line starts with `series` (name and labels).
fn sample(metrics: &str, series: &str) -> f64 {
    let lines: Vec<&str> = metrics.lines().filter(|l| l.starts_with(series)).collect();
    assert_eq!(lines.len(), 1, "one sample {series}: {metrics}");
    lines[0][series.len()..].trim().parse().unwrap()
}

#[test]
fn metrics_carry_the_newest_runs_numbers_with_escaped_labels() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    store_support::save(&db, &store_support::run("older", "GET /old", 50_000), "c1", "main");
    let mut newest = store_support::run("newest", "GET /new", 20_000);
    let mut quoted = store_support::run("q", "GET /a\"b\nc", 8_000).targets.remove(0);
    (quoted.measurements.ok, quoted.measurements.failed) = (380, 20);
    newest.targets.push(quoted);
    store_support::save(&db, &newest, "c2", "main");

    let mut cmd = perfhound();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--store"]).arg(&db);
    let (server, base) = start(cmd, "dashboard on");
    let response = http(&base, "GET /metrics HTTP/1.1\r\n");
    stop(server);
    let (head, metrics) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("content-type: application/openmetrics-text"), "{head}");
    assert!(!metrics.contains("GET /old"), "only the newest run: {metrics}");
    let h = store_support::histogram(20_000, 400);
    for (q, quantile) in [("0.5", 0.5), ("0.95", 0.95), ("0.99", 0.99)] {
        let series =
            format!("perfhound_last_run_latency_seconds{{target=\"GET /new\",kind=\"endpoint\",quantile=\"{q}\"}}");
        assert_eq!(sample(metrics, &series), h.quantile_us(quantile) as f64 / 1e6, "{series}");
    }
    let new = "{target=\"GET /new\",kind=\"endpoint\"}";
    assert_eq!(sample(metrics, &format!("perfhound_last_run_requests_per_second{new}")), 40.0);
    assert_eq!(sample(metrics, &format!("perfhound_last_run_error_ratio{new}")), 0.0);
    let quoted = "{target=\"GET /a\\\"b\\nc\",kind=\"endpoint\"}";
    assert_eq!(sample(metrics, &format!("perfhound_last_run_error_ratio{quoted}")), 0.05);
    assert!(metrics.contains("perfhound_spans_received_total"), "the receiver's own counters: {metrics}");
    for line in metrics.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.starts_with("perfhound_") && line.rsplit(' ').next().unwrap().parse::<f64>().is_ok(), "{line:?}");
    }
    assert!(metrics.trim_end().ends_with("# EOF"), "{metrics}");
}
