//! `perfhound init` + `perfhound audit` as a user runs them against a real server.

use assert_cmd::Command;
use perfhound_testkit::{ServerConfig, TestServer};
use std::path::Path;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

/// `perfhound init` for `server`, shortened for a test and with a free receiver port.
fn init(server: &TestServer, dir: &Path, p95: &str) -> std::path::PathBuf {
    let cfg = dir.join("perfhound.yaml");
    perfhound().args(["init", "--url", &server.base_url(), "-o"]).arg(&cfg).assert().success();
    let text = std::fs::read_to_string(&cfg).unwrap();
    let text = text
        .replace("duration: 30s", "duration: 1s")
        .replace("vus: 10", "vus: 2")
        .replace("listen: 127.0.0.1:4318", "listen: 127.0.0.1:0")
        .replace("settle: 5s", "settle: 2s")
        .replace("p95: 500ms", &format!("p95: {p95}"));
    std::fs::write(&cfg, text).unwrap();
    cfg
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("perfhound.yaml");
    perfhound().args(["init", "-o"]).arg(&cfg).assert().success();
    let out = perfhound().args(["init", "-o"]).arg(&cfg).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--force"));
    perfhound().args(["init", "--force", "-o"]).arg(&cfg).assert().success();
}

#[test]
fn audit_writes_run_and_reports_judges_budgets_and_compares_with_a_baseline() {
    let server = TestServer::start(ServerConfig {
        fixed_delay: Some(std::time::Duration::from_millis(5)),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let cfg = init(&server, dir.path(), "500ms");
    let out = perfhound().args(["audit", "-q"]).arg(&cfg).assert().code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("report:") && stdout.contains("report.html"), "{stdout}");
    assert!(stdout.contains("budgets: 2 passed, 0 failed"), "{stdout}");
    let first = dir.path().join("perfhound-audit/run.json");
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(&first).unwrap()).unwrap();
    let sent = run["load"]["accounting"]["requests_sent"].as_u64().unwrap();
    assert!(sent > 0 && server.stats().requests_total >= sent, "{run}");
    let warnings = run["warnings"].to_string();
    assert!(warnings.contains("no spans reached the OTLP receiver"), "{warnings}");
    let html = std::fs::read_to_string(dir.path().join("perfhound-audit/report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"), "{}", &html[..40]);

    // A budget the service cannot meet: exit 1; the report compares with the first audit.
    let cfg = init(&server, &dir.path().join("strict").tap_mkdir(), "1us");
    let out = perfhound()
        .args(["audit", "-q", "--baseline"])
        .arg(&first)
        .arg("--out")
        .arg(dir.path().join("after"))
        .arg(&cfg)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("1 failed"), "{stdout}");
    let md = std::fs::read_to_string(dir.path().join("after/report.md")).unwrap();
    assert!(md.contains("## Before / After") && md.contains("Baseline"), "{md}");
}

#[test]
fn bad_config_and_unreachable_database_exit_2_before_any_request() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let cfg = init(&server, dir.path(), "500ms");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replace("  out: perfhound-audit", "  db: sqlite://missing.db\n  out: perfhound-audit"))
        .unwrap();
    let out = perfhound().args(["audit", "-q"]).arg(&cfg).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("missing.db") && stderr.contains("does not exist"), "{stderr}");
    std::fs::write(&cfg, text.replace("  title:", "  tilte:")).unwrap();
    let out = perfhound().args(["audit", "-q"]).arg(&cfg).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("perfhound.yaml:") && stderr.contains("tilte"), "{stderr}");
    assert_eq!(server.stats().requests_total, 0, "nothing is sent before the config is valid");
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}
