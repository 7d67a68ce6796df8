//! Lighthouse `budget.json`: `[{path, timings, resourceSizes, resourceCounts}]`.
//!
//! - `timings[{metric, budget}]` → the web timing of that Lighthouse audit id, in ms
//!   (`cumulative-layout-shift` unitless), judged on the merged targets of the run;
//! - `resourceSizes[{resourceType, budget}]` → `transfer_size <= budget KiB` over the asset
//!   targets whose group is that resource type (`total`: every asset), combined;
//! - `resourceCounts[{resourceType, budget}]` → `count <=` the number of such assets.
//!
//! `path` and `options` select pages in Lighthouse; perfhound judges every page of the run
//! and notes the path as ignored when it is not `/*`.

use super::error::{BudgetError, Doc};
use super::native::line;
use perfhound_model::{Budget, Comparison, Metric, TargetKind, Threshold};
use perfhound_yaml::Node;
use serde_saphyr::Spanned;

const TIMINGS: [(&str, Metric); 8] = [
    ("first-contentful-paint", Metric::FirstContentfulPaint),
    ("largest-contentful-paint", Metric::LargestContentfulPaint),
    ("first-meaningful-paint", Metric::FirstMeaningfulPaint),
    ("interactive", Metric::Interactive),
    ("speed-index", Metric::SpeedIndex),
    ("total-blocking-time", Metric::TotalBlockingTime),
    ("max-potential-fid", Metric::MaxPotentialFid),
    ("cumulative-layout-shift", Metric::CumulativeLayoutShift),
];

const RESOURCE_TYPES: [&str; 9] =
    ["document", "script", "stylesheet", "image", "media", "font", "other", "third-party", "total"];

/// True when the root is a list (Lighthouse's shape) or has Lighthouse keys.
pub(crate) fn looks_like(root: &Node) -> bool {
    match root {
        Node::Seq(_) => true,
        Node::Map(_) => ["timings", "resourceSizes", "resourceCounts"].iter().any(|k| root.get(k).is_some()),
        _ => false,
    }
}

pub(crate) fn parse(doc: &Doc, root: &Spanned<Node>) -> Result<(Vec<Budget>, Vec<String>), BudgetError> {
    let items: Vec<&Spanned<Node>> = match &root.value {
        Node::Seq(items) => items.iter().collect(),
        _ => vec![root],
    };
    let (mut budgets, mut ignored) = (Vec::new(), Vec::new());
    for (i, item) in items.into_iter().enumerate() {
        let path = format!("[{i}]");
        let Some(entries) = item.value.as_map() else {
            return Err(doc.error(&item.referenced, &path, "expected a budget object", "see Lighthouse's budget.json"));
        };
        for (key, value) in entries {
            let field = format!("{path}.{}", key.value);
            match key.value.as_str() {
                "timings" => budgets.push(timings(doc, value, &field)?),
                "resourceSizes" => budgets.extend(resources(doc, value, &field, Metric::TransferSize)?),
                "resourceCounts" => budgets.extend(resources(doc, value, &field, Metric::Count)?),
                "path" if value.value.scalar_text().as_deref() != Some("/*") => {
                    ignored.push(format!("{field}: perfhound judges every page of the run; the path is not used"));
                }
                "path" | "options" => {}
                other => {
                    let hint = "Lighthouse budgets have path, options, timings, resourceSizes and resourceCounts";
                    return Err(doc.error(&key.referenced, &field, format!("unknown field `{other}`"), hint));
                }
            }
        }
    }
    Ok((budgets, ignored))
}

fn timings(doc: &Doc, node: &Spanned<Node>, path: &str) -> Result<Budget, BudgetError> {
    let mut budget = Budget { target: "*".into(), kind: None, group: None, combine: true, lines: Vec::new() };
    for (i, entry) in list(doc, node, path)?.iter().enumerate() {
        let field = format!("{path}[{i}]");
        let name = text_field(doc, entry, &field, "metric")?;
        let Some((_, metric)) = TIMINGS.iter().find(|(id, _)| *id == name) else {
            let ids: Vec<&str> = TIMINGS.iter().map(|(id, _)| *id).collect();
            let what = format!("unknown timing metric `{name}`");
            return Err(doc.error(&entry.referenced, &field, what, format!("use one of: {}", ids.join(", "))));
        };
        let limit_ms = number_field(doc, entry, &field, "budget")?;
        let scale = if *metric == Metric::CumulativeLayoutShift { 1.0 } else { 1_000.0 };
        let threshold = Threshold { metric: *metric, comparison: Comparison::Le, limit: limit_ms * scale };
        budget.lines.push(line(doc, entry, &field, threshold, format!("{name}: {limit_ms}")));
    }
    Ok(budget)
}

fn resources(doc: &Doc, node: &Spanned<Node>, path: &str, metric: Metric) -> Result<Vec<Budget>, BudgetError> {
    let mut out = Vec::new();
    for (i, entry) in list(doc, node, path)?.iter().enumerate() {
        let field = format!("{path}[{i}]");
        let kind = text_field(doc, entry, &field, "resourceType")?;
        if !RESOURCE_TYPES.contains(&kind.as_str()) {
            let what = format!("unknown resourceType `{kind}`");
            return Err(doc.error(
                &entry.referenced,
                &field,
                what,
                format!("use one of: {}", RESOURCE_TYPES.join(", ")),
            ));
        }
        let budget = number_field(doc, entry, &field, "budget")?;
        // Lighthouse sizes are KiB.
        let limit = if metric == Metric::TransferSize { budget * 1024.0 } else { budget };
        let threshold = Threshold { metric, comparison: Comparison::Le, limit };
        let group = (kind != "total").then(|| kind.clone());
        let text = format!("{kind}: {budget}{}", if metric == Metric::TransferSize { " KiB" } else { "" });
        let lines = vec![line(doc, entry, &field, threshold, text)];
        out.push(Budget { target: "*".into(), kind: Some(TargetKind::Asset), group, combine: true, lines });
    }
    Ok(out)
}

fn list<'a>(doc: &Doc, node: &'a Spanned<Node>, path: &str) -> Result<&'a [Spanned<Node>], BudgetError> {
    match &node.value {
        Node::Seq(items) => Ok(items),
        other => Err(doc.error(&node.referenced, path, format!("expected a list, found {}", other.kind()), "")),
    }
}

fn text_field(doc: &Doc, entry: &Spanned<Node>, path: &str, key: &str) -> Result<String, BudgetError> {
    match entry.value.get(key).map(|v| &v.value) {
        Some(Node::Str(s)) => Ok(s.clone()),
        _ => Err(doc.error(&entry.referenced, path, format!("missing `{key}` (a string)"), format!("add \"{key}\""))),
    }
}

fn number_field(doc: &Doc, entry: &Spanned<Node>, path: &str, key: &str) -> Result<f64, BudgetError> {
    match entry.value.get(key).and_then(|v| v.value.as_f64()) {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => {
            Err(doc.error(&entry.referenced, path, format!("missing `{key}` (a number ≥ 0)"), format!("add \"{key}\"")))
        }
    }
}
