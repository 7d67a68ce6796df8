//! SARIF for `perfhound traces` (the writer is `perfhound_model::sarif`): one result per
//! finding whose spans carried `code.filepath` (+ `code.lineno`) or `code.file.path`
//! (+ `code.line.number`), so the problem shows up on the line that issues the queries.
//! Findings without a source file are left out (SARIF needs one).

use perfhound_model::sarif::{self, Location};
use perfhound_model::{Rule, Run};
use serde_json::Value;

/// SARIF log for the run's findings that have a location.
pub fn render(run: &Run, rules: &[Rule]) -> Value {
    sarif::document(run, rules, |f| {
        let loc = f.evidence.location.as_deref().filter(|l| !l.starts_with('('))?;
        let (uri, start_line) = split_location(loc);
        Some(Location { uri, start_line, ..Location::default() })
    })
}

/// `path:line (function)` → (`path`, Some(line)); a bare path → (`path`, None); the
/// function, when present, is dropped (SARIF's region is the line).
fn split_location(loc: &str) -> (&str, Option<u64>) {
    let loc = match loc.rsplit_once(" (") {
        Some((path, function)) if function.ends_with(')') => path,
        _ => loc,
    };
    match loc.rsplit_once(':') {
        Some((file, line)) if line.parse::<u64>().is_ok() => (file, line.parse().ok()),
        _ => (loc, None),
    }
}

#[cfg(test)]
mod tests {
    use super::split_location;

    #[test]
    fn locations() {
        assert_eq!(split_location("app/views.py:42"), ("app/views.py", Some(42)));
        assert_eq!(split_location("C:/x/app.py"), ("C:/x/app.py", None));
        assert_eq!(split_location("app/views.py:42 (list_orders)"), ("app/views.py", Some(42)));
        assert_eq!(split_location("my app/v.py (run)"), ("my app/v.py", None));
    }
}
