//! `perfhound logs` end to end: formats (detected, `--log-format`, JSON with `--field`),
//! gzip, stdin and several files, output formats and exit codes, hostile lines counted
//! and never printed raw, and the cache finding (never for private responses).

use assert_cmd::Command;
use perfhound_model::{Extra, Run};
use std::io::Write as _;

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

/// `n` requests of a cacheable product page (40 ms each, 20 distinct ids) and `n / 4`
/// authenticated account pages (60 ms).
fn log(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let t = i / 10;
        s.push_str(&format!(
            "10.0.0.{} - - [06/Dec/2026:01:{:02}:{:02} +0000] \"GET /api/products/{}?v=1 HTTP/1.1\" 200 2048 \"-\" \"ua\" 0.040\n",
            i % 7,
            (t / 60) % 60,
            t % 60,
            i % 20
        ));
        if i % 4 == 0 {
            s.push_str(&format!(
                "10.0.0.9 - alice [06/Dec/2026:01:{:02}:{:02} +0000] \"GET /api/account/{} HTTP/1.1\" 200 512 \"-\" \"ua\" 0.060\n",
                (t / 60) % 60,
                t % 60,
                i % 3
            ));
        }
    }
    s
}

fn write(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, data).unwrap();
    p.display().to_string()
}

#[test]
fn combined_log_to_run_with_percentiles_and_cache_finding() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "access.log", log(400).as_bytes());
    let run_path = dir.path().join("run.json");
    let out = perfhound().args(["logs", &file, "--format", "json", "-o"]).arg(&run_path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let run = Run::from_json(&std::fs::read_to_string(&run_path).unwrap()).unwrap();
    let products = run.target("GET /api/products/{id}").expect("templated endpoint");
    assert_eq!(products.measurements.requests, 400);
    let p50 = products.measurements.latency.as_ref().unwrap().quantile_us(0.5);
    assert!((39_000..=41_000).contains(&p50), "{p50}");
    assert_eq!(run.target("overall").unwrap().measurements.extra.get(Extra::LogLines), Some(500.0));
    let titles: Vec<&str> = run.findings.iter().map(|f| f.title.as_str()).collect();
    assert!(
        titles.iter().any(|t| t.starts_with("GET /api/products/{id}: a 1-minute TTL, 1 MB cache would hit 95 %")),
        "{titles:?}"
    );
    assert!(!titles.iter().any(|t| t.contains("/api/account")), "authenticated responses are never shared: {titles:?}");
    let failing = perfhound().args(["logs", &file, "--format", "none", "--fail-on", "info"]).output().unwrap();
    assert_eq!(failing.status.code(), Some(1));
}

#[test]
fn gzip_stdin_several_files_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let gz_file = write(&dir, "access.log.1.gz", &gzip(log(100).as_bytes()));
    let plain = write(&dir, "access.log", log(100).as_bytes());
    let out = perfhound().args(["logs", &plain, &gz_file, "--format", "md"]).output().unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{md}");
    assert!(md.contains("| GET /api/products/{id} | 200 |"), "both files counted: {md}");
    let out = perfhound().args(["logs", "-"]).write_stdin(log(40)).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("<stdin> (combined + $request_time): 50 lines, 50 requests, 0 malformed"), "{text}");
}

/// `data` gzip-compressed by the system `gzip` (the CLI tests do not link flate2).
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut child = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    child.stdin.take().unwrap().write_all(data).unwrap();
    child.wait_with_output().unwrap().stdout
}

#[test]
fn hostile_lines_are_counted_quoted_and_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = log(30).into_bytes();
    data.extend(b"10.0.0.1 - - [06/Dec/2026:01:00:00 +0000] \"GET /\x1b[31mred\x1b]0;owned\x07 HTTP/1.1\" 200 1 \"-\" \"ua\" 0.001\n");
    data.extend(b"\xff\xfe not utf-8\n");
    data.extend(vec![b'A'; 1 << 20]);
    data.extend(b"\nthis is not an access log line\n");
    let file = write(&dir, "hostile.log", &data);
    let out = perfhound().args(["logs", &file]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07), "no terminal escapes: {stdout}");
    assert!(stdout.contains("3 malformed"), "{stdout}");
    assert!(stdout.contains(&format!("{file}:40: invalid UTF-8 at byte 1")), "{stdout}");
    assert!(stdout.contains(&format!("{file}:41: longer than 64 KiB")), "{stdout}");
    assert!(stdout.contains(&format!("{file}:42: `$remote_addr` at column 1 is not followed by")), "{stdout}");
    assert!(stdout.contains("GET /red "), "the escape sequences are stripped from the path: {stdout}");
}

#[test]
fn custom_log_format_json_fields_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let fmt = r#"$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent rt=$request_time urt="$upstream_response_time""#;
    let lines = "::1 [2026-12-06T01:40:21+00:00] \"GET /a HTTP/1.1\" 200 5 rt=- urt=\"0.100, 0.150 : -\"\n".repeat(5);
    let file = write(&dir, "custom.log", lines.as_bytes());
    let out = perfhound().args(["logs", &file, "--log-format", fmt, "--format", "json"]).output().unwrap();
    let run = Run::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    let a = run.target("GET /a").unwrap();
    assert_eq!(a.measurements.latency.as_ref().unwrap().quantile_us(0.5) / 1000, 250, "upstream list summed");

    let alb = r#"{"elb_status_code":"502","request_url":"https://shop.example/x/1","target_processing_time":"12","request_verb":"GET"}"#;
    let file = write(&dir, "alb.jsonl", format!("{alb}\n").as_bytes());
    let args = [
        "--field",
        "path=request_url",
        "--field",
        "duration=target_processing_time:ms",
        "--field",
        "method=request_verb",
    ];
    let out = perfhound().args(["logs", &file, "--format", "json"]).args(args).output().unwrap();
    let run = Run::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    assert_eq!(run.target("GET /x/{id}").unwrap().measurements.failed, 1);

    let bad = perfhound().args(["logs", &file, "--log-format", "$status$request"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("--log-format: `$status` and `$request` have no text between them"));
    let unreadable = write(&dir, "notes.txt", b"hello\nworld\n");
    let out = perfhound().args(["logs", &unreadable]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("none of the 2 lines could be read"));
}
