//! The knee search against a server whose capacity is known by construction: a fixed
//! worker pool × a fixed service time (4 workers × 100 ms = 40 req/s: a rate the shared,
//! loaded 2-core test machine drives without the generator disturbing the server).

mod common;

use perfhound_capacity::watch::Watchers;
use perfhound_capacity::{CapacityConfig, Search};
use perfhound_model::{CapacitySection, StepPhase, StopReason};
use perfhound_testkit::{ServerConfig, TestServer};
use std::time::Duration;

fn plan(url: String) -> perfhound_load::plan::Plan {
    common::get_plan(url, Duration::from_secs(60))
}

fn config(url: String, search: Search) -> CapacityConfig {
    CapacityConfig {
        plan: plan(url),
        slo: perfhound_capacity::config::parse_slo(&["p99 < 400ms".into(), "error_rate < 1%".into()]).unwrap(),
        search,
        watch_pid: None,
        db: None,
        traces_listen: None,
        hold: None,
        soak: None,
        threads: None,
    }
}

fn search(cfg: &CapacityConfig) -> CapacitySection {
    let mut lines = Vec::new();
    let mut on_step = |s: &perfhound_model::CapacityStep| lines.push(perfhound_capacity::output::step_line(s));
    let out = perfhound_capacity::run(cfg, &mut Watchers::default(), &mut on_step, Vec::new()).unwrap();
    eprintln!("{}", lines.concat());
    let section = *out.run.load.unwrap().capacity.unwrap();
    eprintln!("{}", perfhound_capacity::output::summary(&section));
    section
}

#[test]
fn finds_the_capacity_of_a_fixed_worker_pool_within_ten_percent() {
    let server = TestServer::start(ServerConfig {
        workers: Some(4),
        fixed_delay: Some(Duration::from_millis(100)),
        http1_only: true,
        ..ServerConfig::default()
    });
    let known = 4.0 / 0.100;
    let s = Search {
        start_rps: 12.0,
        max_rps: 400.0,
        factor: 1.5,
        step: Duration::from_secs(4),
        max_time: Duration::from_secs(120),
        max_vus: 300,
        timeout: Duration::from_secs(5),
        ..Search::default()
    };
    let mut cfg = config(server.url("/"), s);
    cfg.hold = Some(perfhound_capacity::HoldConfig {
        factor: 1.5,
        duration: Duration::from_secs(4),
        recovery: Duration::from_secs(10),
        recovery_share: 0.5,
    });
    let c = search(&cfg);
    let max = c.max_sustainable_rps.expect("a step met the SLO");
    assert!((max - known).abs() / known <= 0.10, "max sustainable {max} req/s vs known capacity {known}");
    assert!(c.stop.blames_service(), "the service's limit ended the search: {:?} {}", c.stop, c.stop_detail);
    assert!(c.steps.iter().any(|s| s.phase == StepPhase::Refine), "the bracket was refined");
    let knee = c.knee_rps.expect("latency departs from flat before the capacity");
    assert!(knee <= known * 1.1 && knee >= known * 0.5, "knee {knee} req/s");
    for s in c.steps.iter().filter(|s| s.phase != StepPhase::Hold) {
        assert!(s.passed || !s.broken.is_empty(), "a bad step says why");
    }
    let stress = c.stress.as_ref().expect("the hold ran");
    assert!(stress.queued_peak > 4, "requests queued in front of the 4 workers: {stress:?}");
    let back = stress.recovered_after_s.expect("the service recovers at half its capacity");
    assert!((1.0..10.0).contains(&back), "the backlog takes time to drain: {back} s");
}

#[test]
fn a_flat_service_stops_at_the_max_rate_without_blaming_it() {
    let server = TestServer::start(ServerConfig::default());
    let s = Search {
        start_rps: 20.0,
        max_rps: 40.0,
        factor: 2.0,
        step: Duration::from_secs(2),
        max_time: Duration::from_secs(60),
        ..Search::default()
    };
    let c = search(&config(server.url("/"), s));
    assert_eq!(c.stop, StopReason::MaxRate, "{}", c.stop_detail);
    assert_eq!(c.steps.len(), 2);
    assert!(c.steps.iter().all(|s| s.passed));
    assert_eq!(c.max_sustainable_offered_rps, Some(40.0));
}

#[test]
fn when_perfhound_is_the_limit_it_says_so_and_blames_nothing() {
    // The service answers in 50 ms with no worker limit; perfhound may use 3 connections,
    // so it cannot offer more than 3 / 50 ms = 60 req/s (less on a loaded machine, where
    // the sends themselves are late).
    let server = TestServer::start(ServerConfig {
        fixed_delay: Some(Duration::from_millis(50)),
        http1_only: true,
        ..ServerConfig::default()
    });
    let s = Search {
        start_rps: 20.0,
        max_rps: 400.0,
        factor: 2.0,
        step: Duration::from_secs(3),
        max_time: Duration::from_secs(60),
        max_refine: 1,
        max_vus: 3,
        timeout: Duration::from_secs(5),
        ..Search::default()
    };
    let c = search(&config(server.url("/"), s));
    assert_eq!(c.stop, StopReason::GeneratorSaturated, "{}", c.stop_detail);
    assert!(c.stop_detail.contains("The service was not shown to be at its limit"), "{}", c.stop_detail);
    assert!(c.saturation.is_empty(), "the service is not blamed: {:?}", c.saturation);
    let bad = c.steps.iter().find(|s| !s.passed).expect("a step perfhound could not offer");
    assert!(bad.vus_exhausted && bad.late > 0, "arrivals waited for one of the 3 VUs: {bad:?}");
    assert_eq!(bad.cause, Some(StopReason::GeneratorSaturated), "{bad:?}");
}
