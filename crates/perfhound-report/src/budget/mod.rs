//! Budget files → [`BudgetSet`]: perfhound YAML, the seeds' targets YAML, Lighthouse JSON.
//!
//! Every format is read into located nodes ([`Node`]) by serde-saphyr (which never
//! panics on bad input; JSON is YAML), the format is recognized from its shape, and the
//! nodes are interpreted by hand so every problem becomes one [`BudgetError`] naming the
//! file, line, column and field with a hint. See docs/budgets.md for the formats.

mod error;
mod lighthouse;
mod locate;
mod native;
mod targets;
mod value;

pub use error::BudgetError;

use error::{what_hint, Doc};
use perfhound_model::{BudgetFormat, BudgetSet};
use perfhound_yaml::Node;
use serde_saphyr::Spanned;
use std::path::Path;

/// Reads and parses a budget file.
pub fn load_budgets(path: &Path) -> Result<BudgetSet, BudgetError> {
    let doc = Doc { file: path.display().to_string() };
    let bytes = std::fs::read(path)
        .map_err(|e| doc.raw(1, 1, "", format!("cannot read the budget file: {e}"), "check the path"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = std::str::from_utf8(&e.as_bytes()[..e.utf8_error().valid_up_to()]).unwrap_or_default();
        let line = valid.matches('\n').count() as u64 + 1;
        doc.raw(line, 1, "", "the file is not valid UTF-8", "save it as UTF-8")
    })?;
    parse_budgets(&doc.file, &text)
}

/// Parses budget text; `file` names it in errors and results.
pub fn parse_budgets(file: &str, text: &str) -> Result<BudgetSet, BudgetError> {
    let doc = Doc { file: file.to_string() };
    if text.trim().is_empty() {
        return Err(doc.raw(1, 1, "", "the budget file is empty", "add `budgets:` (see docs/budgets.md)"));
    }
    let lenient = quote_comparisons(text);
    let text = lenient.as_deref().unwrap_or(text);
    let root: Spanned<Node> = serde_saphyr::from_str(text).map_err(|e| syntax_error(&doc, &e, text))?;
    let (format, budgets, ignored) = if lighthouse::looks_like(&root.value) {
        let (budgets, ignored) = lighthouse::parse(&doc, &root)?;
        (BudgetFormat::Lighthouse, budgets, ignored)
    } else if root.value.get("budgets").is_none() && targets::looks_like(&root.value) {
        let (budgets, ignored) = targets::parse(&doc, &root)?;
        (BudgetFormat::PerformanceTargets, budgets, ignored)
    } else if root.value.as_map().is_some() {
        (BudgetFormat::Perfhound, native::parse(&doc, &root)?, Vec::new())
    } else {
        let what = format!("expected a mapping with `budgets:`, found {}", root.value.kind());
        return Err(doc.error(&root.referenced, "", what, "see docs/budgets.md for the formats"));
    };
    if budgets.iter().all(|b| b.lines.is_empty()) {
        return Err(doc.error(&root.referenced, "", "the file has no budgets", "add at least one limit"));
    }
    Ok(BudgetSet { file: doc.file, format, budgets, ignored })
}

/// Reads only the `budgets:` section of a larger perfhound file (an audit config that
/// also holds scenarios); `None` when it has none. Errors point into the whole file.
pub fn parse_embedded_budgets(file: &str, text: &str) -> Result<Option<BudgetSet>, BudgetError> {
    let doc = Doc { file: file.to_string() };
    let lenient = quote_comparisons(text);
    let text = lenient.as_deref().unwrap_or(text);
    let root: Spanned<Node> = serde_saphyr::from_str(text).map_err(|e| syntax_error(&doc, &e, text))?;
    let Node::Map(entries) = &root.value else { return Ok(None) };
    let Some(section) = entries.iter().find(|(k, _)| k.value == "budgets") else { return Ok(None) };
    let only = Spanned { value: Node::Map(vec![section.clone()]), referenced: root.referenced, defined: root.defined };
    let budgets = native::parse(&doc, &only)?;
    Ok(Some(BudgetSet { file: doc.file, format: BudgetFormat::Perfhound, budgets, ignored: Vec::new() }))
}

/// Quotes plain values that start with a comparison (`rps: >= 100`, `Lighthouse Score: > 90`).
///
/// YAML reads a leading `>` as a folded block scalar, which can never be followed by a
/// number on the same line, so such a line is always an error as written; quoting it is
/// what the author meant. Returns `None` when no line needed it.
fn quote_comparisons(text: &str) -> Option<String> {
    let mut changed = false;
    let lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|line| match comparison_value_start(line) {
            Some(at) => {
                changed = true;
                let (head, value) = line.split_at(at);
                let (value, newline) = value.split_at(value.trim_end_matches(['\n', '\r']).len());
                format!("{head}\"{}\"{newline}", value.trim_end().replace('"', "\\\""))
            }
            None => line.to_string(),
        })
        .collect();
    changed.then(|| lines.concat())
}

/// Byte offset of a `> N` / `>= N` value after `key: ` on this line, if there is one.
fn comparison_value_start(line: &str) -> Option<usize> {
    let colon = line.find(": ")?;
    let rest = &line[colon + 2..];
    let at = colon + 2 + (rest.len() - rest.trim_start().len());
    let value = line[at..].strip_prefix('>')?;
    let value = value.strip_prefix('=').unwrap_or(value).trim_start();
    (value.starts_with(|c: char| c.is_ascii_digit()) && !line[at..].contains('#')).then_some(at)
}

fn syntax_error(doc: &Doc, err: &serde_saphyr::Error, text: &str) -> BudgetError {
    let (line, column) = err.location().map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
    let message = err.without_snippet().to_string();
    let message = match message.rfind(" at line ") {
        Some(pos) => message[..pos].to_string(),
        None => message,
    };
    let field = locate::field_at(text, line, column);
    let hint = "check indentation, quotes and brackets near this position; quote values that start with `>`";
    BudgetError {
        file: doc.file.clone(),
        line,
        column,
        field: if field.is_empty() { error::ROOT.into() } else { field },
        message: what_hint(format!("YAML syntax error: {message}"), hint),
    }
}
