//! `perfhound redis` end to end against a real redis-server (the testkit's `redis`
//! harness) with planted data: per-entity keys without TTL, big keys (one with a hostile
//! name), a low hit ratio, LFU hot keys and slowlog entries.

use assert_cmd::Command;
use perfhound_testkit::redis::RedisServer;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary")
}

fn cmd(args: &[&[u8]]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.to_vec()).collect()
}

/// A hostile key name: an OSC title sequence, a bell and a screen clear.
const EVIL: &[u8] = b"evil\x1b]0;owned\x07\x1b[2J:1";

/// Plants the data, then sets a password (the last step).
fn planted() -> RedisServer {
    let r = RedisServer::start();
    let mut c = vec![
        cmd(&[b"CONFIG", b"SET", b"maxmemory-policy", b"allkeys-lfu"]),
        cmd(&[b"CONFIG", b"SET", b"slowlog-log-slower-than", b"0"]),
    ];
    for i in 0..50u32 {
        let key = format!("session:{i:08x}-0000-4000-8000-{i:012x}");
        c.push(cmd(&[b"SET", key.as_bytes(), &[b'x'; 200]]));
    }
    for i in 0..20u32 {
        c.push(cmd(&[b"SET", format!("cache:product:{}", 1000 + i).as_bytes(), b"{}", b"EX", b"600"]));
    }
    c.push(cmd(&[b"SET", b"report:2024", &vec![b'r'; 2 << 20]]));
    c.push(cmd(&[b"SET", EVIL, &vec![b'e'; 3 << 19]]));
    c.push(cmd(&[b"SET", b"hot:1", b"v"]));
    for chunk in 0..20 {
        let mut push: Vec<Vec<u8>> = vec![b"RPUSH".to_vec(), b"biglist".to_vec()];
        push.extend((0..1000).map(|i| (chunk * 1000 + i).to_string().into_bytes()));
        c.push(push);
    }
    c.extend((0..200).map(|_| cmd(&[b"GET", b"hot:1"])));
    c.extend((0..1000).map(|i| cmd(&[b"GET", format!("missing:{i}").as_bytes()])));
    // Last before the password: the slowlog keeps the newest 128 entries.
    c.push(cmd(&[b"SORT", b"biglist", b"LIMIT", b"0", b"10"]));
    c.push(cmd(&[b"CONFIG", b"SET", b"requirepass", b"s3cret"]));
    let replies = r.pipeline(&c);
    assert!(!replies.windows(5).any(|w| w == b"-ERR "), "{}", String::from_utf8_lossy(&replies[..200]));
    r
}

fn url(r: &RedisServer) -> String {
    format!("redis://:s3cret@127.0.0.1:{}", r.port())
}

#[test]
fn diagnoses_planted_problems_without_leaking_the_password_or_escapes() {
    let r = planted();
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("redis.json");
    let text = perfhound()
        .args(["redis", &url(&r), "--slow-command", "0", "--fail-on", "critical", "--out"])
        .arg(&out_file)
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&text.stdout), String::from_utf8_lossy(&text.stderr));
    assert_eq!(text.status.code(), Some(1), "a critical hit ratio breaches --fail-on critical: {stdout}{stderr}");
    let file = std::fs::read_to_string(&out_file).unwrap();
    for t in [&*stdout, &*stderr, &file] {
        assert!(!t.contains("s3cret"), "password leaked: {t}");
    }
    assert!(!stdout.contains(['\u{1b}', '\u{7}']), "control characters reached the terminal: {stdout:?}");
    assert!(stdout.contains("  evil:1 (string)"), "the hostile key is shown without its escapes: {stdout}");
    assert!(stdout.contains("PH-REDIS003 keys-without-ttl: session:{uuid}:"), "{stdout}");
    assert!(stdout.contains("no TTL (50 of 50 sampled keys)"), "{stdout}");
    assert!(!stdout.contains("keys-without-ttl: cache:product:{id}"), "keys with a TTL are fine: {stdout}");
    assert!(stdout.contains("PH-REDIS004 big-key: report:{id} (report:2024): 2."), "{stdout}");
    assert!(stdout.contains("big-key: evil:{id} (evil:1): "), "{stdout}");
    assert!(stdout.contains("[critical] PH-REDIS001 low-cache-hit-ratio: keyspace hit ratio"), "{stdout}");
    assert!(stdout.contains("PH-REDIS005 slow-command: SORT biglist LIMIT ?…"), "{stdout}");
    let hot = stdout.split("Hottest keys").nth(1).expect("LFU policy: hot keys listed");
    assert!(hot.lines().nth(1).unwrap().ends_with("hot:1"), "the most read key leads: {hot}");

    let run: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(run["sources"][0]["kind"], "cache");
    let server = &run["targets"][0];
    assert_eq!(server["name"], format!("redis 127.0.0.1:{}/0", r.port()));
    assert_eq!(server["kind"], "overall");
    let extra = &server["measurements"]["extra"];
    assert_eq!(extra["cache_server_keyspace_misses"], 1000.0);
    assert!(extra["cache_server_keyspace_hits"].as_f64().unwrap() >= 200.0, "{extra}");
    assert!(extra["cache_server_keys_sampled"].as_f64().unwrap() >= 74.0, "{extra}");
    let sessions = run["targets"].as_array().unwrap().iter().find(|t| t["name"] == "session:{uuid}").unwrap();
    assert_eq!(sessions["measurements"]["requests"], 50);
    assert_eq!(sessions["measurements"]["extra"]["keys_without_ttl"], 50.0);
    let get = run["targets"].as_array().unwrap().iter().find(|t| t["name"] == "redis GET").expect("commandstats");
    assert_eq!(get["measurements"]["extra"]["calls"], 1200.0, "200 hits + 1,000 misses");
    assert!(get["measurements"]["extra"]["exec_time_ms_p99"].as_f64().is_some(), "Redis 7 latency tracking");

    // The seeds' "cache hit ratio > 80 %" as a budget on the server target.
    let budget = dir.path().join("budget.yaml");
    std::fs::write(&budget, "budgets:\n  - {target: \"redis *\", cache_hit_ratio: \">= 80%\"}\n").unwrap();
    let check = perfhound().args(["check", "--budget"]).arg(&budget).arg(&out_file).output().unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn json_md_budgets_and_errors() {
    let r = planted();
    let json = perfhound().args(["redis", &url(&r), "--format", "json", "--sample-keys", "10"]).output().unwrap();
    assert_eq!(json.status.code(), Some(0));
    let run: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let warnings = run["warnings"].to_string();
    assert!(warnings.contains("key sampling stopped at the key budget (--sample-keys): 10 keys sampled"), "{warnings}");

    let md = perfhound().args(["redis", &url(&r), "--format", "md", "--no-sample"]).output().unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.contains("**Cache Hit Rate**"), "{md}");
    assert!(!md.contains("not measured"), "the server's counters are the cache hit rate: {md}");

    let wrong = format!("redis://:nope-pass@127.0.0.1:{}", r.port());
    let denied = perfhound().args(["redis", &wrong]).output().unwrap();
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert_eq!(denied.status.code(), Some(2));
    assert!(stderr.contains("authentication failed") && !stderr.contains("nope-pass"), "{stderr}");

    let bad = perfhound().args(["redis", "http://127.0.0.1:1"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected redis://"));
}

#[test]
fn hot_keys_need_an_lfu_policy_and_an_empty_server_is_fine() {
    let r = RedisServer::start();
    let out = perfhound().args(["redis", &r.url()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Hit ratio no lookups yet (target 80%)"), "{stdout}");
    assert!(stdout.contains("(all keys: 0 keys"), "{stdout}");
    assert!(
        stdout.contains("Hot keys: need an LFU maxmemory-policy for OBJECT FREQ (this server: noeviction)"),
        "{stdout}"
    );
    assert!(stdout.contains("Findings: 0"), "{stdout}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepted by the kernel's backlog; nothing ever replies.
    let out = perfhound().args(["redis", &format!("redis://127.0.0.1:{port}"), "--timeout", "300ms"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`PING` timed out after 300 ms"), "{stderr}");
    drop(listener);
}
