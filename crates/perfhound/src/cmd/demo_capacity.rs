//! `perfhound demo --capacity`: the demo's search endpoint (planted: an unindexed filter)
//! searched for its maximum throughput under an SLO, before and after the fix, each with
//! the component that saturated first (from the service's traces, received per step).

use anyhow::Context as _;
use perfhound_capacity::spans::SpanWatch;
use perfhound_capacity::watch::Watchers;
use perfhound_capacity::{CapacityConfig, Search};
use perfhound_demo::{DemoConfig, Mode};
use perfhound_load::plan::HttpOptions;
use perfhound_load::quick::QuickOptions;
use perfhound_model::CapacitySection;
use perfhound_term::human;
use std::path::Path;
use std::time::Duration;

/// The endpoint searched: its planted bottleneck limits throughput.
pub const ENDPOINT: &str = "/api/orders/search?product_id=1000";
/// The demo's SLO.
pub const SLO: [&str; 2] = ["p99 < 1s", "error_rate < 1%"];

/// Runs both searches, writes `<out>/capacity-<mode>.json`, prints the comparison.
pub fn run(
    rt: &tokio::runtime::Runtime,
    out: &Path,
    db_path: &Path,
    step: Duration,
    quiet: bool,
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for mode in [Mode::Before, Mode::Fixed] {
        let section = search(rt, out, db_path, mode, step, quiet)?;
        rows.push((mode, section));
    }
    perfhound_term::print(&render(&rows));
    Ok(())
}

fn search(
    rt: &tokio::runtime::Runtime,
    out: &Path,
    db_path: &Path,
    mode: Mode,
    step: Duration,
    quiet: bool,
) -> anyhow::Result<CapacitySection> {
    let spans = SpanWatch::start("127.0.0.1:0")?;
    let mut demo_cfg = DemoConfig::new(mode, db_path);
    demo_cfg.otlp_endpoint = Some(spans.traces_url());
    let server = rt.block_on(perfhound_demo::start(demo_cfg)).context("the demo service could not start")?;
    let url = format!("{}{ENDPOINT}", server.base_url());
    let cfg = config(&url, step)?;
    let mut watchers = Watchers { db: None, spans: Some(spans) };
    let tag = mode.as_str();
    let mut on_step = |s: &perfhound_model::CapacityStep| {
        if !quiet {
            perfhound_term::eprint(&format!(
                "perfhound demo: [capacity {tag}]{}",
                perfhound_capacity::output::step_line(s)
            ));
        }
    };
    let outcome = perfhound_capacity::run(&cfg, &mut watchers, &mut on_step, super::recorded_command());
    let _ = rt.block_on(server.shutdown());
    let run = outcome?.run;
    let file = out.join(format!("capacity-{tag}.json"));
    super::check::write_file(&file, &serde_json::to_vec_pretty(&run)?)?;
    Ok(run.load.and_then(|l| l.capacity).map(|c| *c).unwrap_or_default())
}

fn config(url: &str, step: Duration) -> anyhow::Result<CapacityConfig> {
    let plan = perfhound_load::quick::plan(QuickOptions {
        url: url.to_string(),
        connections: 1,
        duration: Some(Duration::from_secs(1)),
        requests: None,
        rate: Some(1.0),
        method: http::Method::GET,
        headers: Vec::new(),
        body: None,
        http: HttpOptions::default(),
        thresholds: Vec::new(),
        hard_cap: None,
        max_duration: Duration::from_secs(600),
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let slo: Vec<String> = SLO.iter().map(|s| s.to_string()).collect();
    Ok(CapacityConfig {
        plan,
        slo: perfhound_capacity::config::parse_slo(&slo)?,
        search: Search {
            start_rps: 1.0,
            max_rps: 400.0,
            factor: 2.0,
            step,
            max_time: step * 16,
            precision: 0.1,
            max_refine: 3,
            max_vus: 200,
            timeout: Duration::from_secs(5),
            ..Search::default()
        },
        watch_pid: None,
        db: None,
        traces_listen: None,
        hold: None,
        soak: None,
        threads: None,
    })
}

fn render(rows: &[(Mode, CapacitySection)]) -> String {
    let mut out = format!("\ncapacity of GET {ENDPOINT} under {}\n", SLO.join(", "));
    for (mode, c) in rows {
        let max = c.max_sustainable_rps.map_or("none: no step met the SLO".into(), human::rate);
        out.push_str(&format!("  {:<7} max {max}; stopped: {}\n", mode.as_str(), c.stop_detail));
        if let Some(first) = c.saturation.first() {
            out.push_str(&format!("          saturates first: {}\n", first.evidence));
        }
    }
    if let [(_, b), (_, f)] = rows {
        if let (Some(b), Some(f)) = (b.max_sustainable_rps, f.max_sustainable_rps) {
            out.push_str(&format!("  the fix multiplies the max throughput under the SLO by {:.1}\n", f / b.max(1e-9)));
        }
    }
    out
}
