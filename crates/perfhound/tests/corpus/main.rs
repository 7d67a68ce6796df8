//! The real-application corpus (issue 11): each app of `tests/corpus/` — real frameworks,
//! drivers and OpenTelemetry SDKs, against a real PostgreSQL, redis-server and downstream
//! service — is audited by `perfhound audit` with default thresholds, and the findings are
//! judged against the app's `ground_truth.yaml`: every planted bottleneck found on its
//! endpoint, every clean twin without a finding at warning or above, and every N+1,
//! serial-call and row-at-a-time finding given the Location of its loop (`audit.source`).
//!
//! The verdicts and locations are printed (and written to `$PERFHOUND_CORPUS_SCORE_DIR/`
//! `<app>.txt` and `<app>.loc` when set, which `bench/accuracy.sh` reads) before the test
//! asserts them. Apps run one at a time so their latencies do not depend on each other's
//! load.
//!
//! With `$PERFHOUND_CORPUS_PROFILE_DIR` set, each Python app's audit also records a py-spy
//! profile (`audit.profile`, py-spy from `tests/profile/setup.sh`) and copies it to
//! `<dir>/<app>.folded`: the real profiles the PH-PROF thresholds were calibrated on
//! (docs/profile.md, "Calibration").

mod env;
mod truth;

use env::{App, AppSpec, Backends};
use perfhound_model::{Extra, Run, SourceKind};
use std::path::Path;

/// One app audited at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// Attempts when the receiver's free port was taken before perfhound bound it.
const LISTEN_ATTEMPTS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flask_app_meets_its_ground_truth() {
    check(AppSpec { dir: "flask_app", command: env::python }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_app_meets_its_ground_truth() {
    check(AppSpec { dir: "django_app", command: env::python }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastapi_app_meets_its_ground_truth() {
    check(AppSpec { dir: "fastapi_app", command: env::python }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn express_app_meets_its_ground_truth() {
    check(AppSpec { dir: "express_app", command: env::node }).await;
}

async fn check(spec: AppSpec) {
    let _one = ONE_AT_A_TIME.lock().await;
    let app_dir = env::workspace().join("tests/corpus").join(spec.dir);
    let truth = truth::GroundTruth::load(&app_dir.join("ground_truth.yaml"));
    assert_eq!(truth.app, spec.dir, "ground_truth.yaml names its app");
    let unlocated = truth::unlocated(&truth);
    assert!(unlocated.is_empty(), "{}: ground_truth.yaml gives no `location` for {unlocated:?}", spec.dir);
    let backends = Backends::start(&format!("corpus_{}", spec.dir)).await;
    let out = tempfile::tempdir().unwrap();
    let run = tokio::task::block_in_place(|| audit(&spec, &backends, &app_dir, out.path()));

    for endpoint in truth.endpoints() {
        let t = run.target(endpoint).unwrap_or_else(|| panic!("{endpoint} was not loaded: is it in perfhound.yaml?"));
        let m = &t.measurements;
        assert!(m.requests > 0 && m.failed == 0, "{endpoint} must answer every request: {m:?}");
    }
    assert!(
        run.sources.iter().any(|s| s.kind == SourceKind::Traces),
        "the app's spans reached the receiver: {:?}",
        run.sources.iter().map(|s| &s.kind).collect::<Vec<_>>()
    );
    if spec.dir == "flask_app" {
        // audit.redis: the prefs endpoints' reads over the load window are the Cache Hit Rate.
        let redis = format!("redis 127.0.0.1:{}/0", backends.redis.port());
        let t = run.target(&redis).unwrap_or_else(|| panic!("{redis}: audit.redis watched the window"));
        let e = &t.measurements.extra;
        let counts = (e.get(Extra::CacheServerKeyspaceHits), e.get(Extra::CacheServerKeyspaceMisses));
        // 2 VUs × 4 iterations × (30 GETs + an MGET of 30 keys), every key seeded.
        assert_eq!(counts, (Some(480.0), Some(0.0)), "{e:?}");
        assert!(run.sources.iter().any(|s| s.kind == SourceKind::Cache));
    }
    let verdicts = truth::judge(&truth, &run);
    let score = truth::score(spec.dir, &verdicts);
    eprintln!("{score}");
    let (locations, right, total) = truth::locations(&truth, &run);
    eprintln!("{locations}");
    if let Some(dir) = std::env::var_os("PERFHOUND_CORPUS_SCORE_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{}.txt", spec.dir)), &score).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{}.loc", spec.dir)), &locations).unwrap();
    }
    let wrong = verdicts.iter().filter(|v| !v.outcome.is_right()).count();
    assert_eq!(wrong, 0, "{} verdicts wrong for {}:\n{score}", wrong, spec.dir);
    assert!(total > 0, "{}: the ground truth names no location", spec.dir);
    assert_eq!(right, total, "locations of {}:\n{locations}", spec.dir);
}

/// Starts the app and audits it; retries on another port when the OTLP receiver's port was
/// taken between choosing it and perfhound binding it.
fn audit(spec: &AppSpec, backends: &Backends, app_dir: &Path, out: &Path) -> Run {
    let template = std::fs::read_to_string(app_dir.join("perfhound.yaml")).unwrap();
    for _ in 0..LISTEN_ATTEMPTS {
        let otlp_addr = format!("127.0.0.1:{}", perfhound_testkit::free_port());
        let app = App::start(spec, backends, &format!("http://{otlp_addr}"));
        let cfg = out.join("perfhound.yaml");
        let text = template
            .replace("@APP_URL@", &app.base_url)
            .replace("@OTLP_ADDR@", &otlp_addr)
            .replace("@APP_DIR@", &app_dir.display().to_string())
            + &profile_section(spec, app.pid());
        std::fs::write(&cfg, text).unwrap();
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("perfhound"))
            .args(["audit", "-q", "--out"])
            .arg(out.join("audit"))
            .arg(&cfg)
            .env("DATABASE_URL", &backends.audit_db_url)
            .env("REDIS_URL", backends.redis.url())
            .output()
            .unwrap();
        drop(app);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() == Some(2) && stderr.contains(&otlp_addr) && stderr.contains("in use") {
            eprintln!("OTLP port {otlp_addr} was taken; retrying on another: {stderr}");
            continue;
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(matches!(output.status.code(), Some(0 | 1)), "audit failed: {stdout}\n{stderr}");
        keep_profile(spec, out);
        let json = std::fs::read_to_string(out.join("audit/run.json")).unwrap();
        return Run::from_json(&json).unwrap();
    }
    panic!("the OTLP receiver's port was taken {LISTEN_ATTEMPTS} times");
}

/// With `$PERFHOUND_CORPUS_PROFILE_DIR`, a Python app's `audit.profile` section (the
/// config's last section is `audit:`): py-spy records the app's process tree at 250 Hz.
fn profile_section(spec: &AppSpec, pid: u32) -> String {
    if std::env::var_os("PERFHOUND_CORPUS_PROFILE_DIR").is_none() || spec.dir == "express_app" {
        return String::new();
    }
    let py_spy = env::workspace().join("target/profile-venv/bin/py-spy");
    assert!(py_spy.exists(), "{} is missing: run tests/profile/setup.sh", py_spy.display());
    format!(
        "  profile:\n    command: \"{} record --pid {{pid}} --duration {{seconds}} --rate 250 --subprocesses --format raw --nonblocking --output {{out}}\"\n    pid: {pid}\n    seconds: 30s\n",
        py_spy.display()
    )
}

/// Copies the audit's `profile.folded` to `$PERFHOUND_CORPUS_PROFILE_DIR/<app>.folded`.
fn keep_profile(spec: &AppSpec, out: &Path) {
    let (Some(dir), true) = (std::env::var_os("PERFHOUND_CORPUS_PROFILE_DIR"), spec.dir != "express_app") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    let folded = out.join("audit/profile.folded");
    std::fs::copy(&folded, Path::new(&dir).join(format!("{}.folded", spec.dir)))
        .unwrap_or_else(|e| panic!("{}: {e}", folded.display()));
}
