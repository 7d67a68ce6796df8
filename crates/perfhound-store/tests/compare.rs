//! Two runs compared: the planted regression is significant and named; the same
//! distribution twice is not; findings are new, fixed or persisting.

mod common;

use perfhound_store::compare::{compare, Config, FindingStatus};

#[test]
fn a_slower_endpoint_is_a_significant_regression_with_its_numbers() {
    let a = common::run("a", 10_000, 2000);
    let b = common::run("b", 12_000, 2000);
    let c = compare(&a, &b, &Config::default());
    let t = &c.targets[0];
    assert_eq!(t.target, "GET /api/orders");
    let p50 = t.metrics.iter().find(|m| m.metric == "p50").unwrap();
    assert!((p50.change - 0.2).abs() < 0.01, "{p50:?}");
    assert!(p50.significant && p50.regression && p50.p_value < 1e-6, "{p50:?}");
    assert!(t.effect_size > 0.4, "{}", t.effect_size);
    assert!(c.regressions >= 3, "p50, p95, p99, mean: {c:?}");
    // The other way round it is an improvement.
    let back = compare(&b, &a, &Config::default());
    assert_eq!(back.regressions, 0);
    assert!(back.improvements >= 3);
}

#[test]
fn the_same_distribution_is_not_a_regression() {
    let a = common::run("a", 10_000, 2000);
    let b = common::run("b", 10_000, 2000);
    let c = compare(&a, &b, &Config::default());
    assert_eq!(c.regressions, 0, "{c:?}");
    assert!(c.targets[0].metrics.iter().all(|m| !m.significant), "{c:?}");
}

#[test]
fn a_change_below_the_tolerance_is_not_a_regression() {
    let a = common::run("a", 10_000, 5000);
    let b = common::run("b", 10_300, 5000);
    let strict = compare(&a, &b, &Config { tolerance: 0.01, ..Config::default() });
    assert!(strict.regressions > 0, "3 % is significant with 5000 requests: {strict:?}");
    let lenient = compare(&a, &b, &Config::default());
    assert_eq!(lenient.regressions, 0, "3 % is within the default 5 % tolerance");
}

#[test]
fn findings_are_new_fixed_or_persisting() {
    let mut a = common::run_with_finding("a", 10_000);
    let mut b = common::run_with_finding("b", 10_000);
    let mut fixed = a.findings[0].clone();
    fixed.fingerprint = "fixed".into();
    fixed.target = "GET /old".into();
    a.findings.push(fixed);
    let mut new = b.findings[0].clone();
    new.fingerprint = "new".into();
    new.target = "GET /new".into();
    b.findings.push(new);
    let c = compare(&a, &b, &Config::default());
    let status = |t: &str| c.findings.iter().find(|f| f.target == t).map(|f| f.status);
    assert_eq!(status("GET /new"), Some(FindingStatus::New));
    assert_eq!(status("GET /old"), Some(FindingStatus::Fixed));
    assert_eq!(status("GET /api/orders"), Some(FindingStatus::Persisting));
}
