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

    /// Not a real rule (the tidy test looks for rule definitions by their code literal).
    const TEST_CODE: &str = "PH-X001";
    const RULE: Rule =
        Rule { code: TEST_CODE, name: "some-rule", severity: Severity::Warning, summary: "", why: "", fix: "" };

    #[test]
    fn one_clean_line() {
        let f = Finding::new(&RULE, "GET /x", "slow\n\u{1b}[31mquery\u{1b}[0m");
        assert_eq!(finding_line(&f), "[warning] PH-X001 some-rule: slow query");
    }
}
