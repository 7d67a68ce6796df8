//! Findings: a detected problem with evidence, estimated impact and a fix.
//!
//! Every engine describes its rules as `const` [`Rule`] values (stable code such as
//! `PH-HTTP001`, a kebab-case name that names the problem, and fixed doc sections), and
//! emits [`Finding`]s that reference them. Serialized findings carry the code and name
//! as strings so that a run file is self-describing, but code never builds them from
//! free-form strings: it passes the rule constant.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How bad a finding is. Ordered: `Info < Warning < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the detector is that the finding is real.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// A rule's static description, one `const` per detector/check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable code, e.g. `PH-HTTP001`. Never reused for another meaning.
    pub code: &'static str,
    /// Kebab-case name that names the problem, e.g. `uncompressed-text-response`.
    pub name: &'static str,
    /// Default severity when the detector has no better judgement.
    pub severity: Severity,
    /// One line: what it detects.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

impl Rule {
    pub fn reference(&self) -> RuleRef {
        RuleRef { code: self.code.to_string(), name: self.name.to_string() }
    }
}

/// The serialized reference from a finding to its rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleRef {
    pub code: String,
    pub name: String,
}

/// What supports a finding. Everything is optional; engines fill what they know.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Named counts, e.g. `{"responses": 1200, "uncompressed": 1200}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, u64>,
    /// Named durations in microseconds, e.g. `{"total_db_us": 530000}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub durations_us: BTreeMap<String, u64>,
    /// Named sizes in bytes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sizes_bytes: BTreeMap<String, u64>,
    /// Example ids (trace ids, span ids, request URLs) a person can look up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Query text (normalized / redacted by the engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Source location `path:line` or `path:start-end`, when known, optionally followed
    /// by the function: `app/orders.py:42 (list_orders)`; `(function)` alone when only the
    /// function is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The offending code as it is now (the report's "current implementation").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Language of `code` for highlighting (`python`, `sql`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_lang: Option<String>,
    /// Free-form notes, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Estimated benefit of fixing the finding.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    /// Time that fixing it would save per affected request, in microseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_saved_per_request_us: Option<u64>,
    /// Share (0..=1) of the total measured time this problem accounts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_of_total: Option<f64>,
    /// Bytes that fixing it would save per affected response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_saved_per_request: Option<u64>,
    /// Number of affected requests / occurrences in the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<u64>,
}

/// The fix: text and an optional ready-to-use snippet (code, SQL, config).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Language of the snippet for highlighting (`sql`, `python`, `nginx`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet_lang: Option<String>,
    /// How much work the fix is, when the detector knows; reports group recommendations by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
}

/// The seeds' recommendation horizons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    /// A config change, an index, a header: minutes to hours.
    QuickWin,
    /// Code changes in one service: days.
    MediumTerm,
    /// Architecture: caching layers, async processing, decomposition.
    LongTerm,
}

impl Effort {
    pub fn as_str(self) -> &'static str {
        match self {
            Effort::QuickWin => "quick-win",
            Effort::MediumTerm => "medium-term",
            Effort::LongTerm => "long-term",
        }
    }
}

/// A detected problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleRef,
    pub severity: Severity,
    pub title: String,
    /// The target name the finding is about (endpoint, query fingerprint, file…). For a
    /// server-wide problem, what it is about as a whole (e.g. the server's base URL).
    pub target: String,
    /// Every target a server-wide problem affects (e.g. each endpoint whose responses
    /// lacked keep-alive). Empty when the finding is about `target` alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<String>,
    #[serde(default)]
    pub evidence: Evidence,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub recommendation: Recommendation,
    /// Stable across runs: same problem, same place → same fingerprint.
    pub fingerprint: String,
    pub confidence: Confidence,
}

impl Finding {
    /// A finding for `rule` about `target`, with the rule's default severity and a
    /// fingerprint derived from the rule code and the target.
    pub fn new(rule: &Rule, target: impl Into<String>, title: impl Into<String>) -> Self {
        let target = target.into();
        let fingerprint = fingerprint(&[rule.code, &target]);
        Finding {
            rule: rule.reference(),
            severity: rule.severity,
            title: title.into(),
            target,
            affected: Vec::new(),
            evidence: Evidence::default(),
            impact: Impact::default(),
            recommendation: Recommendation { text: rule.fix.to_string(), ..Default::default() },
            fingerprint,
            confidence: Confidence::High,
        }
    }
}

/// A stable 64-bit FNV-1a fingerprint of the parts, as 16 hex digits.
///
/// FNV is used (not `std`'s SipHash with random keys) because fingerprints must be equal
/// across processes, machines and versions.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0x1f)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_parts() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
    }

    #[test]
    fn severity_orders() {
        assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
