//! SARIF for `perfhound scan` (the writer is `perfhound_model::sarif`): each finding at
//! its `path:line:column` target, ending on the last line of its evidence location.

use perfhound_model::sarif::{self, Location};
use perfhound_model::{Rule, Run};
use serde_json::Value;

/// The SARIF log of a scan run.
pub fn render(run: &Run, rules: &[Rule]) -> Value {
    sarif::document(run, rules, |f| {
        let (uri, line, column) = split_target(&f.target);
        let end_line = f.evidence.location.as_deref().and_then(end_line).unwrap_or(line);
        Some(Location { uri, start_line: Some(line), start_column: Some(column), end_line: Some(end_line.max(line)) })
    })
}

/// `path:line:col` → (path, line, col); a missing part becomes 1.
fn split_target(t: &str) -> (&str, u64, u64) {
    let mut parts = t.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|c| c.parse().ok());
    match (parts.next(), line, col) {
        (Some(path), Some(l), Some(c)) => (path, l, c),
        _ => (t, 1, 1),
    }
}

/// The last line of a `path:first-last (function)` location.
fn end_line(loc: &str) -> Option<u64> {
    let loc = loc.split(" (").next()?;
    loc.rsplit(':').next()?.rsplit('-').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn targets() {
        assert_eq!(super::split_target("a/b.py:3:5"), ("a/b.py", 3, 5));
        assert_eq!(super::split_target("weird"), ("weird", 1, 1));
        assert_eq!(super::end_line("a.py:3-9 (f)"), Some(9));
    }
}
