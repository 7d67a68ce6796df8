//! The one-line form of a finding every terminal summary prints.

use crate::clean::one_line;
use perfhound_model::Finding;

/// `[warning] PH-DB001 missing-index: title` — severity, stable code, rule name, title
/// (folded to one line and cleaned of control characters).
pub fn finding_line(f: &Finding) -> String {
    format!("[{}] {} {}: {}", f.severity, f.rule.code, f.rule.name, one_line(&f.title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfhound_model::{Rule, Severity};

    const RULE: Rule =
        Rule { code: "PH-TEST001", name: "test-rule", severity: Severity::Warning, summary: "", why: "", fix: "" };

    #[test]
    fn one_clean_line() {
        let f = Finding::new(&RULE, "GET /x", "slow\n\u{1b}[31mquery\u{1b}[0m");
        assert_eq!(finding_line(&f), "[warning] PH-TEST001 test-rule: slow query");
    }
}
