//! Learned fixes end to end: an audit whose `--baseline` had a finding on its endpoint and
//! was slower records the fix; `perfhound learned` lists it; the same rule found by
//! `perfhound traces` on another endpoint cites it.

mod store_support;

use assert_cmd::Command;
use perfhound_testkit::{ServerConfig, TestServer};
use std::path::Path;

fn perfhound() -> Command {
    let mut cmd = Command::cargo_bin("perfhound").expect("binary is built");
    cmd.env_remove("PERFHOUND_STORE");
    cmd
}

fn audit_config(server: &TestServer, dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("perfhound.yaml");
    perfhound().args(["init", "--url", &server.base_url(), "-o"]).arg(&cfg).assert().success();
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("duration: 30s", "duration: 2s")
        .replace("vus: 10", "vus: 2")
        .replace("listen: 127.0.0.1:4318", "listen: 127.0.0.1:0")
        .replace("settle: 5s", "settle: 1s");
    std::fs::write(&cfg, text).unwrap();
    cfg
}

#[test]
fn an_audit_that_fixed_a_finding_and_got_faster_is_learned_and_cited() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let cfg = audit_config(&server, dir.path());
    perfhound()
        .args(["audit", "-q", "--out"])
        .arg(dir.path().join("first"))
        .arg(&cfg)
        .arg("--store")
        .arg(&db)
        .assert()
        .success();

    // The "before" of the story: the same audit, 200 ms slower on its endpoint, with N+1.
    let text = std::fs::read_to_string(dir.path().join("first/run.json")).unwrap();
    let mut before = perfhound_model::Run::from_json(&text).unwrap();
    before.id = "before-fix".into();
    let endpoint = before.targets.iter_mut().find(|t| t.kind == perfhound_model::TargetKind::Endpoint).unwrap();
    let name = endpoint.name.clone();
    endpoint.measurements.latency = Some(store_support::histogram(200_000, 400));
    before.findings.push(perfhound_model::Finding::new(&store_support::RULE, name.clone(), "N+1 queries"));
    let before_file = dir.path().join("before.json");
    std::fs::write(&before_file, serde_json::to_vec(&before).unwrap()).unwrap();

    let out = perfhound()
        .args(["audit", "-q", "--baseline"])
        .arg(&before_file)
        .arg("--out")
        .arg(dir.path().join("after"))
        .arg(&cfg)
        .arg("--store")
        .arg(&db)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!("learned PH-TRACE001: this fix took {name} from 20");
    assert!(stdout.contains(&expected), "{stdout}");

    let listed = perfhound().args(["learned", "--format", "json", "--store"]).arg(&db).output().unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["target"], name.as_str());
    assert_eq!(listed[0]["before_run"], "before-fix");
    assert!(listed[0]["after_value"].as_f64().unwrap() < 50_000.0, "{listed}");

    // The rule fires elsewhere: the finding cites the measured fix.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../perfhound-traces/tests/fixtures/otlp_n_plus_one.json");
    let traced =
        perfhound().arg("traces").arg(&fixture).args(["--format", "json", "--store"]).arg(&db).output().unwrap();
    let run: serde_json::Value = serde_json::from_slice(&traced.stdout).unwrap();
    let notes = run["findings"][0]["evidence"]["notes"].to_string();
    assert!(notes.contains(&format!("this fix took {name} from 20")), "{notes}");
    let text = perfhound().args(["learned", "--store"]).arg(&db).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("1 learned fixes"));

    // Every run above was saved, by the command that made it.
    let rows = perfhound().args(["history", "--format", "json", "--store"]).arg(&db).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&rows.stdout).unwrap();
    let commands: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["command"].as_str().unwrap()).collect();
    assert_eq!(commands, ["audit", "audit", "traces"]);
}
