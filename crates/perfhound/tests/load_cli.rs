//! `perfhound load` as a user runs it: exit codes, files written, Ctrl-C, bad input.

use assert_cmd::Command;
use perfhound_testkit::{ServerConfig, TestServer};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

#[test]
fn quick_mode_writes_a_versioned_run_and_exits_0() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let assert = perfhound()
        .args(["load", &server.url("/"), "-n", "100", "-c", "2", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("100 sent = 100 ok + 0 failed"), "{stdout}");
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(run["schema_version"], 1);
    assert_eq!(run["load"]["accounting"]["requests_sent"], 100);
    assert!(run["targets"][0]["measurements"]["latency"]["hdr"].as_str().unwrap().len() > 10);
}

#[test]
fn breached_threshold_exits_1_and_passing_exits_0() {
    let server = TestServer::start(ServerConfig {
        fixed_delay: Some(std::time::Duration::from_millis(10)),
        ..Default::default()
    });
    perfhound()
        .args(["load", &server.url("/"), "-n", "20", "-c", "2", "-q", "--threshold", "p50 < 1ms"])
        .assert()
        .code(1);
    perfhound()
        .args([
            "load",
            &server.url("/"),
            "-n",
            "20",
            "-c",
            "2",
            "-q",
            "--threshold",
            "p50 < 5s",
            "--threshold",
            "error_rate < 1%",
        ])
        .assert()
        .code(0);
}

#[test]
fn usage_and_connection_errors_exit_2_with_a_clear_message() {
    let refused = perfhound_testkit::RefusedPort::bind().unwrap();
    let out = perfhound().args(["load", &refused.url("/"), "-n", "5"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("cannot reach") && stderr.contains("server running"), "{stderr}");

    let out = perfhound().args(["load", "http://127.0.0.1:1/"]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("bounded"));
    let out = perfhound().args(["load", "http://127.0.0.1:1/", "-d", "ten"]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("-d/--duration"));
    perfhound().args(["load", "http://127.0.0.1:1/", "-n", "1", "--threshold", "p95 300"]).assert().code(2);
    let out = perfhound().args(["load", "http://127.0.0.1:1/", "-n", "1", "--threshold", "lcp < 2s"]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("perfhound check"));
    // A non-loopback address is refused before any packet is sent.
    let out = perfhound().args(["load", "http://10.255.255.1/", "-n", "1"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("not a loopback address") && stderr.contains("--allow-remote"), "{stderr}");
}

#[test]
fn ctrl_c_stops_cleanly_and_still_writes_partial_results() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("partial.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("perfhound"))
        .args(["load", &server.url("/delay/5"), "-d", "60s", "-c", "4", "--progress-interval", "1", "--out"])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    // Wait for the first progress line: the run is under way.
    loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "perfhound ended before printing progress");
        if line.contains("req/s") {
            break;
        }
    }
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("interrupted"), "{stdout}");
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(run["load"]["end_reason"], "interrupted");
    let acc = &run["load"]["accounting"];
    let sent = acc["requests_sent"].as_u64().unwrap();
    assert!(sent > 0);
    assert_eq!(sent, acc["requests_ok"].as_u64().unwrap() + acc["requests_failed"].as_u64().unwrap());
    assert!(run["load"]["duration_s"].as_f64().unwrap() < 30.0);
}

#[test]
fn rules_lists_the_hygiene_rules() {
    let out = perfhound().args(["rules", "--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let codes: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"PH-HTTP001") && codes.contains(&"PH-HTTP004"));
}

#[test]
fn scenario_mode_runs_a_file_and_thresholds_set_the_exit_code() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.yaml");
    let yaml = |threshold: &str| {
        format!(
            "base_url: {}\nscenarios:\n  s:\n    executor: shared-iterations\n    vus: 2\n    iterations: 20\n    flow:\n      - name: json\n        get: /json\n        check: {{status: 200, json: {{\"$.ok\": true}}}}\nthresholds:\n  - \"{threshold}\"\n",
            server.base_url()
        )
    };
    std::fs::write(&scenario, yaml("json: p99 < 10s")).unwrap();
    let out = perfhound().args(["load", "-q"]).arg(&scenario).assert().code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("20/20 passed"), "{stdout}");
    std::fs::write(&scenario, yaml("json: requests > 1000")).unwrap();
    perfhound().args(["load", "-q"]).arg(&scenario).assert().code(1);
}

#[test]
fn invalid_scenario_is_reported_with_file_line_and_field_before_any_request() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.yaml");
    std::fs::write(
        &scenario,
        format!("base_url: {}\nscenarios:\n  s:\n    executor: constant-vus\n    vus: 2\n    duration: 1s\n    flow:\n      - get: /\n        chek: {{status: 200}}\n", server.base_url()),
    )
    .unwrap();
    let out = perfhound().args(["load"]).arg(&scenario).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("bad.yaml:9:"), "{stderr}");
    assert!(stderr.contains("chek"), "{stderr}");
    assert_eq!(server.stats().requests_total, 0, "nothing is sent before the config validates");

    std::fs::write(dir.path().join("users.csv"), "name,pass\nalice,1\nbob\n").unwrap();
    std::fs::write(
        &scenario,
        format!("base_url: {}\ndata:\n  user: {{csv: users.csv}}\nscenarios:\n  s:\n    vus: 1\n    iterations: 1\n    flow:\n      - get: \"/?u={{{{ user.name }}}}\"\n", server.base_url()),
    )
    .unwrap();
    let out = perfhound().args(["load"]).arg(&scenario).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("users.csv:3"), "{stderr}");
    assert_eq!(server.stats().requests_total, 0);
}

#[test]
fn watch_pid_samples_the_target_process() {
    // The test servers run inside this test process: watch it.
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let pid = std::process::id().to_string();
    perfhound()
        .args(["load", &server.url("/"), "-d", "1500ms", "-c", "2", "-q", "--watch-pid", &pid, "--out"])
        .arg(&out)
        .assert()
        .success();
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let target = &run["resources"]["target"];
    assert_eq!(target["pid"].as_u64(), Some(u64::from(std::process::id())));
    assert!(!target["samples"].as_array().unwrap().is_empty());
    assert!(target["rss_bytes_peak"].as_u64().unwrap() > 0);
    perfhound().args(["load", &server.url("/"), "-n", "1", "--watch-pid", "4294967"]).assert().code(2);
}
