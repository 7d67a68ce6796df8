//! [`BudgetError`]: one located, fixable message per problem in a budget file.

use perfhound_yaml::line_col;
use serde_saphyr::Location;
use std::fmt::Display;

/// A problem in a budget file. Displays as `FILE:LINE:COLUMN: FIELD: MESSAGE — HINT`;
/// lines and columns are 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {field}: {message}")]
pub struct BudgetError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    /// Where in the document, e.g. `budgets[0].p95`; `top level` for the root.
    pub field: String,
    /// What is wrong — what to do.
    pub message: String,
}

/// The path shown for the document root.
pub(crate) const ROOT: &str = "top level";

/// The file being read: its name for messages.
pub(crate) struct Doc {
    pub file: String,
}

impl Doc {
    /// An error at `at` about `field`.
    pub fn error(&self, at: &Location, field: &str, what: impl Display, hint: impl Display) -> BudgetError {
        let (line, column) = line_col(at);
        self.raw(line, column, field, what, hint)
    }

    pub fn raw(&self, line: u64, column: u64, field: &str, what: impl Display, hint: impl Display) -> BudgetError {
        let field = if field.is_empty() { ROOT.to_string() } else { field.to_string() };
        BudgetError { file: self.file.clone(), line, column, field, message: what_hint(what, hint) }
    }
}

/// Joins what went wrong and how to fix it.
pub(crate) fn what_hint(what: impl Display, hint: impl Display) -> String {
    let hint = hint.to_string();
    if hint.is_empty() {
        what.to_string()
    } else {
        format!("{what} — {hint}")
    }
}

/// `parent.key`, quoting keys that are not plain identifiers: `targets["API Performance"]`.
pub(crate) fn join_key(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let part = if plain { key.to_string() } else { format!("[{key:?}]") };
    match (parent.is_empty(), plain) {
        (true, true) => part,
        (true, false) => part,
        (false, true) => format!("{parent}.{part}"),
        (false, false) => format!("{parent}{part}"),
    }
}

/// The closest candidate by separator-insensitive comparison or a small edit distance.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect::<String>();
    let w = norm(word);
    let limit = if w.len() <= 4 { 1 } else { 2 };
    candidates
        .map(|c| (edit_distance(&w, &norm(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_suggestions() {
        assert_eq!(join_key("budgets[0]", "p95"), "budgets[0].p95");
        assert_eq!(join_key("", "API Performance"), "[\"API Performance\"]");
        assert_eq!(did_you_mean("p59", ["p50", "p95", "rps"].into_iter()), Some("p50"));
        assert_eq!(did_you_mean("eror_rate", ["error_rate", "rps"].into_iter()), Some("error_rate"));
        assert_eq!(did_you_mean("zzzzzz", ["error_rate"].into_iter()), None);
    }
}
