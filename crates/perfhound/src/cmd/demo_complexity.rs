//! The demo's complexity phase: after the audit of a mode, a second instance of the demo
//! service (same database, no telemetry, no simulated network round trip, so the series
//! measures the algorithm) answers `perfhound complexity`'s series on the similar-products
//! endpoint; the fit and its finding join the mode's run.

use anyhow::Context as _;
use perfhound_demo::{DemoConfig, Mode};
use perfhound_load::complexity::{self, ComplexityOptions, Sizes};
use perfhound_load::engine::EngineOptions;
use perfhound_load::quick::QuickOptions;
use perfhound_model::Run;
use std::path::Path;
use std::time::Duration;

/// The request name of the planted O(n²) endpoint (as in the load scenario).
pub const ENDPOINT: &str = "GET /api/products/{id}/similar";

/// Samples per size.
const SAMPLES: u64 = 5;

/// Runs the series against `mode` and adds the fit and its finding to `run`.
pub fn measure(rt: &tokio::runtime::Runtime, mode: Mode, db_path: &Path, run: &mut Run) -> anyhow::Result<()> {
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
    let measured = complexity::measure(&options, &engine, &mut Quiet, Vec::new()).map_err(anyhow::Error::msg);
    let _ = rt.block_on(server.shutdown());
    let measured = measured?;
    run.findings.extend(measured.findings);
    run.complexity.extend(measured.complexity);
    run.warnings.extend(measured.warnings);
    Ok(())
}

struct Quiet;

impl perfhound_load::engine::Observer for Quiet {
    fn on_tick(&mut self, _: &perfhound_load::engine::Tick<'_>) {}
}
