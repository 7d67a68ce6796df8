//! Small projects for the locator's tests: files written to a temporary directory and
//! indexed, runtime findings shaped as perfhound-traces reports them, and the two checks
//! (located at `…file:lines (function)`, or "not found" for a stated reason).

use perfhound_model::{Finding, Rule, Severity};
use perfhound_scan::locate::SourceIndex;

/// Writes `files` under a temporary directory and indexes it.
pub fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, SourceIndex) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let index = SourceIndex::build(&[dir.path().to_path_buf()]);
    (dir, index)
}

pub fn finding(code: &'static str, endpoint: &str, query: &str) -> Finding {
    let rule = Rule { code, name: "runtime", severity: Severity::Warning, summary: "", why: "", fix: "" };
    let mut f = Finding::new(&rule, endpoint, "t");
    f.evidence.query = Some(query.into());
    f
}

/// `file:lines (function)` of the finding, or `not found: why`.
pub fn locate(index: &SourceIndex, code: &'static str, endpoint: &str, query: &str) -> String {
    match index.locate(&finding(code, endpoint, query)) {
        Ok(l) => l.location(),
        Err(e) => format!("not found: {}", e.0),
    }
}

pub fn assert_at(got: String, expected: &str) {
    assert!(got.ends_with(expected), "got {got}, expected …{expected}");
}

pub fn assert_not_found(got: String, why: &str) {
    assert!(got.starts_with("not found: ") && got.contains(why), "got {got}, expected not found ({why})");
}
