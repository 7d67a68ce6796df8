//! Secrets stay secret (issue 12): a secret passed in any supported shape — every header
//! flag form, URL userinfo, `?token=`-style parameters, a body, a PostgreSQL URL or libpq
//! conninfo, scenario headers — never reaches any output: the terminal, run files, the
//! md/html/json reports, `check` text/json/JUnit, SARIF, or an audit's files.

use assert_cmd::Command;
use perfhound_testkit::{ServerConfig, TestServer};
use proptest::prelude::*;
use std::path::Path;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

/// stdout + stderr of one invocation, whatever its exit code (errors are outputs too).
fn outputs(cmd: &mut Command) -> String {
    let out = cmd.output().expect("perfhound runs");
    assert!(out.status.code().is_some_and(|c| c <= 2), "no crash: {out:?}");
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `perfhound load` arguments carrying `secret` in shape `form`.
fn load_args(form: usize, server: &TestServer, param: &str, secret: &str) -> Vec<String> {
    let url = server.url("/");
    let with = |extra: &[String]| [vec!["load".to_string(), url.clone()], extra.to_vec()].concat();
    match form {
        0 => with(&["-H".into(), format!("Authorization: Bearer {secret}")]),
        1 => with(&[format!("-HCookie: sid={secret}")]),
        2 => with(&["--header".into(), format!("X-Api-Key: {secret}")]),
        3 => with(&[format!("--header=Proxy-Authorization: Basic {secret}")]),
        4 => with(&["-kH".into(), format!("X-Auth-Token:{secret}")]),
        5 => vec!["load".into(), server.url(&format!("/?a=1&{param}={secret}"))],
        6 => vec!["load".into(), url.replacen("://", &format!("://user:{secret}@"), 1)],
        _ => with(&["-m".into(), "POST".into(), "-b".into(), format!("{{\"{param}\": \"{secret}\"}}")]),
    }
}

/// A port nothing listens on (bound, then released): connections there fail fast.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Every output a load run feeds: terminal, run.json, `--format json`, reports, check.
fn load_outputs(args: &[String], dir: &Path) -> (String, String) {
    let run = dir.join("run.json");
    let mut all = outputs(perfhound().args(args).args(["-n", "3", "-c", "1", "--out"]).arg(&run));
    all += &outputs(perfhound().args(args).args(["-n", "2", "-c", "1", "-q", "--format", "json"]));
    let run_json = read(&run);
    all += &run_json;
    for format in ["md", "html", "json"] {
        all += &outputs(perfhound().args(["report", "--format", format]).arg(&run));
    }
    let budget = dir.join("budgets.yaml");
    std::fs::write(&budget, "budgets:\n  - {target: overall, p95: 1ms}\n  - {target: \"GET /*\", p99: 1ms}\n").unwrap();
    let junit = dir.join("junit.xml");
    for format in ["text", "json", "github"] {
        all += &outputs(
            perfhound()
                .args(["check", "--format", format, "--budget"])
                .arg(&budget)
                .arg(&run)
                .arg("--junit")
                .arg(&junit),
        );
        all += &read(&junit);
    }
    (all, run_json)
}

/// `perfhound traces` on the fixture whose endpoint carries the secret in a query parameter.
fn traces_outputs(param: &str, secret: &str, dir: &Path) -> String {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../perfhound-traces/tests/fixtures/otlp_n_plus_one.json");
    let text = std::fs::read_to_string(fixture)
        .unwrap()
        .replace("/orders/{id}\"", &format!("/orders/{{id}}?{param}={secret}\""));
    let input = dir.join("traces.json");
    std::fs::write(&input, text).unwrap();
    let run = dir.join("traces-run.json");
    let mut all = outputs(perfhound().arg("traces").arg(&input).args(["--format", "sarif", "-o"]).arg(&run));
    all += &outputs(perfhound().arg("traces").arg(&input).args(["--format", "text"]));
    all + &read(&run)
}

/// `perfhound db` failing to connect: the error quotes the connection string.
fn db_outputs(secret: &str) -> String {
    let port = closed_port();
    let url = format!("postgres://app:{secret}@127.0.0.1:{port}/shop");
    let conninfo = format!("host=127.0.0.1 port={port} user=app password={secret} dbname=shop");
    outputs(perfhound().args(["db", &url])) + &outputs(perfhound().args(["db", &conninfo]))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_secret_reaches_any_output(
        form in 0usize..8,
        param in proptest::sample::select(&["password", "token", "api_key", "secret", "access_token"][..]),
        secret in "[A-Za-z0-9][A-Za-z0-9._~-]{15,23}",
    ) {
        let server = TestServer::start(ServerConfig::default());
        let dir = tempfile::tempdir().unwrap();
        let args = load_args(form, &server, param, &secret);
        let (load, run_json) = load_outputs(&args, dir.path());
        prop_assert!(!load.contains(&secret), "load/report/check kept `{secret}` ({args:?}):\n{load}");
        // The shape itself was recorded, masked (a URL with userinfo may be refused before a run).
        prop_assert!(run_json.contains("***") || (form == 6 && run_json.is_empty()), "nothing masked: {run_json}");
        let traces = traces_outputs(param, &secret, dir.path());
        prop_assert!(!traces.contains(&secret), "traces/SARIF kept `{secret}`:\n{traces}");
        prop_assert!(traces.contains(&format!("{param}=***")), "the endpoint was reported, masked:\n{traces}");
        let db = db_outputs(&secret);
        prop_assert!(!db.contains(&secret), "db error kept `{secret}`:\n{db}");
        prop_assert!(db.contains("app:***@127.0.0.1") && db.contains("password=***"), "{db}");
    }
}

#[test]
fn scenario_headers_and_database_urls_stay_out_of_an_audit() {
    let secret = "Sc3narioS3cretValue42";
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("perfhound.yaml");
    let scenario = format!(
        "base_url: {}\nscenarios:\n  s:\n    executor: constant-vus\n    vus: 1\n    duration: 1s\n    flow:\n      \
         - get: /?token={secret}\n        headers: {{Authorization: \"Bearer {secret}\", X-Api-Key: \"{secret}\"}}\n\
         audit:\n  out: out\n",
        server.base_url()
    );
    std::fs::write(&cfg, &scenario).unwrap();
    let mut all = outputs(perfhound().args(["audit"]).arg(&cfg));
    let run = read(&dir.path().join("out/run.json"));
    assert!(run.contains("token=***"), "the request is named, masked: {run}");
    all += &run;
    all += &read(&dir.path().join("out/report.md"));
    all += &read(&dir.path().join("out/report.html"));
    all += &outputs(perfhound().args(["load"]).arg(&cfg).args(["--format", "json"]));
    // A database URL with a password: refused before any request, the error masks it.
    let with_db = scenario.replace(
        "  out: out\n",
        &format!("  db: postgres://app:{secret}@127.0.0.1:{}/x\n  out: out2\n", closed_port()),
    );
    std::fs::write(&cfg, with_db).unwrap();
    let db = outputs(perfhound().args(["audit"]).arg(&cfg));
    assert!(db.contains("app:***@"), "{db}");
    all += &db;
    assert!(!all.contains(secret), "an audit output kept the secret:\n{all}");
}
