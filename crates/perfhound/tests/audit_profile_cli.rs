//! `audit.profile` end to end: a real Python service (OpenTelemetry SDK from PyPI) with seed
//! 002's O(n²) loop, audited while py-spy (PyPI) records it through the `command` method;
//! and the ways a capture can fail, each a warning that says why while the audit goes on.
//! The `pprof` method with a real pprof-rs profile is in `audit_pprof_cli.rs`.

use assert_cmd::Command;
use perfhound_model::{Run, SourceKind};
use perfhound_testkit::{ServerConfig, TestServer};
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A program from a virtualenv `./test.sh` creates.
fn venv_bin(venv: &str, program: &str, setup: &str) -> PathBuf {
    let p = workspace().join(format!("target/{venv}/bin/{program}"));
    assert!(p.exists(), "{} is missing: run ./test.sh (it runs {setup})", p.display());
    p
}

/// The Python service, killed on drop.
struct App {
    child: Child,
    port: u16,
}

impl App {
    fn start(receiver_port: u16) -> App {
        let python = venv_bin("otel-venv", "python", "tests/otel_app/setup.sh");
        let mut child = std::process::Command::new(python)
            .arg(workspace().join("tests/profile/audit_app.py"))
            .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", format!("http://127.0.0.1:{receiver_port}/v1/traces"))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("the app prints its port");
        App { child, port }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_config(dir: &Path, base_url: &str, receiver: Option<u16>, profile: &str) -> PathBuf {
    let traces = receiver.map_or(String::new(), |p| format!("  traces: {{listen: 127.0.0.1:{p}, settle: 10s}}\n"));
    let text = format!(
        "base_url: {base_url}\nscenarios:\n  browse:\n    executor: constant-vus\n    vus: 1\n    duration: 4s\n    flow:\n      - {{name: GET /api/similar, get: /api/similar}}\n      - {{name: GET /api/ping, get: /api/ping}}\naudit:\n{traces}  out: out\n  profile:\n{profile}"
    );
    let cfg = dir.join("perfhound.yaml");
    std::fs::write(&cfg, text).unwrap();
    cfg
}

fn read_run(dir: &Path) -> Run {
    Run::from_json(&std::fs::read_to_string(dir.join("out/run.json")).unwrap()).unwrap()
}

#[test]
fn py_spy_profile_names_the_hot_loop_in_the_own_code_finding_and_the_report() {
    let py_spy = venv_bin("profile-venv", "py-spy", "tests/profile/setup.sh");
    let receiver = perfhound_testkit::free_port();
    let app = App::start(receiver);
    let dir = tempfile::tempdir().unwrap();
    let command = format!(
        "{} record --pid {{pid}} --duration {{seconds}} --format raw --nonblocking --output {{out}}",
        py_spy.display()
    );
    let profile = format!("    command: \"{command}\"\n    pid: {}\n    seconds: 3s\n", app.child.id());
    let cfg = write_config(dir.path(), &format!("http://127.0.0.1:{}", app.port), Some(receiver), &profile);
    let out = perfhound().args(["audit", "-q"]).arg(&cfg).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stdout}{stderr}");
    let run = read_run(dir.path());
    assert!(run.warnings.iter().all(|w| !w.contains("no CPU profile")), "{:?}", run.warnings);
    let source = run.sources.iter().find(|s| s.kind == SourceKind::Profile).expect("a profile source");
    assert!(source.description.contains("py-spy record") && source.description.contains("samples"), "{source:?}");
    let own =
        run.findings.iter().find(|f| f.rule.code == "PH-TRACE017").expect("the O(n²) endpoint is CPU-bound own code");
    assert_eq!(own.target, "GET /api/similar");
    let note = own.evidence.notes.iter().find(|n| n.starts_with("CPU profile")).expect("the profile's frames");
    assert!(note.contains("find_similar_products (audit_app.py:"), "{note}");
    let folded = std::fs::read_to_string(dir.path().join("out/profile.folded")).unwrap();
    assert!(folded.lines().any(|l| l.contains("find_similar_products")), "{folded}");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    let section = &html[html.find("<section id=\"profile\">").expect("a CPU Profile section")..];
    // The first row of the hotspot table (cut at its `</tr>`, not at a byte count: a cell
    // may hold a multi-byte `—`).
    let body = &section[section.find("<tbody>").unwrap()..];
    let first_row = &body[..body.find("</tr>").expect("a hotspot row")];
    assert!(first_row.contains("find_similar_products"), "{first_row}");
}

#[test]
fn a_profiler_that_cannot_run_is_a_warning_and_the_audit_goes_on() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "    command: \"no-such-profiler-xyz --pid {pid} -o {out}\"\n    pid: 1\n",
            "`no-such-profiler-xyz` is not installed",
        ),
        ("    perf: true\n    pid: 999999999\n", "process 999999999 is not running"),
        (
            "    command: \"sh -c 'echo ptrace: Operation not permitted >&2; exit 1' {out}\"\n",
            "Operation not permitted",
        ),
        (&format!("    pprof: {}\n    seconds: 1s\n", server.url("/status/404")), "answered 404"),
    ];
    for (profile, why) in cases {
        let cfg = write_config(dir.path(), &server.base_url(), None, profile);
        let out = perfhound().args(["audit"]).arg(&cfg).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("no CPU profile") && stderr.contains(why), "{why}: {stderr}");
        let run = read_run(dir.path());
        assert!(run.warnings.iter().any(|w| w.contains(why) && w.contains("went on without")), "{:?}", run.warnings);
        assert!(run.targets.iter().any(|t| t.name == "GET /api/similar" && t.measurements.requests > 0));
        assert!(!std::fs::read_to_string(dir.path().join("out/report.html")).unwrap().contains("id=\"profile\""));
    }
}

#[test]
fn a_bad_profile_section_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "http://127.0.0.1:9", None, "    perf: true\n");
    let out = perfhound().args(["audit"]).arg(&cfg).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("perfhound.yaml:")
            && stderr.contains("audit.profile: this method needs the service's process id"),
        "{stderr}"
    );
}

/// `perf: true` attached to this test process while the load keeps its testkit server
/// busy in `perfhound_testkit::work::spin`: the hot function must top the profile. Where
/// perf is not permitted the audit must say why instead (and still finish).
#[test]
fn perf_attached_to_a_pid_finds_the_busy_function_or_says_why_not() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let profile = format!("    perf: true\n    pid: {}\n    seconds: 2s\n", std::process::id());
    let cfg = write_config(dir.path(), &server.base_url(), None, &profile);
    let text = std::fs::read_to_string(&cfg).unwrap().replace("get: /api/similar", "get: /work/linear/2000");
    std::fs::write(&cfg, text).unwrap();
    let out = perfhound().args(["audit"]).arg(&cfg).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let run = read_run(dir.path());
    match run.warnings.iter().find(|w| w.contains("no CPU profile")) {
        Some(w) => assert!(w.contains("perf"), "a refusal names perf and what to do: {w}"),
        None => {
            // Unoptimized, the self time is in inlined iterator frames; spin's total is the bulk.
            let folded = std::fs::read_to_string(dir.path().join("out/profile.folded")).unwrap();
            let weight = |l: &str| l.rsplit_once(' ').and_then(|(_, w)| w.parse::<u64>().ok()).unwrap_or(0);
            let total: u64 = folded.lines().map(weight).sum();
            let spin: u64 = folded.lines().filter(|l| l.contains("work::spin")).map(weight).sum();
            // perf sees the whole test process: other tests' servers run in it too, so spin
            // holds the busy load's share (about half when this test runs alone), not all.
            assert!(total > 0 && spin * 10 >= total, "spin {spin} of {total} samples:\n{folded}");
            let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
            assert!(html.contains("<section id=\"profile\"><h2>CPU Profile</h2>"));
        }
    }
}

/// An unreachable service fails the audit (exit 2) before any profiler is started.
#[test]
fn no_profiler_is_started_for_a_load_that_cannot_run() {
    let refused = perfhound_testkit::RefusedPort::bind().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("profiler-ran");
    let profile = format!("    command: \"touch {} {{out}}\"\n    seconds: 1s\n", marker.display());
    let cfg = write_config(dir.path(), &refused.url(""), None, &profile);
    let out = perfhound().args(["audit", "-q"]).arg(&cfg).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert!(!marker.exists(), "the profiler was started");
}
