//! `audit.profile: pprof:` end to end with real pprof bodies: pprof-rs samples this test
//! process while it burns CPU in a named function, the protobuf is gzipped as Go's
//! `/debug/pprof/profile` serves it, a real HTTP server on 127.0.0.1:0 answers the audit's
//! pull with it, and the report's top frames must come from that profile. A second audit,
//! against the first as `--baseline`, pulls a profile where another function burns: its
//! HTML report carries both flame graphs, and in headless Chromium (real mouse clicks over
//! the DevTools protocol) zoom and search must work on the differential graph alone,
//! without a CSP violation.
//!
//! A test binary of its own: pprof-rs samples the whole process, so no other test may
//! burn CPU in it while it records.

mod cdp;

use assert_cmd::Command;
use perfhound_model::{Run, SourceKind};
use perfhound_testkit::{ServerConfig, TestServer};
use protobuf::Message as _;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

#[inline(never)]
fn pprof_endpoint_hot_loop(n: u64) -> u64 {
    // Plain loops and operators: a debug build calls no helper in the inner loop.
    let (mut acc, mut a) = (0u64, 0u64);
    while a < n {
        let mut b = 0u64;
        while b < n {
            acc ^= a * 17 + b;
            b += 1;
        }
        a += 1;
    }
    acc
}

/// The "after" profile's hot function: another name, so the differential graph moves.
#[inline(never)]
fn pprof_endpoint_fixed_loop(n: u64) -> u64 {
    let (mut acc, mut a) = (0u64, 0u64);
    while a < n * n {
        acc = acc.wrapping_add(a ^ 5);
        a += 1;
    }
    acc
}

/// A gzipped pprof profile of this process burning CPU in `burn`.
fn record_gzipped_pprof(burn: fn(u64) -> u64) -> Vec<u8> {
    let guard = pprof::ProfilerGuardBuilder::default().frequency(1000).build().expect("profiler starts");
    let start = std::time::Instant::now();
    let mut samples = 0;
    // Bounded: stop after enough CPU samples or 20 s, whichever comes first.
    while samples < 100 && start.elapsed().as_secs() < 20 {
        std::hint::black_box(burn(std::hint::black_box(3000)));
        samples = guard.report().build().map(|r| r.data.values().sum::<isize>()).unwrap_or(0);
    }
    let bytes = guard.report().build().expect("report").pprof().expect("pprof").write_to_bytes().expect("encode");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    gz.finish().unwrap()
}

/// Serves `body` once at `/debug/pprof/profile`; the handle yields the request line.
fn profile_endpoint(body: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/debug/pprof/profile", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
            head.push(byte[0]);
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"profile\"\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(response.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        String::from_utf8_lossy(&head).lines().next().unwrap_or("").to_string()
    });
    (url, handle)
}

/// Audits a testkit server while the audit pulls `body` from a pprof endpoint; returns
/// the output directory and the profile perfhound reads from `body`.
fn audit(dir: &Path, name: &str, body: Vec<u8>, baseline: Option<&Path>) -> (PathBuf, perfhound_profile::Profile) {
    assert_eq!(&body[..2], &[0x1f, 0x8b], "gzipped as Go serves it");
    let mut expected = perfhound_profile::Profile::default();
    let format = perfhound_profile::read(&body[..], &mut expected).expect("the body is a pprof profile");
    assert_eq!(format, perfhound_profile::Format::Pprof);
    let (url, endpoint) = profile_endpoint(body);
    let server = TestServer::start(ServerConfig::default());
    let cfg = dir.join(format!("{name}.yaml"));
    let config = format!(
        "base_url: {}\nscenarios:\n  browse:\n    executor: constant-vus\n    vus: 1\n    duration: 2s\n    flow:\n      - {{name: GET /api/ping, get: /api/ping}}\naudit:\n  profile:\n    pprof: {url}\n    seconds: 2s\n",
        server.base_url()
    );
    std::fs::write(&cfg, config).unwrap();
    let out = dir.join(name);
    let mut cmd = Command::cargo_bin("perfhound").unwrap();
    cmd.args(["audit", "-q", "--out"]).arg(&out).arg(&cfg);
    if let Some(b) = baseline {
        cmd.arg("--baseline").arg(b);
    }
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(endpoint.join().unwrap(), "GET /debug/pprof/profile?seconds=2 HTTP/1.1");
    let run = Run::from_json(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert!(run.warnings.iter().all(|w| !w.contains("no CPU profile")), "{:?}", run.warnings);
    let source = run.sources.iter().find(|s| s.kind == SourceKind::Profile).expect("a profile source");
    let samples = format!("pprof {url} (2 s), {} samples", expected.total());
    assert!(expected.total() >= 50 && source.description.starts_with(&samples), "{source:?} vs {samples}");
    (out, expected)
}

/// The first row of the report's CPU Profile table (markdown).
fn top_row(out: &Path) -> String {
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let section = &md[md.find("## CPU Profile").expect("a CPU Profile section")..];
    section.lines().find(|l| l.starts_with("| `")).unwrap_or("").to_string()
}

#[test]
fn real_pprof_profiles_reach_the_report_and_both_flame_graphs_work_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (before, _) = audit(dir.path(), "before", record_gzipped_pprof(pprof_endpoint_hot_loop), None);
    assert!(top_row(&before).contains("pprof_endpoint_hot_loop`"), "{}", top_row(&before));
    let folded = std::fs::read_to_string(before.join("profile.folded")).unwrap();
    assert!(folded.lines().any(|l| l.contains("pprof_endpoint_hot_loop")), "{folded:.500}");

    let body = record_gzipped_pprof(pprof_endpoint_fixed_loop);
    let (after, _) = audit(dir.path(), "after", body, Some(&before.join("run.json")));
    assert!(top_row(&after).contains("pprof_endpoint_fixed_loop`"), "{}", top_row(&after));
    let html = after.join("report.html");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<figure class=\"flame\">") && page.contains("<figure class=\"flame-diff\">"));
    both_graphs_in_chromium(&html);
}

/// The differential graph zooms on a real click and searches, the first graph stays as
/// it was, and the page reports no error (a CSP violation is a console error).
fn both_graphs_in_chromium(html: &Path) {
    const FLAME: &str = "document.querySelector('figure.flame svg.ph-flame')";
    const DIFF: &str = "document.querySelector('figure.flame-diff svg.ph-flame')";
    let mut b = cdp::Browser::launch();
    b.open(&format!("file://{}", html.display()));
    b.wait_for("document.querySelectorAll('svg.ph-flame[data-ready=\"1\"]').length === 2");
    // The deepest frame wide enough to click: zooming on it dims its callers (the frames
    // above the zoomed one are drawn at 0.6 opacity) in this graph only.
    let depth = b
        .eval(&format!(
            "(() => {{ const fs = Array.from({DIFF}.querySelectorAll('g.f')).filter(g => +g.querySelector('rect').getAttribute('width') >= 12); \
               fs.sort((x, y) => +y.getAttribute('data-d') - +x.getAttribute('data-d')); fs[0].setAttribute('data-pick', '1'); \
               return +fs[0].getAttribute('data-d'); }})()"
        ))
        .as_u64()
        .unwrap();
    let dimmed = |svg: &str| format!("{svg}.querySelectorAll('rect[fill-opacity=\"0.6\"]').length");
    let shown = format!("{DIFF}.querySelectorAll('g.f:not([display])').length");
    let all = b.eval(&format!("{DIFF}.querySelectorAll('g.f').length")).as_u64().unwrap();
    b.click_element(&format!("{DIFF}.querySelector('g.f[data-pick] rect')"));
    b.wait_for(&format!("{DIFF}.hasAttribute('data-zoom')"));
    assert_eq!(b.eval(&dimmed(DIFF)).as_u64(), Some(depth), "the zoomed frame's {depth} callers are dimmed");
    assert_eq!(b.eval(&dimmed(FLAME)).as_u64(), Some(0), "the other graph did not zoom");
    assert_eq!(b.eval(&format!("{FLAME}.getAttribute('data-zoom')")), serde_json::Value::Null);
    b.click_element(&format!("{DIFF}.querySelector('text.reset')"));
    b.wait_for(&format!("!{DIFF}.hasAttribute('data-zoom') && {shown} === {all} && {} === 0", dimmed(DIFF)));

    b.eval("window.prompt = () => 'fixed_loop'; true");
    b.click_element(&format!("{DIFF}.querySelector('text.search')"));
    b.wait_for(&format!("{DIFF}.hasAttribute('data-matched')"));
    let matched = b.eval(&format!("{DIFF}.querySelector('text.matched').textContent"));
    let share: f64 =
        matched.as_str().and_then(|m| m.strip_prefix("Matched: ")?.strip_suffix('%')?.parse().ok()).unwrap();
    assert!(share > 50.0, "the fixed loop holds most of the after profile: {matched}");
    let magenta = b.eval(&format!("{DIFF}.querySelectorAll('rect[fill=\"rgb(230,0,230)\"]').length"));
    assert!(magenta.as_u64().unwrap() >= 1);
    assert_eq!(b.eval(&format!("{FLAME}.hasAttribute('data-matched')")), serde_json::Value::Bool(false));
    assert!(b.problems().is_empty(), "{:#?}", b.problems());
}
