//! Learned fixes: recorded only for a fixed finding with a measured improvement, listed
//! back, and cited by the same rule on another endpoint.

mod common;

use perfhound_store::compare::{compare, Config};
use perfhound_store::learned::{cite, fixes};
use perfhound_store::{Location, Store};

#[test]
fn a_fixed_finding_with_a_measured_improvement_is_learned_and_cited_elsewhere() {
    let before = common::run_with_finding("before", 185_000);
    let after = common::run("after", 12_000, 500);
    let learned = fixes(&before, &after, &compare(&before, &after, &Config::default()));
    assert_eq!(learned.len(), 1, "{learned:?}");
    assert_eq!((learned[0].rule.as_str(), learned[0].metric.as_str()), ("PH-TEST001", "p50"));
    assert!(learned[0].before_value > 150_000.0 && learned[0].after_value < 15_000.0, "{learned:?}");

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&Location::Sqlite(dir.path().join("h.db"))).unwrap();
    store.record_learned(&learned).unwrap();
    store.record_learned(&learned).unwrap();
    let listed = store.learned(Some("PH-TEST001")).unwrap();
    assert_eq!(listed, learned, "recorded once, read back whole");
    assert!(store.learned(Some("PH-OTHER")).unwrap().is_empty());

    let mut elsewhere = common::run_with_finding("elsewhere", 50_000);
    elsewhere.findings[0].target = "GET /api/users".into();
    cite(&mut elsewhere, &listed);
    let notes = &elsewhere.findings[0].evidence.notes;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("this fix took GET /api/orders from 18"), "{notes:?}");
    assert!(notes[0].contains("on 2026-12-01"), "{notes:?}");
    cite(&mut elsewhere, &listed);
    assert_eq!(elsewhere.findings[0].evidence.notes.len(), 1, "cited once");
}

#[test]
fn nothing_is_learned_without_a_measured_improvement() {
    let before = common::run_with_finding("before", 10_000);
    let same_speed = common::run("after", 10_000, 500);
    assert!(fixes(&before, &same_speed, &compare(&before, &same_speed, &Config::default())).is_empty());
    let still_there = common::run_with_finding("after", 2_000);
    assert!(fixes(&before, &still_there, &compare(&before, &still_there, &Config::default())).is_empty());
}
