//! `perfhound db` end to end against a real PostgreSQL (the testkit's `pg` harness).

use perfhound_testkit::pg as support;

use assert_cmd::Command;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary")
}

async fn shop(name: &str) -> String {
    let (url, c) = support::database(name, true).await;
    support::seed::shop(&c, 100_000).await;
    support::seed::repeat(&c, "SELECT id FROM orders WHERE user_id = $1", 20, |i| vec![Box::new(i as i64 + 1)]).await;
    url
}

#[tokio::test]
async fn advises_in_json_never_prints_the_password_and_applies_with_yes() {
    let url = shop("cli_shop").await.replace("postgres@", "postgres:s3cret@");
    let dir = std::env::temp_dir().join(format!("perfhound-db-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("db.json");
    let out = perfhound().args(["db", &url, "--format", "json", "--out"]).arg(&out_file).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let file = std::fs::read_to_string(&out_file).unwrap();
    for text in [&*stdout, &*stderr, &file] {
        assert!(!text.contains("s3cret"), "password leaked: {text}");
    }
    let run: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(run["sources"][0]["kind"], "db");
    let missing = run["findings"].as_array().unwrap().iter().find(|f| f["rule"]["code"] == "PH-DB001").expect("advice");
    assert!(missing["recommendation"]["snippet"]
        .as_str()
        .unwrap()
        .contains("CREATE INDEX CONCURRENTLY orders_user_id"));

    let fail = perfhound().args(["db", &url, "--fail-on", "warning", "--no-checks"]).output().unwrap();
    assert_eq!(fail.status.code(), Some(1), "a warning finding breaches --fail-on warning");

    let refused = perfhound().args(["db", &url, "--apply", "--no-checks"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--yes"));

    let applied = perfhound().args(["db", &url, "--apply", "--yes", "--no-checks"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&applied.stderr);
    assert_eq!(applied.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("created public.orders_user_id"), "{stderr}");
    assert!(stderr.contains("re-measured"), "{stderr}");
    let again = perfhound().args(["db", &url, "--format", "json", "--no-checks"]).output().unwrap();
    let run: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(
        !run["findings"].as_array().unwrap().iter().any(|f| f["rule"]["code"] == "PH-DB001"),
        "the index now exists"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreachable_server_is_a_clear_usage_error() {
    let refused = perfhound_testkit::RefusedPort::bind().unwrap();
    let url = format!("postgres://u:hunter2@127.0.0.1:{}/x", refused.port());
    let out = perfhound().args(["db", &url]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("cannot connect to postgres://u:***@127.0.0.1"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn statement_timeout_reads_the_same_durations_as_load() {
    let refused = perfhound_testkit::RefusedPort::bind().unwrap();
    let url = format!("postgres://u@127.0.0.1:{}/x", refused.port());
    for accepted in ["1h", "1h30m", "500ms", "2", "2 minutes"] {
        let out = perfhound().args(["db", &url, "--statement-timeout", accepted]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{accepted}: {stderr}");
        assert!(stderr.contains("cannot connect"), "`{accepted}` gets past the flag: {stderr}");
    }
    let out = perfhound().args(["db", &url, "--statement-timeout", "1x"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--statement-timeout `1x`") && stderr.contains("unknown unit `x`"), "{stderr}");
}

/// The shared perfhound-sql fingerprint text of `sql` (what targets and findings are named).
fn shape(sql: &str) -> String {
    perfhound_db::statements::Statement::from_file("x", 1, sql.to_string()).shape.text.clone()
}

/// A stderr log as PostgreSQL writes it (`%m [%p] ` prefix): an N+1 lookup through the
/// extended protocol with its parameters, a multi-line simple query, noise.
fn stderr_log() -> String {
    let mut log =
        String::from("2024-05-01 10:00:00.000 UTC [100] LOG:  database system is ready to accept connections\n");
    for i in 0..1500 {
        let pid = 200 + i % 3;
        log.push_str(&format!(
            "2024-05-01 10:00:{:02}.{:03} UTC [{pid}] LOG:  duration: 0.0{:02} ms  execute s0: SELECT id, email FROM users WHERE id = $1\n\
             2024-05-01 10:00:{:02}.{:03} UTC [{pid}] DETAIL:  parameters: $1 = '{i}'\n",
            i / 1000,
            i % 1000,
            i % 90 + 10,
            i / 1000,
            i % 1000,
        ));
    }
    log.push_str("2024-05-01 10:00:05.000 UTC [300] LOG:  duration: 812.500 ms  statement: SELECT count(*)\n\t  FROM orders\n\t WHERE status = 'paid'\n");
    log
}

#[tokio::test]
async fn statements_from_a_log_and_located_errors_for_bad_input() {
    let (url, _c) = support::database("cli_log", false).await;
    let dir = std::env::temp_dir().join(format!("perfhound-db-cli-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("postgresql.log");
    std::fs::write(&log, stderr_log()).unwrap();
    let out = perfhound()
        .args(["db", &url, "--no-checks", "--no-advisor", "--format", "json", "--log"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lookup = shape("SELECT id, email FROM users WHERE id = $1");
    let target =
        run["targets"].as_array().unwrap().iter().find(|t| t["name"] == lookup.as_str()).expect("query target");
    assert_eq!(target["measurements"]["requests"], 1500);
    let n1 = run["findings"].as_array().unwrap().iter().find(|f| f["rule"]["code"] == "PH-DB003").expect("N+1");
    assert_eq!(n1["target"], lookup.as_str());
    let count =
        run["targets"].as_array().unwrap().iter().find(|t| t["name"].as_str().unwrap().starts_with("SELECT count"));
    assert_eq!(count.expect("multi-line statement")["measurements"]["extra"]["exec_time_ms_mean"], 812.5);

    let not_a_log = dir.join("queries.sql");
    std::fs::write(&not_a_log, "SELECT 1;\n").unwrap();
    let bad = perfhound().args(["db", &url, "--log"]).arg(&not_a_log).output().unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{}:1: not a PostgreSQL log", not_a_log.display())), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    let both = perfhound().args(["db", &url, "--sql"]).arg(&not_a_log).arg("--log").arg(&log).output().unwrap();
    assert_eq!(both.status.code(), Some(2), "--sql and --log exclude each other");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tls_settings_in_the_connection_string_fail_clearly() {
    let s = support::server();
    let dir = std::env::temp_dir().join(format!("perfhound-db-cli-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_pem = dir.join("ca.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let url = |q: &str| format!("postgres://postgres:s3cret@127.0.0.1:{}/postgres?{q}", s.port);
    let db =
        |q: &str| perfhound().env("HOME", &dir).args(["db", &url(q), "--no-checks", "--no-advisor"]).output().unwrap();
    let cases = [
        ("sslmode=disable", None),
        ("sslmode=prefer", None),
        ("sslmode=require", None),
        ("sslmode=verify-full", Some("needs the CA certificate")),
        (&*format!("sslmode=verify-ca&sslrootcert={}", not_pem.display()), Some("holds no PEM certificate")),
        ("sslmode=maybe", Some("invalid sslmode")),
    ];
    for (query, error) in cases {
        let out = db(query);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("s3cret"), "{stderr}");
        match error {
            None => assert_eq!(out.status.code(), Some(0), "{query}: {stderr}"),
            Some(e) => {
                assert_eq!(out.status.code(), Some(2), "{query}: {stderr}");
                assert!(stderr.contains(e) && stderr.contains("127.0.0.1"), "{query}: {stderr}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_shows_log_and_tls_examples() {
    let out = perfhound().args(["db", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--log postgresql.log") && help.contains("sslmode=verify-full&sslrootcert="), "{help}");
}

/// A tiny service over PostgreSQL: each request looks up one user's orders (unindexed
/// filter) and then 10 users one by one.
async fn serve_shop(url: String) -> std::net::SocketAddr {
    use http_body_util::Full;
    use hyper::service::service_fn;
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let client = std::sync::Arc::new(client);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let client = std::sync::Arc::clone(&client);
            tokio::spawn(async move {
                let svc = service_fn(move |_req| {
                    let client = std::sync::Arc::clone(&client);
                    async move {
                        client.query("SELECT id, status FROM orders WHERE user_id = $1", &[&7i64]).await.unwrap();
                        for id in 1..=10i64 {
                            client.query_one("SELECT email FROM users WHERE id = $1", &[&id]).await.unwrap();
                        }
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(bytes::Bytes::from("ok"))))
                    }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, svc).await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_analyzes_the_database_over_the_load_window_only() {
    let url = shop("cli_audit").await;
    let addr = serve_shop(url.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("perfhound.yaml");
    std::fs::write(
        &cfg,
        format!(
            "base_url: http://{addr}\nvus: 2\niterations: 40\nflow:\n  - {{name: GET /orders, get: /}}\naudit:\n  db: {url}\n  out: out\n"
        ),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking(move || perfhound().args(["audit", "-q"]).arg(&cfg).output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/run.json")).unwrap()).unwrap();
    assert_eq!(run["load"]["accounting"]["requests_ok"], 40, "{}", run["load"]);
    let targets = run["targets"].as_array().unwrap();
    let calls =
        |sql: &str| targets.iter().find(|t| t["name"] == sql).map(|t| t["measurements"]["requests"].as_u64().unwrap());
    // The seed ran the users lookup too (20 times): only the window's 400 are counted.
    assert_eq!(calls("SELECT email FROM users WHERE id = ?"), Some(400), "{targets:#?}");
    assert_eq!(calls("SELECT id, status FROM orders WHERE user_id = ?"), Some(40));
    let db =
        targets.iter().find(|t| t["kind"] == "overall" && t["measurements"]["extra"]["stats_window_s"].is_number());
    let ratio = db.expect("the database target")["measurements"]["extra"]["statements_cache_hit_ratio"].as_f64();
    assert!(ratio.is_some_and(|r| r > 0.0 && r <= 1.0), "window cache hit ratio: {ratio:?}");
    let advice = run["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"]["code"] == "PH-DB001" && f["recommendation"]["snippet"].as_str().unwrap_or("").contains("(user_id")
    });
    assert!(advice, "index advice for the window's unindexed filter: {}", run["findings"]);
}

#[test]
fn connects_with_verify_full_and_refuses_a_wrong_ca() {
    let s = support::server();
    let certs = s.certs.as_ref().expect("the harness server runs with TLS");
    let url = |ca: &std::path::Path| {
        format!("postgres://postgres@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}", s.port, ca.display())
    };
    let ok = perfhound().args(["db", &url(&certs.ca), "--no-checks", "--format", "json"]).output().unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let bad = perfhound().args(["db", &url(&certs.wrong_ca), "--no-checks"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("not issued by a CA in sslrootcert="), "{stderr}");
}
