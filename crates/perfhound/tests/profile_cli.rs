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
    let table: Vec<&str> = stdout.lines().skip(3).take_while(|l| !l.is_empty()).collect();
    assert_eq!(table.len(), 3, "{stdout}");
    assert!(stdout.contains("[critical] PH-PROF001 hot-function: hot::find_similar holds 82 %"), "{stdout}");
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

#[test]
fn flamegraph_svg_is_written_and_findings_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("app.svg");
    let out =
        perfhound().args(["profile", &fixture("pyspy.speedscope.json"), "--flamegraph"]).arg(&svg).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg ") && svg.contains("<title>find_similar\n"), "{}", &svg[..300]);
    assert!(stdout.contains("[critical] PH-PROF002 serialization-hot: JSON serialization takes 37 %"), "{stdout}");
    assert!(stdout.contains("[warning] PH-PROF001 hot-function: find_similar holds 48 %"), "{stdout}");
}

#[test]
fn a_gzipped_pprof_reads_and_fail_on_exits_1() {
    let out = perfhound()
        .args(["profile", &fixture("go-handmade.pb.gz"), "--format", "json", "--fail-on", "critical"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["formats"], serde_json::json!(["pprof"]));
    assert_eq!(v["hotspots"][0]["function"], "main.findSimilar");
    assert_eq!(v["findings"][0]["rule"]["code"], "PH-PROF001");
    assert_eq!(v["findings"][0]["severity"], "critical");
}

#[test]
fn diff_lists_the_biggest_movers_and_writes_the_differential_graph() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after, svg) = (dir.path().join("b.folded"), dir.path().join("a.folded"), dir.path().join("d.svg"));
    std::fs::write(&before, "main;handle;find_similar 30\nmain;handle;encode 70\n").unwrap();
    std::fs::write(&after, "main;handle;find_similar 90\nmain;handle;encode 10\n").unwrap();
    let out = perfhound()
        .args(["profile", "--format", "json", "--diff"])
        .args([&before, &after])
        .arg("--flamegraph")
        .arg(&svg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let top: Vec<&str> = v["movers"].as_array().unwrap()[..2].iter().map(|m| m["function"].as_str().unwrap()).collect();
    assert!(top.contains(&"find_similar") && top.contains(&"encode"), "{v}");
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains("before 30.00 % → after 90.00 % (+60.00 pts)"), "the planted change is drawn");
}

/// `--out` writes the run file, the store keeps the run (`perfhound history` lists it
/// with its findings and tag), and `--no-store` keeps `PERFHOUND_STORE` untouched.
#[test]
fn a_profile_run_is_written_with_out_and_saved_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run_file) = (dir.path().join("h.db"), dir.path().join("run.json"));
    let out = perfhound()
        .env("PERFHOUND_STORE", &db)
        .args(["profile", &fixture("hot-rust.perf"), "--tag", "rev=2", "--out"])
        .arg(&run_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("run written to"));
    let run = perfhound_model::Run::from_json(&std::fs::read_to_string(&run_file).unwrap()).unwrap();
    assert!(run.sources[0].description.contains("hot-rust.perf (perf-script), 136 samples"), "{:?}", run.sources);
    assert!(run.findings.iter().any(|f| f.rule.code == "PH-PROF001"));
    perfhound()
        .env("PERFHOUND_STORE", &db)
        .args(["profile", "--no-store", "--diff", &fixture("pyspy-raw.folded"), &fixture("python.perf")])
        .assert()
        .success();
    let out = perfhound().args(["history", "--format", "json", "--store"]).arg(&db).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "--no-store saved nothing: {rows:?}");
    assert_eq!(rows[0]["command"], "profile");
    assert_eq!(rows[0]["id"], run.id.as_str());
    assert_eq!(rows[0]["findings"], run.findings.len());
    assert_eq!(rows[0]["tags"]["rev"], "2");
}
