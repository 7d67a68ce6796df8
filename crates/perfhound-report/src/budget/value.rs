//! Limits as written in budget files (`300ms`, `"< 300ms"`, `">= 100"`, `0.1%`) → [`Threshold`].

use super::error::{BudgetError, Doc};
use perfhound_model::threshold::parse_value;
use perfhound_model::{Comparison, Metric, MetricKind, Threshold};
use perfhound_yaml::Node;
use serde_saphyr::Spanned;

/// Reads the limit for `metric` written at `node` (field path `field`).
///
/// A bare value is an upper bound (`p95: 300ms` means `p95 <= 300ms`). Metrics where more
/// is better (throughput, hit ratios, scores) must spell the operator: `rps: ">= 100"`.
pub(crate) fn threshold_at(
    doc: &Doc,
    metric: Metric,
    node: &Spanned<Node>,
    field: &str,
) -> Result<(Threshold, String), BudgetError> {
    let Some(text) = node.value.scalar_text() else {
        let what = format!("expected a limit, found {}", node.value.kind());
        return Err(doc.error(&node.referenced, field, what, example(metric)));
    };
    threshold_from_text(metric, &text).map_err(|why| doc.error(&node.referenced, field, why, example(metric)))
}

/// Parses `[OP] VALUE[UNIT]` for `metric`; the error says what is wrong.
pub(crate) fn threshold_from_text(metric: Metric, text: &str) -> Result<(Threshold, String), String> {
    let trimmed = text.trim();
    let (comparison, value) = match split_operator(trimmed) {
        Some((cmp, rest)) => (cmp, rest.trim()),
        None if metric.higher_is_better() => {
            return Err(format!("`{metric}: {trimmed}` is ambiguous: a higher {metric} is better"));
        }
        None => (Comparison::Le, trimmed),
    };
    let limit = parse_value(metric.kind(), value).map_err(|e| format!("bad limit `{trimmed}`: {e}"))?;
    if metric.kind() == MetricKind::Count && limit.fract() != 0.0 && is_finding_count(metric) {
        return Err(format!("`{trimmed}` is not a whole number of findings"));
    }
    if limit < 0.0 {
        return Err(format!("`{trimmed}` is negative"));
    }
    Ok((Threshold { metric, comparison, limit }, format!("{metric}: {trimmed}")))
}

fn is_finding_count(metric: Metric) -> bool {
    matches!(metric, Metric::CriticalFindings | Metric::WarningFindings | Metric::InfoFindings)
}

fn split_operator(text: &str) -> Option<(Comparison, &str)> {
    [("<=", Comparison::Le), (">=", Comparison::Ge), ("<", Comparison::Lt), (">", Comparison::Gt)]
        .into_iter()
        .find_map(|(token, cmp)| text.strip_prefix(token).map(|rest| (cmp, rest)))
}

/// How to write a limit for `metric`, for hints.
pub(crate) fn example(metric: Metric) -> String {
    let sample = match metric.kind() {
        MetricKind::Latency => "300ms",
        MetricKind::Fraction => "0.1%",
        MetricKind::Rate => "100",
        MetricKind::Count => "0",
        MetricKind::Size => "500KB",
    };
    if metric.higher_is_better() {
        format!("write the operator, e.g. `{metric}: \">= {sample}\"` (quoted: YAML reads a leading `>` as a block)")
    } else {
        format!("write e.g. `{metric}: {sample}` (an upper bound) or `{metric}: \"< {sample}\"`")
    }
}

/// Rewrites the prose units of the seeds' targets files into perfhound's:
/// `10,000 requests/sec` → `10000`, `< 2 seconds` → `< 2s`, `50 milliseconds` → `50ms`.
pub(crate) fn normalize_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.trim().chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let between_digits =
            i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if *c == ',' && between_digits {
            continue;
        }
        out.push(*c);
    }
    let lower = out.to_ascii_lowercase();
    let (number, unit) =
        lower.split_at(lower.find(|c: char| c.is_ascii_alphabetic() || c == '/').unwrap_or(lower.len()));
    let unit = match unit.trim() {
        "milliseconds" | "millisecond" | "msec" => "ms",
        "seconds" | "second" | "sec" | "secs" => "s",
        "minutes" | "minute" | "mins" => "m",
        u if u.ends_with("/sec") || u.ends_with("/s") || u.ends_with("per second") => "",
        u => u,
    };
    format!("{}{unit}", number.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_values_are_upper_bounds() {
        let (t, _) = threshold_from_text(Metric::P95, "300ms").unwrap();
        assert_eq!((t.comparison, t.limit), (Comparison::Le, 300_000.0));
        let (t, _) = threshold_from_text(Metric::Rps, ">= 100").unwrap();
        assert_eq!((t.comparison, t.limit), (Comparison::Ge, 100.0));
        assert!(threshold_from_text(Metric::Rps, "100").unwrap_err().contains("ambiguous"));
        assert!(threshold_from_text(Metric::CriticalFindings, "0.5").unwrap_err().contains("whole"));
    }

    #[test]
    fn prose_units() {
        assert_eq!(normalize_prose("10,000 requests/sec"), "10000");
        assert_eq!(normalize_prose("< 2 seconds"), "< 2s");
        assert_eq!(normalize_prose("< 0.1%"), "< 0.1%");
        assert_eq!(normalize_prose("100ms"), "100ms");
        assert_eq!(normalize_prose("> 90"), "> 90");
    }
}
