//! Several processes writing one SQLite store at once, and a writer killed (SIGKILL) in
//! the middle of its write loop: the store stays readable and holds every committed run.
//!
//! The writers are this test binary run again as a child (`child_writer` with
//! `PERFHOUND_STORE_CHILD` set): real separate processes with their own connections.

mod common;

use perfhound_store::{Filter, Location, Meta, Store};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const CHILD_ENV: &str = "PERFHOUND_STORE_CHILD";

/// In a child: saves `PERFHOUND_STORE_RUNS` runs (0 = until killed) named `<writer>-<i>`,
/// printing each id once committed. In the test process: one save, read back.
#[test]
fn child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        let dir = tempfile::tempdir().unwrap();
        let loc = Location::Sqlite(dir.path().join("h.db"));
        perfhound_store::save(&loc, &common::run("solo", 1000, 10), &Meta::default()).unwrap();
        assert_eq!(Store::open(&loc).unwrap().list(&Filter::default()).unwrap().len(), 1);
        return;
    };
    let writer = std::env::var("PERFHOUND_STORE_WRITER").unwrap();
    let runs: u64 = std::env::var("PERFHOUND_STORE_RUNS").unwrap().parse().unwrap();
    let loc = Location::Sqlite(path.into());
    let mut store = Store::open(&loc).unwrap();
    let meta = Meta { command: "load".into(), git_branch: writer.clone(), ..Default::default() };
    let mut i = 0;
    while runs == 0 || i < runs {
        let run = common::run(&format!("{writer}-{i}"), 1000 + i, 2000);
        store.save(&run, &meta).unwrap();
        println!("committed {writer}-{i}");
        i += 1;
    }
}

/// The endless writer is killed even when an assertion fails first.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_writer(db: &Path, writer: &str, runs: u64) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_writer", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, db)
        .env("PERFHOUND_STORE_WRITER", writer)
        .env("PERFHOUND_STORE_RUNS", runs.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn concurrent_writer_processes_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    // No store yet: the writers race to create and migrate it too.
    let children: Vec<Child> = (0..4).map(|w| spawn_writer(&db, &format!("w{w}"), 15)).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "writer failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut store = Store::open(&Location::Sqlite(db)).unwrap();
    let rows = store.list(&Filter::default()).unwrap();
    assert_eq!(rows.len(), 60, "4 writers × 15 runs");
    for w in 0..4 {
        let mine = store.list(&Filter { branch: Some(format!("w{w}")), ..Default::default() }).unwrap();
        assert_eq!(mine.len(), 15, "writer w{w}");
    }
    assert_eq!(store.run("w3-14").unwrap(), common::run("w3-14", 1014, 2000));
}

#[test]
fn a_writer_killed_mid_write_leaves_a_readable_store() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let mut child = KillOnDrop(spawn_writer(&db, "victim", 0));
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    // Let it commit a few runs, then kill it while it is inside its loop of writes.
    let mut committed = Vec::new();
    while committed.len() < 5 {
        let line = lines.next().expect("the writer ended early").unwrap();
        if let Some(id) = line.strip_prefix("committed ") {
            committed.push(id.to_string());
        }
    }
    unsafe { libc::kill(child.0.id() as i32, libc::SIGKILL) };
    let status = child.0.wait().unwrap();
    assert!(!status.success(), "the writer was killed");
    // Ids it printed after our read are committed too; read them so none is missed.
    committed.extend(lines.map_while(Result::ok).filter_map(|l| l.strip_prefix("committed ").map(str::to_string)));

    let loc = Location::Sqlite(db.clone());
    let mut store = Store::open(&loc).unwrap();
    let rows = store.list(&Filter::default()).unwrap();
    for id in &committed {
        assert!(rows.iter().any(|r| &r.id == id), "committed run {id} survives the kill");
        store.run(id).unwrap();
    }
    // At most the one transaction in flight is lost, and it is lost whole.
    assert!(rows.len() <= committed.len() + 1, "{} rows, {} committed", rows.len(), committed.len());
    let points = store.series("GET /api/orders", perfhound_model::Metric::P50, &Filter::default()).unwrap();
    assert_eq!(points.len(), rows.len(), "no run without its points, no points without their run");
    let check = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = check.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    perfhound_store::save(&loc, &common::run("after", 1000, 10), &Meta::default()).unwrap();
}
