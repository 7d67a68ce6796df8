//! `perfhound complexity` end to end against a real HTTP server (testkit, 127.0.0.1:0)
//! whose `/work/{shape}/{n}` route does O(1), O(n) and O(n²) CPU work: the fitted
//! exponent must come out near 0, 1 and 2, only the quadratic one is a finding, and the
//! points land in the run file. Assertions are on exponents, never on timings.

use assert_cmd::Command;
use perfhound_model::{ComplexityFit, Run};
use perfhound_testkit::{ServerConfig, TestServer};

fn perfhound() -> Command {
    Command::cargo_bin("perfhound").expect("binary is built")
}

/// Runs the series on `shape` and returns the run and stdout; the run file stays in `dir`.
fn check(dir: &std::path::Path, server: &TestServer, shape: &str, sizes: &str) -> (Run, String) {
    let out = dir.join(format!("{shape}.json"));
    let url = server.url(&format!("/work/{shape}/{{{{ n }}}}"));
    let output =
        perfhound().args(["complexity", &url, "--sizes", sizes, "-n", "7", "-q", "--out"]).arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let run = Run::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    eprintln!("{stdout}");
    (run, stdout)
}

fn fit(run: &Run) -> &ComplexityFit {
    assert_eq!(run.complexity.len(), 1, "{:?}", run.complexity);
    &run.complexity[0]
}

/// k within `band` of the truth, and the interval reaches within `band` of it too.
fn assert_exponent(f: &ComplexityFit, truth: f64, band: f64) {
    assert!((f.exponent - truth).abs() <= band, "k = {} for truth {truth}: {f:?}", f.exponent);
    assert!(f.exponent_low - band <= truth && truth <= f.exponent_high + band, "{f:?}");
    assert!(f.exponent_low <= f.exponent && f.exponent <= f.exponent_high, "{f:?}");
}

#[test]
fn constant_linear_and_quadratic_work_fit_their_exponents() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (constant, _) = check(dir, &server, "constant", "n=100..1600x2");
    assert_exponent(fit(&constant), 0.0, 0.25);
    assert_eq!(fit(&constant).class, "constant");
    let (linear, _) = check(dir, &server, "linear", "n=100..1600x2");
    assert_exponent(fit(&linear), 1.0, 0.25);
    assert!(linear.findings.is_empty(), "{:?}", linear.findings);
    // Every size's request outlasts a scheduler time slice (~9 ms at n = 100 unoptimized),
    // so CPU contention on a busy machine stretches all sizes alike.
    let (quadratic, stdout) = check(dir, &server, "quadratic", "n=100..800x2");
    let f = fit(&quadratic);
    assert_exponent(f, 2.0, 0.3);
    assert_eq!(f.class, "quadratic");
    assert_eq!(f.target, "GET /work/quadratic/{n}");
    assert_eq!(f.points.iter().map(|p| p.n).collect::<Vec<_>>(), [100, 200, 400, 800]);
    assert!(f.points.iter().all(|p| p.samples == 7 && p.median_us > 0), "{f:?}");
    let finding = &quadratic.findings.iter().find(|x| x.rule.code == "PH-CPLX001").expect("a finding");
    assert!(finding.title.starts_with("GET /work/quadratic/{n}: time grows as n^"), "{}", finding.title);
    assert!(finding.title.ends_with(": quadratic"), "{}", finding.title);
    assert!(stdout.contains("time grows as n^") && stdout.contains("PH-CPLX001"), "{stdout}");
    assert_report_plots(dir, f);
}

/// The HTML report of the quadratic run plots its 4 points and the fitted line.
fn assert_report_plots(dir: &std::path::Path, f: &ComplexityFit) {
    let html = dir.join("report.html");
    let out = perfhound().arg("report").arg(dir.join("quadratic.json")).arg("-o").arg(&html).output().unwrap();
    assert_eq!(out.status.code().map(|c| c <= 1), Some(true), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("<section id=\"complexity\"><h2>Empirical Complexity</h2>"));
    assert!(html.contains(r#"data-series="measured" data-points="4""#), "measured points not plotted");
    assert!(html.contains(r#"data-series="fit" data-points="2""#), "fitted line not plotted");
    assert!(html.contains(&format!("time grows as n^{:.1}", f.exponent)));
}

#[test]
fn a_url_without_the_parameter_is_a_usage_error() {
    let server = TestServer::start(ServerConfig::default());
    let out = perfhound().args(["complexity", &server.url("/work/linear/100")]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("{{ n }}"), "{stderr}");
    assert_eq!(server.stats().requests_total, 0);
    let out =
        perfhound().args(["complexity", &server.url("/work/linear/{{ n }}"), "--sizes", "n=5..10"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sizes `n=5..10`"));
}

#[test]
fn a_failing_size_is_named() {
    let server = TestServer::start(ServerConfig::default());
    let url = server.url("/work/linear/{{ n }}");
    let out =
        perfhound().args(["complexity", &url, "--sizes", "n=1000,10000,1000000", "-n", "3", "-q"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("n=1000000: 3 of 3 requests failed"), "{stderr}");
}

/// `{{ n }}` in the body only: accepted, one POST per size and round, the series named
/// after the URL, the run printed as JSON.
#[test]
fn the_size_can_be_in_the_body() {
    let server = TestServer::start(ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let output = perfhound()
        .args(["complexity", &server.url("/echo"), "-m", "POST", "-b", "{\"items\": {{ n }}}"])
        .args(["--sizes", "n=10,100,1000", "-n", "3", "-q", "--format", "json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let run = Run::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let f = fit(&run);
    assert_eq!(f.target, "POST /echo");
    assert_eq!(f.points.iter().map(|p| (p.n, p.samples)).collect::<Vec<_>>(), [(10, 3), (100, 3), (1000, 3)]);
    // One warm-up round, then the measured rounds (a POST gets no compression probe).
    assert_eq!(server.stats().path("/echo"), 3 * (1 + 3), "{:?}", server.stats());
    let stdout: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stdout["complexity"][0]["target"], "POST /echo");
}
