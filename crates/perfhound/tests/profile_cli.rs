//! `perfhound profile` end to end: a real `perf script` recording and py-spy folded stacks
//! ranked by self time, JSON output, and bad input named by file and line (exit 2).

use assert_cmd::Command;
use std::path::PathBuf;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

fn fixture(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../perfhound-profile/tests/fixtures");
    dir.join(name).display().to_string()
}

#[test]
fn text_lists_the_hot_function_first_with_its_share() {
    let out = perfhound().args(["profile", &fixture("hot-rust.perf"), "--top", "3"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("136 samples,"), "{stdout}");
    let first = stdout.lines().nth(3).unwrap_or("");
    assert!(first.ends_with("hot::find_similar"), "{stdout}");
    assert_eq!(stdout.lines().count(), 3 + 3, "{stdout}");
}

#[test]
fn json_merges_files_and_carries_file_and_line() {
    let files = [fixture("pyspy-raw.folded"), fixture("python.perf")];
    let out = perfhound().arg("profile").args(&files).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["formats"], serde_json::json!(["folded", "perf-script"]));
    assert_eq!(v["samples"], 1003);
    assert_eq!(v["hotspots"][0]["function"], "find_similar");
    assert_eq!(v["hotspots"][0]["file"], "recs.py");
    assert_eq!(v["hotspots"][0]["line"], 12);
}

#[test]
fn bad_input_names_the_file_and_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.folded");
    std::fs::write(&bad, "main;work 3\nmain;work three\n").unwrap();
    let out = perfhound().arg("profile").arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.folded is not a profile perfhound reads"), "{stderr}");
    assert!(stderr.contains("line 2: `three` is not a sample count"), "{stderr}");
}
