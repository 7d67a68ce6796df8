//! The corpus apps' ground truth (`tests/corpus/<app>/ground_truth.yaml`) and the verdicts
//! of one audit against it: every bottleneck found on its endpoint, every twin clean.

use perfhound_model::{Finding, Run, Severity};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::Path;

/// One app's ground truth.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundTruth {
    pub app: String,
    /// True findings about the whole server: expected once, never held against a twin.
    #[serde(default)]
    pub server_wide: Vec<ServerWide>,
    pub bottlenecks: Vec<Bottleneck>,
}

/// A problem of the server itself (a setting), true of every endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerWide {
    pub name: String,
    pub rules: Vec<String>,
}

/// A planted bottleneck and its clean twin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bottleneck {
    pub name: String,
    /// The request name of the endpoint that carries it.
    pub endpoint: String,
    /// Rule codes or rule names; a finding of any one of them is right.
    pub rules: Vec<String>,
    #[serde(default = "info")]
    pub min_severity: Severity,
    /// For findings that name statements, not endpoints: text the finding must mention.
    #[serde(default)]
    pub mentions: Option<String>,
    /// The endpoint doing the same work the right way.
    pub twin: String,
    /// Text that identifies a database finding about the twin's own statement.
    #[serde(default)]
    pub twin_mentions: Option<String>,
    /// `file:lines (function)` of the loop or call site causing it: a finding of `rules` on
    /// `endpoint` must carry it as its Location when the audit has `source:` (issue 14).
    #[serde(default)]
    pub location: Option<String>,
}

/// Runtime rules whose findings point at a loop or call site (issue 14: every planted
/// N+1, serial-call and row-at-a-time bottleneck gets its Location).
const LOCATED_RULES: &[&str] = &[
    "PH-TRACE001",
    "PH-TRACE002",
    "PH-TRACE003",
    "PH-TRACE004",
    "PH-TRACE005",
    "PH-TRACE008",
    "PH-TRACE009",
    "PH-TRACE014",
    "PH-TRACE016",
    "PH-TRACE017",
];

/// Bottlenecks found by a call-site rule whose ground truth gives no `location`.
pub fn unlocated(truth: &GroundTruth) -> Vec<&str> {
    let located_rule = |b: &Bottleneck| b.rules.iter().any(|r| LOCATED_RULES.contains(&r.as_str()));
    truth.bottlenecks.iter().filter(|b| located_rule(b) && b.location.is_none()).map(|b| b.endpoint.as_str()).collect()
}

/// Locations given to the bottlenecks' findings: (report, right, expected).
pub fn locations(truth: &GroundTruth, run: &Run) -> (String, usize, usize) {
    let mut out = String::new();
    let (mut right, mut total) = (0, 0);
    for b in &truth.bottlenecks {
        let Some(expected) = &b.location else { continue };
        total += 1;
        let found: Vec<&str> = run
            .findings
            .iter()
            .filter(|f| f.target == b.endpoint && b.rules.iter().any(|r| *r == f.rule.code || *r == f.rule.name))
            .flat_map(|f| f.evidence.notes.iter().filter_map(|n| n.strip_prefix("Location: ")))
            .collect();
        let ok = found.iter().any(|l| l.split(" (via ").next().is_some_and(|l| l.ends_with(expected.as_str())));
        right += usize::from(ok);
        let _ = writeln!(
            out,
            "  location {} {}: expected …{expected}, got {found:?}",
            if ok { "ok" } else { "WRONG" },
            b.endpoint
        );
    }
    let _ = writeln!(out, "{}: {right}/{total} locations right", truth.app);
    (out, right, total)
}

fn info() -> Severity {
    Severity::Info
}

impl GroundTruth {
    pub fn load(path: &Path) -> GroundTruth {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every endpoint the audit must have loaded: the bottlenecks' and the twins'.
    pub fn endpoints(&self) -> impl Iterator<Item = &str> {
        self.bottlenecks.iter().flat_map(|b| [b.endpoint.as_str(), b.twin.as_str()])
    }
}

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Found,
    Missed,
    Clean,
    FalsePositive,
}

impl Outcome {
    pub fn is_right(self) -> bool {
        matches!(self, Outcome::Found | Outcome::Clean)
    }

    fn label(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::Missed => "MISSED",
            Outcome::Clean => "clean",
            Outcome::FalsePositive => "FALSE-POSITIVE",
        }
    }
}

/// One verdict: what was checked, its outcome and the findings that decided it.
#[derive(Debug)]
pub struct Verdict {
    pub outcome: Outcome,
    pub what: String,
    pub detail: String,
}

/// The verdicts of `run` against `truth`: one per server-wide problem, per bottleneck and
/// per twin.
pub fn judge(truth: &GroundTruth, run: &Run) -> Vec<Verdict> {
    let server_rules: Vec<String> = truth.server_wide.iter().flat_map(|s| s.rules.iter().cloned()).collect();
    let server = truth.server_wide.iter().map(|s| found_anywhere(s, run));
    let endpoints = truth.bottlenecks.iter().flat_map(|b| [found(b, run), clean(b, run, &server_rules)]);
    server.chain(endpoints).collect()
}

fn found_anywhere(s: &ServerWide, run: &Run) -> Verdict {
    let what = format!("(server) — {} by {}", s.name, s.rules.join(" | "));
    let hits: Vec<&Finding> = run.findings.iter().filter(|f| matches_rule(f, &s.rules)).collect();
    match hits.first() {
        Some(f) => {
            Verdict { outcome: Outcome::Found, what, detail: format!("{} ({} findings)", describe(f), hits.len()) }
        }
        None => Verdict { outcome: Outcome::Missed, what, detail: String::new() },
    }
}

fn matches_rule(f: &Finding, rules: &[String]) -> bool {
    rules.iter().any(|r| *r == f.rule.code || *r == f.rule.name)
}

/// Whether `f` is about `text`: its target, title, query or recommended fix mention it.
fn mentions(f: &Finding, text: &str) -> bool {
    let fields = [Some(&f.target), Some(&f.title), f.evidence.query.as_ref(), f.recommendation.snippet.as_ref()];
    fields.into_iter().flatten().any(|s| s.contains(text))
}

fn on_endpoint(f: &Finding, b: &Bottleneck) -> bool {
    match &b.mentions {
        Some(text) => mentions(f, text),
        None => f.target == b.endpoint,
    }
}

fn found(b: &Bottleneck, run: &Run) -> Verdict {
    let hit = run
        .findings
        .iter()
        .filter(|f| matches_rule(f, &b.rules) && on_endpoint(f, b) && f.severity >= b.min_severity)
        .max_by_key(|f| f.severity);
    let what = format!("{} — {} by {}", b.endpoint, b.name, b.rules.join(" | "));
    match hit {
        Some(f) => Verdict { outcome: Outcome::Found, what, detail: describe(f) },
        None => {
            let seen: Vec<String> = run.findings.iter().filter(|f| f.target == b.endpoint).map(describe).collect();
            let detail = format!("needs ≥ {}; on this endpoint: [{}]", b.min_severity, seen.join("; "));
            Verdict { outcome: Outcome::Missed, what, detail }
        }
    }
}

fn clean(b: &Bottleneck, run: &Run, server_rules: &[String]) -> Verdict {
    let loud: Vec<String> = run
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning && !matches_rule(f, server_rules))
        .filter(|f| f.target == b.twin || b.twin_mentions.as_deref().is_some_and(|t| mentions(f, t)))
        .map(describe)
        .collect();
    let what = format!("{} — twin of {}", b.twin, b.endpoint);
    let outcome = if loud.is_empty() { Outcome::Clean } else { Outcome::FalsePositive };
    Verdict { outcome, what, detail: loud.join("; ") }
}

fn describe(f: &Finding) -> String {
    format!("{} {} {}: {}", f.severity, f.rule.code, f.rule.name, f.title)
}

/// The score table: one line per verdict, then `app: right/total`.
pub fn score(app: &str, verdicts: &[Verdict]) -> String {
    let mut out = String::new();
    for v in verdicts {
        let _ = writeln!(out, "  {:<14} {}", v.outcome.label(), v.what);
        if !v.detail.is_empty() {
            let _ = writeln!(out, "  {:<14}   {}", "", v.detail);
        }
    }
    let right = verdicts.iter().filter(|v| v.outcome.is_right()).count();
    let _ = writeln!(out, "{app}: {right}/{} verdicts right", verdicts.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUTH: &str = "
app: demo
server_wide:
  - {name: closes connections, rules: [PH-HTTP003]}
bottlenecks:
  - {name: n+1, endpoint: GET /a, rules: [PH-TRACE001], twin: GET /a-fixed}
  - {name: serial, endpoint: GET /b, rules: [consecutive-http-calls], min_severity: warning, twin: GET /b-fixed}
  - {name: scan, endpoint: GET /c, rules: [PH-DB001], mentions: email, twin: GET /c-fixed, twin_mentions: customer_id =}
";

    fn finding(code: &str, name: &str, severity: &str, target: &str, snippet: &str) -> serde_json::Value {
        serde_json::json!({"rule": {"code": code, "name": name}, "severity": severity, "title": "t",
            "target": target, "evidence": {}, "impact": {}, "recommendation": {"text": "", "snippet": snippet},
            "fingerprint": format!("{code}{target}"), "confidence": "high"})
    }

    fn run(findings: Vec<serde_json::Value>) -> Run {
        let run = serde_json::json!({"schema_version": 1, "id": "x", "tool": {"name": "perfhound", "version": "0"},
            "started_at": "a", "ended_at": "b", "host": {"hostname": "h", "os": "linux", "arch": "x86_64", "cpus": 2},
            "sources": [], "targets": [], "findings": findings});
        Run::from_json(&run.to_string()).unwrap()
    }

    fn outcomes(findings: Vec<serde_json::Value>) -> Vec<Outcome> {
        let truth: GroundTruth = serde_saphyr::from_str(TRUTH).unwrap();
        judge(&truth, &run(findings)).iter().map(|v| v.outcome).collect()
    }

    #[test]
    fn verdicts_follow_rule_endpoint_severity_and_mentions() {
        use Outcome::*;
        let all_right = outcomes(vec![
            finding("PH-HTTP003", "keep-alive-not-honored", "warning", "GET /a-fixed", ""),
            finding("PH-TRACE001", "n-plus-one-db-query", "info", "GET /a", ""),
            finding("PH-TRACE005", "consecutive-http-calls", "warning", "GET /b", ""),
            finding("PH-DB001", "missing-index", "warning", "public.orders", "CREATE INDEX ON orders (email)"),
            finding("PH-TRACE008", "redundant-call", "info", "GET /b-fixed", ""),
        ]);
        assert_eq!(all_right, [Found, Found, Clean, Found, Clean, Found, Clean]);
        let all_wrong = outcomes(vec![
            finding("PH-TRACE001", "n-plus-one-db-query", "warning", "GET /a-fixed", ""),
            finding("PH-TRACE005", "consecutive-http-calls", "info", "GET /b", ""),
            finding("PH-DB001", "missing-index", "warning", "SELECT … WHERE customer_id = ?", ""),
        ]);
        assert_eq!(all_wrong, [Missed, Missed, FalsePositive, Missed, Clean, Missed, FalsePositive]);
    }
}
