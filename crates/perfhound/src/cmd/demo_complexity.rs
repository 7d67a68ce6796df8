//! The demo's complexity phase: after the audit of a mode, a second instance of the demo
//! service (same database, no telemetry, no simulated network round trip, so the series
//! measures the algorithm) answers `perfhound complexity`'s series on the similar-products
//! endpoint; the fit and its finding join the mode's run.

use anyhow::Context as _;
use perfhound_audit::profile::ProfileSection;
use perfhound_demo::{DemoConfig, Mode};
use perfhound_load::complexity::{self, ComplexityOptions, Sizes};
use perfhound_load::engine::EngineOptions;
use perfhound_load::quick::QuickOptions;
use perfhound_model::Run;
use perfhound_profile::Profile;
use std::path::Path;
use std::time::Duration;

/// The request name of the planted O(n²) endpoint (as in the load scenario).
pub const ENDPOINT: &str = "GET /api/products/{id}/similar";

/// Samples per size.
const SAMPLES: u64 = 5;

/// The planted function, named in the finding when a profile of the series shows it.
const PLANTED_FUNCTION: &str = "find_similar_products";
/// Seconds of profile taken at the start of the series (`--profile`).
const PROFILE_SECONDS: u64 = 4;

/// Runs the series against `mode` and adds the fit and its finding to `run`; with
/// `profile`, perf records perfhound's own process (the demo runs inside it) meanwhile.
pub fn measure(
    rt: &tokio::runtime::Runtime,
    mode: Mode,
    db_path: &Path,
    run: &mut Run,
    profile: Option<&ProfileSection>,
) -> anyhow::Result<()> {
    let mut cfg = DemoConfig::new(mode, db_path);
    cfg.db_round_trip = Duration::ZERO;
    let server = rt.block_on(perfhound_demo::start(cfg)).context("the demo service could not start")?;
    let options = ComplexityOptions {
        request: QuickOptions {
            url: format!("{}{}", server.base_url(), perfhound_demo::COMPLEXITY_URL_PATH),
            connections: 1,
            duration: Some(Duration::from_secs(90)),
            requests: Some(SAMPLES),
            rate: None,
            method: http::Method::GET,
            headers: Vec::new(),
            body: None,
            http: Default::default(),
            thresholds: Vec::new(),
            hard_cap: Some(Duration::from_secs(120)),
            max_duration: Duration::from_secs(90),
        },
        body_text: None,
        sizes: Sizes::parse(perfhound_demo::complexity_sizes()).map_err(anyhow::Error::msg)?,
        name: Some(ENDPOINT.to_string()),
    };
    let engine = EngineOptions { threads: Some(1), watch_pid: None, skip_preflight: false };
    let mut warnings = Vec::new();
    let capture = profile.and_then(|p| {
        let p = ProfileSection { seconds: Some(PROFILE_SECONDS), ..p.clone() };
        let plan = complexity::plan(&options).ok()?;
        perfhound_audit::profile::begin(&p, &plan, &mut warnings)
    });
    let measured = complexity::measure(&options, &engine, &mut Quiet, Vec::new()).map_err(anyhow::Error::msg);
    let profiled = capture.map(perfhound_audit::profile::end);
    let _ = rt.block_on(server.shutdown());
    let mut measured = measured?;
    match profiled {
        Some(Ok((p, description))) => note_planted(&mut measured.findings, &p, &description),
        Some(Err(e)) => warnings.push(e),
        None => {}
    }
    run.warnings.extend(warnings);
    run.findings.extend(measured.findings);
    run.complexity.extend(measured.complexity);
    run.warnings.extend(measured.warnings);
    Ok(())
}

/// Adds to the complexity finding how much of the series' CPU the planted function took.
fn note_planted(findings: &mut [perfhound_model::Finding], profile: &Profile, description: &str) {
    let total = profile.total().max(1);
    let planted: u64 = profile
        .stacks()
        .filter_map(|(mut stack, w)| stack.any(|f| profile.function(f).name.contains(PLANTED_FUNCTION)).then_some(w))
        .sum();
    for f in findings.iter_mut().filter(|f| f.rule.code == "PH-CPLX001") {
        f.evidence.notes.push(format!(
            "CPU profile during the series ({description}, {} samples): `{PLANTED_FUNCTION}` is on the stack in {:.0} % of them",
            profile.total(),
            planted as f64 * 100.0 / total as f64
        ));
    }
}

struct Quiet;

impl perfhound_load::engine::Observer for Quiet {
    fn on_tick(&mut self, _: &perfhound_load::engine::Tick<'_>) {}
}
