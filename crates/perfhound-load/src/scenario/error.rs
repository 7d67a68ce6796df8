//! [`ScenarioError`]: one located, fixable message per problem in a scenario file.
//!
//! Every error names the file, line, column and field path (`scenarios.browse.flow[1].get`)
//! and says what to do. YAML syntax and type errors from serde-saphyr are translated here so
//! that they read the same as the semantic checks made while building the plan.

use std::fmt::Write as _;

/// A problem in a scenario file (or in a data file it references).
///
/// Displays as `FILE:LINE:COLUMN: FIELD: MESSAGE`, where the message ends with a hint after
/// ` — `. Lines and columns are 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {field}: {message}")]
pub struct ScenarioError {
    /// The file as given (the scenario, or a CSV data file it references).
    pub path: String,
    pub line: u64,
    pub column: u64,
    /// Where in the document, e.g. `scenarios.browse.flow[1].get`; `top level` for the root.
    pub field: String,
    /// What is wrong — what to do.
    pub message: String,
}

/// Joins what went wrong and how to fix it.
pub(crate) fn what_hint(what: impl std::fmt::Display, hint: impl std::fmt::Display) -> String {
    let hint = hint.to_string();
    if hint.is_empty() {
        what.to_string()
    } else {
        format!("{what} — {hint}")
    }
}

/// Translates a serde-saphyr error into `(message, prefer_key_path)`.
///
/// `prefer_key_path` is true when the location points at a mapping key (unknown field), so
/// the field path should end in that key rather than name the enclosing mapping.
pub(crate) fn describe_yaml_error(err: &serde_saphyr::Error, source_text: &str) -> (String, bool) {
    use serde_saphyr::Error as E;
    let token = err.location().map(|l| token_at(source_text, l.line(), l.column())).unwrap_or_default();
    match err.without_snippet() {
        E::SerdeUnknownField { field, expected, .. } => (unknown_field(field, expected), true),
        E::SerdeMissingField { field, .. } => {
            (what_hint(format!("missing field `{field}`"), format!("add `{field}:` to this mapping")), false)
        }
        E::SerdeInvalidType { unexpected, expected, .. } => (
            what_hint(format!("expected {expected}, found {unexpected}"), "change the value to the expected type"),
            false,
        ),
        E::InvalidScalar { ty, .. } => {
            let want = friendly_type(ty);
            (what_hint(format!("`{token}` is not {want}"), format!("write {want} here")), false)
        }
        E::SerdeUnknownVariant { variant, expected, .. } => {
            (what_hint(format!("unknown value `{variant}`"), format!("use one of: {}", expected.join(", "))), false)
        }
        E::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("?");
            (what_hint(format!("duplicate key `{key}`"), "each key may appear once in a mapping; remove one"), true)
        }
        E::NonFiniteFloat { value, .. } => {
            (what_hint(format!("`{value}` is not a finite number"), "write a finite number"), false)
        }
        E::Budget { .. } => (
            what_hint(strip_location(&err.without_snippet().to_string()), "the file is too large or too deeply nested"),
            false,
        ),
        E::Unexpected { expected, .. } => {
            let want = if expected.contains("sequence") {
                "a list"
            } else if expected.contains("mapping") {
                "a mapping"
            } else {
                *expected
            };
            (what_hint(format!("expected {want} here"), "change the value to the expected shape"), false)
        }
        E::InvalidUtf8Input => (what_hint("the file is not valid UTF-8", "save it as UTF-8"), false),
        E::UnknownAnchor { .. } => {
            (what_hint("alias `*name` refers to an unknown anchor", "define `&name` before using `*name`"), false)
        }
        other => (
            what_hint(
                format!("YAML syntax error: {}", strip_location(&other.to_string())),
                "check indentation, quotes and brackets near this position",
            ),
            false,
        ),
    }
}

fn unknown_field(field: &str, expected: &[&str]) -> String {
    if let Some(hint) = foreign_field_hint(field) {
        return what_hint(format!("unknown field `{field}`"), hint);
    }
    let camel = field.chars().any(|c| c.is_ascii_uppercase());
    let shown: Vec<&str> =
        expected.iter().copied().filter(|e| camel || !e.chars().any(|c| c.is_ascii_uppercase())).collect();
    let mut hint = String::new();
    if let Some(best) = did_you_mean(field, expected.iter().copied()) {
        let _ = write!(hint, "did you mean `{best}`? ");
    }
    if shown.is_empty() {
        hint.push_str("this mapping takes no fields");
    } else {
        let _ = write!(hint, "fields allowed here: {}", shown.join(", "));
    }
    what_hint(format!("unknown field `{field}`"), hint)
}

/// Hints for k6 / Artillery keys that perfhound deliberately does not support.
fn foreign_field_hint(field: &str) -> Option<&'static str> {
    Some(match field {
        "exec" => "k6 `exec` names a JavaScript function; write the requests under `flow:` instead",
        "gracefulRampDown" | "graceful_ramp_down" => {
            "not supported; ramping-vus scenarios stop VUs at the end of their iteration (see `graceful_stop`)"
        }
        "payload" => {
            "Artillery `payload` is not supported; declare CSV files under top-level `data:` (docs/scenario.md)"
        }
        "processor" | "function" | "beforeRequest" | "afterResponse" | "beforeScenario" | "afterScenario" => {
            "JavaScript hooks are not supported; use `capture`, `check` and templates instead"
        }
        "loop" | "parallel" => "not supported; list the steps explicitly in `flow`",
        "plugins" | "engine" | "environments" => "not supported by perfhound; remove it",
        "variables" => "Artillery `variables` are not supported; use `{{ env.NAME }}` or CSV `data:`",
        "tags" | "env" => "k6 scenario `tags`/`env` are not supported; use `{{ env.NAME }}` in templates",
        _ => return None,
    })
}

/// The closest candidate by case-/separator-insensitive comparison or small edit distance.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect::<String>();
    let w = norm(word);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let c = norm(cand);
        let d = if c == w { 0 } else { edit_distance(&w, &c) };
        let limit = if w.len() <= 4 { 1 } else { 2 };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn friendly_type(ty: &str) -> &'static str {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number ≥ 0",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" | "floating point" => "a number",
        "bool" | "boolean" => "`true` or `false`",
        "char" => "a single character",
        _ => "a value of the expected type",
    }
}

/// serde-saphyr appends ` at line L, column C`; the location is shown separately.
fn strip_location(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(pos) => msg[..pos].to_string(),
        None => msg.to_string(),
    }
}

/// The scalar text starting at a 1-based line/column, for quoting in messages.
fn token_at(text: &str, line: u64, column: u64) -> String {
    let Some(src_line) = text.lines().nth(line.saturating_sub(1) as usize) else {
        return String::new();
    };
    let rest: String = src_line.chars().skip(column.saturating_sub(1) as usize).collect();
    let end = rest.find([',', '}', ']', '#']).unwrap_or(rest.len());
    let token: String = rest[..end].trim().chars().take(60).collect();
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let cands = ["duration", "start_rate", "pre_allocated_vus", "vus"];
        assert_eq!(did_you_mean("duraton", cands.iter().copied()), Some("duration"));
        assert_eq!(did_you_mean("startrate", cands.iter().copied()), Some("start_rate"));
        assert_eq!(did_you_mean("preAllocatedVus", cands.iter().copied()), Some("pre_allocated_vus"));
        assert_eq!(did_you_mean("zzz", cands.iter().copied()), None);
    }

    #[test]
    fn tokens() {
        assert_eq!(token_at("a: 1\nvus: abc # x\n", 2, 6), "abc");
        assert_eq!(token_at("", 9, 9), "");
    }
}
