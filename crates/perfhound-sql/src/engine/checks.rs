//! The health-check runner: every check's result gathered into one [`Health`], a check
//! that failed (privileges, an old server, a locked file) becoming a warning that names
//! it — never the end of the analysis.

use perfhound_model::{Extra, Extras, Finding, Rule};
use std::fmt::Display;

/// What one check found: findings plus database-level measurements (e.g.
/// `table_cache_hit_ratio`).
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub metrics: Vec<(Extra, f64)>,
}

impl From<Vec<Finding>> for Outcome {
    fn from(findings: Vec<Finding>) -> Self {
        Outcome { findings, metrics: Vec::new() }
    }
}

/// Results of all checks.
#[derive(Debug, Default)]
pub struct Health {
    pub findings: Vec<Finding>,
    pub metrics: Extras,
    pub warnings: Vec<String>,
}

impl Health {
    /// Gathers the checks' results, in order; a failed check becomes the warning
    /// `check PH-… name skipped: why`.
    pub fn collect<E: Display>(results: impl IntoIterator<Item = (Rule, Result<Outcome, E>)>) -> Health {
        let mut h = Health::default();
        for (rule, r) in results {
            match r {
                Ok(o) => {
                    h.findings.extend(o.findings);
                    h.metrics.extend(o.metrics);
                }
                Err(e) => h.warnings.push(format!("check {} {} skipped: {e}", rule.code, rule.name)),
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfhound_model::Severity;

    /// Not a rule of the product (tidy's rule scan must not see one): a stand-in.
    const STAND_IN: &str = "PH-X001";
    const RULE: Rule =
        Rule { code: STAND_IN, name: "example", severity: Severity::Warning, summary: "", why: "", fix: "" };

    #[test]
    fn results_and_failures_are_gathered_in_order() {
        let ok = Outcome { findings: Vec::new(), metrics: vec![(Extra::TableCacheHitRatio, 0.5)] };
        let h = Health::collect([(RULE, Ok(ok)), (RULE, Err("permission denied"))]);
        assert_eq!(h.metrics.get(Extra::TableCacheHitRatio), Some(0.5));
        assert_eq!(h.warnings, ["check PH-X001 example skipped: permission denied"]);
        assert!(h.findings.is_empty());
    }
}
