//! The embedded store: save, list with filters, series, read back; versions refused.

mod common;

use perfhound_model::Metric;
use perfhound_store::{Filter, Location, Meta, Store, StoreError};
use std::collections::BTreeMap;

fn meta(branch: &str, tags: &[(&str, &str)]) -> Meta {
    let tags: BTreeMap<_, _> = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Meta { command: "load".into(), git_commit: format!("c-{branch}"), git_branch: branch.into(), tags }
}

#[test]
fn saved_runs_come_back_whole_and_filter_by_branch_tag_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let loc = Location::Sqlite(dir.path().join(".perfhound/history.db"));
    let first = common::run_with_finding("aaaa1111", 10_000);
    perfhound_store::save(&loc, &first, &meta("main", &[("env", "ci")])).unwrap();
    perfhound_store::save(&loc, &common::run("bbbb2222", 12_000, 500), &meta("feature", &[])).unwrap();
    assert!(dir.path().join(".perfhound/.gitignore").is_file(), "the store directory is git-ignored");

    let mut store = Store::open(&loc).unwrap();
    assert_eq!(store.run("aaaa").unwrap(), first, "the whole run (histograms, findings) round-trips");
    let all = store.list(&Filter::default()).unwrap();
    assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["aaaa1111", "bbbb2222"]);
    assert_eq!(all[0].findings, 1);
    assert_eq!(all[0].tags.get("env").map(String::as_str), Some("ci"));

    let main = store.list(&Filter { branch: Some("main".into()), ..Default::default() }).unwrap();
    assert_eq!(main.len(), 1);
    let tagged = store.list(&Filter { tags: vec![("env".into(), "ci".into())], ..Default::default() }).unwrap();
    assert_eq!(tagged[0].id, "aaaa1111");
    let none = store.list(&Filter { target: Some("/nothing".into()), ..Default::default() }).unwrap();
    assert!(none.is_empty());

    let series = store.series("GET /api/orders", Metric::P50, &Filter::default()).unwrap();
    let values: Vec<f64> = series.iter().map(|p| p.value).collect();
    assert_eq!(values.len(), 2);
    assert!(values[0] > 9_000.0 && values[0] < 11_000.0 && values[1] > values[0], "{values:?}");
    assert_eq!(store.latest_on_branch("main", "").unwrap().as_deref(), Some("aaaa1111"));
    assert_eq!(store.latest_on_branch("main", "aaaa1111").unwrap(), None, "a run is not its own baseline");
    assert!(matches!(store.run("zzzz"), Err(StoreError::NoRun { .. })));
}

#[test]
fn a_store_written_by_a_newer_perfhound_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let loc = Location::Sqlite(path.clone());
    Store::open(&loc).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let newer = (perfhound_store::schema::LATEST + 1).to_string();
    conn.execute("UPDATE store_meta SET value = ?1 WHERE key = 'schema_version'", [newer]).unwrap();
    drop(conn);
    let err = Store::open(&loc).err().expect("a newer store must be refused").to_string();
    assert!(err.contains("newer perfhound") && err.contains("upgrade perfhound"), "{err}");
    let save = perfhound_store::save(&loc, &common::run("x", 1000, 10), &meta("main", &[]));
    assert!(save.is_err(), "nothing is written into a newer store");
}

#[test]
fn a_file_that_is_not_a_store_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "just some text, not a database").unwrap();
    let err = Store::open(&Location::Sqlite(path)).err().unwrap().to_string();
    assert!(err.contains("notes.db") && err.contains("--no-store"), "{err}");
}
