//! perfhound's own budget format: `budgets: [{target: "GET /api/*", p95: 300ms, …}]`.

use super::error::{did_you_mean, join_key, BudgetError, Doc};
use super::value::threshold_at;
use perfhound_model::{Budget, BudgetLine, Metric, Origin, TargetKind, Threshold};
use perfhound_yaml::{line_col, Node};
use serde_saphyr::Spanned;

const SELECTOR_KEYS: [&str; 6] = ["target", "kind", "group", "combine", "findings", "thresholds"];

/// Reads `budgets:` from the document root.
pub(crate) fn parse(doc: &Doc, root: &Spanned<Node>) -> Result<Vec<Budget>, BudgetError> {
    let entries = root.value.as_map().unwrap_or_default();
    if let Some((key, _)) = entries.iter().find(|(k, _)| k.value != "budgets" && k.value != "$schema") {
        let what = format!("unknown top-level field `{}`", key.value);
        return Err(doc.error(&key.referenced, &key.value, what, "a perfhound budget file has `budgets:` (a list)"));
    }
    let Some(list) = root.value.get("budgets") else {
        return Err(doc.error(&root.referenced, "", "missing `budgets:`", "add `budgets:` with a list of budgets"));
    };
    let Node::Seq(items) = &list.value else {
        let what = format!("expected a list of budgets, found {}", list.value.kind());
        return Err(doc.error(&list.referenced, "budgets", what, "write `- target: \"*\"` items under `budgets:`"));
    };
    items.iter().enumerate().map(|(i, item)| budget(doc, item, &format!("budgets[{i}]"))).collect()
}

fn budget(doc: &Doc, item: &Spanned<Node>, path: &str) -> Result<Budget, BudgetError> {
    let Some(entries) = item.value.as_map() else {
        let what = format!("expected a budget mapping, found {}", item.value.kind());
        return Err(doc.error(
            &item.referenced,
            path,
            what,
            "write `target: \"GET /api/*\"` and limits like `p95: 300ms`",
        ));
    };
    let mut budget = Budget { target: "*".into(), kind: None, group: None, combine: false, lines: Vec::new() };
    for (key, value) in entries {
        let field = join_key(path, &key.value);
        match key.value.as_str() {
            "target" => budget.target = string(doc, value, &field)?,
            "group" => budget.group = Some(string(doc, value, &field)?),
            "kind" => budget.kind = Some(kind(doc, value, &field)?),
            "combine" => budget.combine = boolean(doc, value, &field)?,
            "findings" => budget.lines.extend(findings(doc, value, &field)?),
            "thresholds" => budget.lines.extend(expressions(doc, value, &field)?),
            name => {
                let metric = metric_key(doc, key, &field, name)?;
                let (threshold, text) = threshold_at(doc, metric, value, &field)?;
                budget.lines.push(line(doc, value, &field, threshold, text));
            }
        }
    }
    if budget.lines.is_empty() {
        let hint = "add at least one limit, e.g. `p95: 300ms` or `findings: {critical: 0}`";
        return Err(doc.error(&item.referenced, path, "this budget has no limits", hint));
    }
    Ok(budget)
}

fn metric_key(doc: &Doc, key: &Spanned<String>, field: &str, name: &str) -> Result<Metric, BudgetError> {
    if let Some(metric) = Metric::parse(name).filter(|m| !is_finding_metric(*m)) {
        return Ok(metric);
    }
    let names: Vec<&str> = SELECTOR_KEYS.into_iter().chain(Metric::ALL.iter().map(|m| m.as_str())).collect();
    let hint = match did_you_mean(name, names.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? see docs/budgets.md for every field"),
        None => format!("fields allowed here: {}", names.join(", ")),
    };
    Err(doc.error(&key.referenced, field, format!("unknown field `{name}`"), hint))
}

fn is_finding_metric(m: Metric) -> bool {
    matches!(m, Metric::CriticalFindings | Metric::WarningFindings | Metric::InfoFindings)
}

/// `findings: {critical: 0, warning: 5}`: at most N findings of that severity.
fn findings(doc: &Doc, node: &Spanned<Node>, path: &str) -> Result<Vec<BudgetLine>, BudgetError> {
    let Some(entries) = node.value.as_map() else {
        return Err(doc.error(
            &node.referenced,
            path,
            "expected a mapping",
            "write `findings: {critical: 0, warning: 5}`",
        ));
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let field = join_key(path, &key.value);
        let metric = match key.value.as_str() {
            "critical" => Metric::CriticalFindings,
            "warning" => Metric::WarningFindings,
            "info" => Metric::InfoFindings,
            other => {
                let what = format!("unknown severity `{other}`");
                return Err(doc.error(&key.referenced, &field, what, "use critical, warning or info"));
            }
        };
        let (threshold, _) = threshold_at(doc, metric, value, &field)?;
        let text = format!("findings.{}: {}", key.value, value.value.scalar_text().unwrap_or_default());
        out.push(line(doc, value, &field, threshold, text));
    }
    Ok(out)
}

/// `thresholds: ["p75 < 200ms"]`: the load-test threshold grammar.
fn expressions(doc: &Doc, node: &Spanned<Node>, path: &str) -> Result<Vec<BudgetLine>, BudgetError> {
    let Node::Seq(items) = &node.value else {
        return Err(doc.error(&node.referenced, path, "expected a list", "write `thresholds: [\"p75 < 200ms\"]`"));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("{path}[{i}]");
        let text = string(doc, item, &field)?;
        let threshold = Threshold::parse(&text).map_err(|e| doc.error(&item.referenced, &field, e, ""))?;
        out.push(line(doc, item, &field, threshold, text));
    }
    Ok(out)
}

pub(crate) fn line(doc: &Doc, at: &Spanned<Node>, field: &str, threshold: Threshold, text: String) -> BudgetLine {
    let (line, column) = line_col(&at.referenced);
    BudgetLine { threshold, text, origin: Origin { file: doc.file.clone(), line, column, field: field.to_string() } }
}

fn string(doc: &Doc, node: &Spanned<Node>, field: &str) -> Result<String, BudgetError> {
    match &node.value {
        Node::Str(s) => Ok(s.clone()),
        other => {
            let what = format!("expected a string, found {}", other.kind());
            Err(doc.error(&node.referenced, field, what, "quote the value"))
        }
    }
}

fn boolean(doc: &Doc, node: &Spanned<Node>, field: &str) -> Result<bool, BudgetError> {
    match node.value {
        Node::Bool(b) => Ok(b),
        ref other => {
            let what = format!("expected true or false, found {}", other.kind());
            Err(doc.error(&node.referenced, field, what, "write `combine: true` or `combine: false`"))
        }
    }
}

fn kind(doc: &Doc, node: &Spanned<Node>, field: &str) -> Result<TargetKind, BudgetError> {
    let text = string(doc, node, field)?;
    TargetKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| {
        let names: Vec<&str> = TargetKind::ALL.iter().map(|k| k.as_str()).collect();
        doc.error(
            &node.referenced,
            field,
            format!("unknown kind `{text}`"),
            format!("use one of: {}", names.join(", ")),
        )
    })
}
