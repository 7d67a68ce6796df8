//! The one-line form of a finding every terminal summary prints.

use crate::clean::one_line;
use perfhound_model::Finding;

/// `[warning] PH-DB001 missing-index: title` — severity, stable code, rule name, title
/// (folded to one line and cleaned of control characters).
pub fn finding_line(f: &Finding) -> String {
    format!("[{}] {} {}: {}", f.severity, f.rule.code, f.rule.name, one_line(&f.title))
}

/// The end of a command's terminal summary: `Findings: N`, the findings most severe first,
/// each with the indented `detail` lines the command adds (a snippet, the query), then one
/// `warning: …` line per warning. Every line is cleaned of control characters.
pub fn findings_block<'a>(
    o: &mut String,
    findings: impl IntoIterator<Item = &'a Finding>,
    warnings: &[String],
    detail: impl Fn(&Finding) -> Vec<String>,
) {
    use std::fmt::Write as _;
    let mut findings: Vec<&Finding> = findings.into_iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let _ = writeln!(o, "\nFindings: {}", findings.len());
    for f in findings {
        let _ = writeln!(o, "  {}", finding_line(f));
        for l in detail(f) {
            let _ = writeln!(o, "     {}", crate::clean(&l));
        }
    }
    for w in warnings {
        let _ = writeln!(o, "warning: {}", one_line(w));
    }
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

    #[test]
    fn block_puts_the_most_severe_first_with_details_and_warnings() {
        let mut info = Finding::new(&RULE, "a", "minor");
        info.severity = Severity::Info;
        let mut crit = Finding::new(&RULE, "b", "major");
        crit.severity = Severity::Critical;
        let mut o = String::new();
        findings_block(&mut o, [&info, &crit], &["no \u{1b}[2Jstats".to_string()], |f| {
            vec![format!("on {}", f.target)]
        });
        assert_eq!(
            o,
            "\nFindings: 2\n  [critical] PH-X001 some-rule: major\n     on b\n  [info] PH-X001 some-rule: minor\n     on a\nwarning: no stats\n"
        );
    }
}
