//! `perfhound capacity` as a user runs it: help, bad input, a bounded search written as a
//! run file, `--require`, Ctrl-C keeping the finished steps, and a soak.

use assert_cmd::Command;
use perfhound_testkit::{ServerConfig, TestServer};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

#[test]
fn help_has_examples_and_bad_input_exits_2_with_the_reason() {
    let help = perfhound().args(["capacity", "--help"]).assert().success();
    let text = String::from_utf8_lossy(&help.get_output().stdout).to_string();
    assert!(text.contains("perfhound capacity http://127.0.0.1:8080/api/orders --slo"), "{text}");
    assert!(text.contains("--soak"), "{text}");
    let bad = perfhound().args(["capacity", "http://127.0.0.1:9/", "--slo", "p99 <"]).assert().code(2);
    let err = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(err.contains("--slo `p99 <`"), "{err}");
    let bad = perfhound().args(["capacity", "http://127.0.0.1:9/", "--step", "1s"]).assert().code(2);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("--step must be at least 2s"));
    let bad = perfhound().args(["capacity", "http://127.0.0.1:9/", "--soak", "10s"]).assert().code(2);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("--watch-pid"));
}

#[test]
fn a_bounded_search_writes_the_run_with_its_capacity_section() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("capacity.json");
    let args = [
        "capacity",
        &server.url("/"),
        "--start-rate",
        "10",
        "--max-rate",
        "20",
        "--step-factor",
        "2",
        "--step",
        "3s",
        "--slo",
        "p99 < 2s",
        "-q",
    ];
    let ok = perfhound().args(args).arg("--out").arg(&out).assert().success();
    let stdout = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
    assert!(
        stdout.contains("max under SLO") && stdout.contains("every step up to --max-rate 20/s met the SLO"),
        "{stdout}"
    );
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let c = &run["load"]["capacity"];
    assert_eq!(c["stop"], "max_rate");
    assert_eq!(c["steps"].as_array().unwrap().len(), 2);
    assert_eq!(c["steps"][1]["offered_rps"], 20.0);
    assert!(c["max_sustainable_rps"].as_f64().unwrap() > 15.0, "{c}");
    assert_eq!(run["schema_version"], 1);
    perfhound().args(args).args(["--require", "1000"]).assert().code(1);
    let html = dir.path().join("report.html");
    perfhound().arg("report").arg(&out).arg("-o").arg(&html).assert().success();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<section id=\"scalability\">"), "the report has a Scalability section");
    assert!(page.contains("data-mark=\"max under SLO 20/s\""), "the max sustainable rate is marked on the curve");
    let md = perfhound().arg("report").arg(&out).assert().success();
    let md = String::from_utf8_lossy(&md.get_output().stdout).to_string();
    assert!(md.contains("## Scalability") && md.contains("| Ramp | 20/s |"), "{md}");
}

#[test]
fn ctrl_c_keeps_the_finished_steps() {
    let server = TestServer::start(ServerConfig::default());
    let bin = assert_cmd::cargo::cargo_bin("perfhound");
    let mut child = std::process::Command::new(bin)
        .args(["capacity", &server.url("/"), "--start-rate", "10", "--step", "3s", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("ramp") {
        line.clear();
    }
    assert!(line.contains("ramp"), "a first step finished");
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let run: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let c = &run["load"]["capacity"];
    assert_eq!(c["stop"], "interrupted", "{c}");
    let steps = c["steps"].as_array().unwrap();
    assert!(!steps.is_empty() && steps.len() <= 2, "{c}");
    assert!(steps.iter().all(|s| s["requests"].as_u64().unwrap() > 0));
}

#[test]
fn a_soak_fits_the_watched_process() {
    let server = TestServer::start(ServerConfig::default());
    let pid = std::process::id().to_string();
    let ok = perfhound()
        .args(["capacity", &server.url("/"), "--soak", "6s", "--warmup", "1s", "--soak-rate", "20"])
        .args(["--watch-pid", &pid, "--memory-limit", "64GB", "--format", "json"])
        .assert()
        .success();
    let run: serde_json::Value = serde_json::from_slice(&ok.get_output().stdout).unwrap();
    let soak = &run["load"]["capacity"]["soak"];
    let names: Vec<&str> = soak["trends"].as_array().unwrap().iter().map(|t| t["resource"].as_str().unwrap()).collect();
    assert_eq!(names, ["rss_bytes", "open_fds", "threads"], "{soak}");
    assert_eq!(run["load"]["capacity"]["stop"], "soak");
}
