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
    use perfhound_model::{Confidence, RuleRef, Severity};

    #[test]
    fn one_clean_line() {
        let f = Finding {
            rule: RuleRef { code: String::from("PH-X001"), name: "some-rule".into() },
            severity: Severity::Warning,
            title: "slow\n\u{1b}[31mquery\u{1b}[0m".into(),
            target: "GET /x".into(),
            evidence: Default::default(),
            impact: Default::default(),
            recommendation: Default::default(),
            fingerprint: "f".into(),
            confidence: Confidence::High,
        };
        assert_eq!(finding_line(&f), "[warning] PH-X001 some-rule: slow query");
    }
}
