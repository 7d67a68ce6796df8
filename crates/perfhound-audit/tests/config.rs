//! The audit config: a scenario file plus `audit:` and `budgets:`, with located errors.

use perfhound_audit::config::parse;
use std::path::Path;

const BASE: &str = "base_url: http://127.0.0.1:9\nvus: 2\nduration: 1s\nflow:\n  - get: /\n";

fn env(name: &str) -> Option<String> {
    (name == "SHOP_DB").then(|| "postgres://app:secret@127.0.0.1:5432/shop".to_string())
}

fn err(text: &str) -> String {
    parse(Path::new("dir/perfhound.yaml"), text, &env).expect_err("must be rejected").to_string()
}

#[test]
fn a_full_config_resolves() {
    let text = format!(
        "{BASE}audit:\n  title: Shop\n  traces: {{listen: '127.0.0.1:0', settle: 2s, thresholds: {{slow_db: {{min_ms: 50}}}}}}\n  db: $SHOP_DB\n  out: results\n  fail_on: warning\nbudgets:\n  - {{target: overall, p95: 300ms}}\n"
    );
    let cfg = parse(Path::new("dir/perfhound.yaml"), &text, &env).unwrap();
    assert_eq!(cfg.title.as_deref(), Some("Shop"));
    let t = cfg.traces.unwrap();
    assert_eq!(t.listen, "127.0.0.1:0");
    assert_eq!(t.settle, std::time::Duration::from_secs(2));
    assert_eq!(t.detectors.slow_db.min_ms, 50.0);
    assert_eq!(t.detectors.n_plus_one_db.min_repeats, 5, "unset thresholds keep their defaults");
    assert_eq!(cfg.db.as_deref(), Some("postgres://app:secret@127.0.0.1:5432/shop"));
    assert_eq!(cfg.out_dir, Path::new("dir/results"));
    assert_eq!(cfg.fail_on, Some(perfhound_model::Severity::Warning));
    assert_eq!(cfg.budgets.unwrap().budgets[0].lines.len(), 1);
    assert_eq!(cfg.plan.names.len(), 1);
}

#[test]
fn a_plain_scenario_is_an_audit_without_extras() {
    let cfg = parse(Path::new("s.yaml"), BASE, &env).unwrap();
    assert!(cfg.traces.is_none() && cfg.db.is_none() && cfg.budgets.is_none());
    assert_eq!(cfg.out_dir, Path::new("perfhound-audit"));
}

#[test]
fn sqlite_paths_are_relative_to_the_config() {
    let cfg = parse(Path::new("dir/p.yaml"), &format!("{BASE}audit:\n  db: sqlite://data/shop.db\n"), &env).unwrap();
    assert_eq!(cfg.db.as_deref(), Some("sqlite://dir/data/shop.db"));
}

#[test]
fn errors_name_file_line_and_field() {
    let e = err(&format!("{BASE}audit:\n  fail_on: sometimes\n"));
    assert!(e.contains("dir/perfhound.yaml:7:") && e.contains("audit.fail_on") && e.contains("critical"), "{e}");
    let e = err(&format!("{BASE}audit:\n  traces: {{listen: localhost}}\n"));
    assert!(e.contains(":7:") && e.contains("audit.traces.listen") && e.contains("127.0.0.1:4318"), "{e}");
    let e = err(&format!("{BASE}audit:\n  databse: x\n"));
    assert!(e.contains("dir/perfhound.yaml:7") && e.contains("databse"), "{e}");
    let e = err(&format!("{BASE}audit:\n  db: $NOPE\n"));
    assert!(e.contains("NOPE is not set"), "{e}");
    let e = err(&format!("{BASE}audit:\n  db: mysql://x\n"));
    assert!(e.contains("postgres://") && e.contains("sqlite://"), "{e}");
    let e = err(&format!("{BASE}budgets:\n  - {{target: overall, p95: fast}}\n"));
    assert!(e.contains("dir/perfhound.yaml:7") && e.contains("p95"), "{e}");
    // A scenario error is reported by the scenario loader, located too.
    let e = err("base_url: http://127.0.0.1:9\nflow:\n  - got: /\n");
    assert!(e.contains("dir/perfhound.yaml:3"), "{e}");
}

#[test]
fn source_dirs_are_relative_to_the_config_and_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("api")).unwrap();
    std::fs::create_dir_all(dir.path().join("web")).unwrap();
    let file = dir.path().join("perfhound.yaml");
    let cfg = parse(&file, &format!("{BASE}audit:\n  source: api\n"), &env).unwrap();
    assert_eq!(cfg.source, vec![dir.path().join("api")]);
    let cfg = parse(&file, &format!("{BASE}audit:\n  source: [api, web]\n"), &env).unwrap();
    assert_eq!(cfg.source.len(), 2);
    let e = parse(&file, &format!("{BASE}audit:\n  source: nope\n"), &env).unwrap_err().to_string();
    assert!(e.contains("perfhound.yaml:7:") && e.contains("audit.source") && e.contains("nope does not exist"), "{e}");
}

#[test]
fn redis_urls_are_checked_before_anything_is_sent() {
    let cfg =
        parse(Path::new("p.yaml"), &format!("{BASE}audit:\n  redis: redis://:pw@127.0.0.1:6380/1\n"), &env).unwrap();
    assert_eq!(cfg.redis.as_deref(), Some("redis://:pw@127.0.0.1:6380/1"));
    let e = err(&format!("{BASE}audit:\n  redis: http://:hunter2@cache:6379\n"));
    assert!(e.contains("dir/perfhound.yaml:7:") && e.contains("audit.redis") && e.contains("redis://"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
    let e = err(&format!("{BASE}audit:\n  redis: $NOPE\n"));
    assert!(e.contains("NOPE is not set"), "{e}");
}

#[test]
fn the_store_is_a_url_an_env_variable_or_a_path_relative_to_the_config() {
    let store = |value: &str| {
        parse(Path::new("dir/p.yaml"), &format!("{BASE}audit:\n  store: {value}\n"), &env).map(|c| c.store)
    };
    assert_eq!(store("hist/h.db").unwrap().as_deref(), Some("dir/hist/h.db"));
    assert_eq!(store("postgres://perf@127.0.0.1/h").unwrap().as_deref(), Some("postgres://perf@127.0.0.1/h"));
    assert!(store("$NOT_SET_ANYWHERE")
        .unwrap_err()
        .to_string()
        .contains("audit.store: environment variable NOT_SET_ANYWHERE"));
    assert_eq!(parse(Path::new("s.yaml"), BASE, &env).unwrap().store, None);
}
