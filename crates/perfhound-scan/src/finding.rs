//! A [`Hit`] becomes a model [`Finding`]: target `path:line:column`, location
//! `path:first-last (function)` over the shown context, the context as the "current
//! implementation" excerpt, and a fingerprint that survives edits elsewhere in the file.

use crate::ctx::Hit;
use crate::lang::Lang;
use perfhound_model::finding::fingerprint;
use perfhound_model::{Confidence, Finding};

/// Longest excerpt, in lines; a longer context is cut and marked.
pub const MAX_EXCERPT_LINES: usize = 14;

/// The model finding for one hit in the file `path` whose text is `text`.
pub fn to_finding(hit: &Hit, path: &str, text: &str, lang: Lang) -> Finding {
    let rule = &hit.rule.rule;
    let mut f = Finding::new(rule, format!("{path}:{}:{}", hit.line, hit.column), hit.title.clone());
    f.severity = hit.severity;
    f.confidence = hit.rule.confidence;
    let (first, last) = hit.context;
    let range = if first == last { format!("{first}") } else { format!("{first}-{last}") };
    f.evidence.location = Some(match &hit.function {
        Some(func) => format!("{path}:{range} ({func})"),
        None => format!("{path}:{range}"),
    });
    f.evidence.code = Some(excerpt(text, first, last));
    f.evidence.code_lang = Some(lang.name().to_string());
    let function = hit.function.as_deref().unwrap_or("");
    f.fingerprint = fingerprint(&[rule.code, path, function, &hit.key]);
    if f.confidence == Confidence::Low {
        f.evidence.notes.push("heuristic match: check that the call really reaches a database or network".into());
    }
    f
}

/// Lines `first..=last` (1-based) of `text`, at most [`MAX_EXCERPT_LINES`], common
/// indentation removed.
pub fn excerpt(text: &str, first: usize, last: usize) -> String {
    let take = (last + 1).saturating_sub(first).min(MAX_EXCERPT_LINES);
    let lines: Vec<&str> = text.lines().skip(first.saturating_sub(1)).take(take).collect();
    let indent =
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let mut out: Vec<&str> = lines.iter().map(|l| l.get(indent..).unwrap_or(l.trim_start())).collect();
    if last + 1 - first > MAX_EXCERPT_LINES {
        out.push("…");
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpt_dedents_and_cuts() {
        let text = "def f():\n    for x in y:\n        g(x)\n";
        assert_eq!(excerpt(text, 2, 3), "for x in y:\n    g(x)");
        let long: String = (0..40).map(|i| format!("    l{i}\n")).collect();
        let e = excerpt(&long, 1, 40);
        assert!(e.starts_with("l0\n") && e.ends_with("…") && e.lines().count() == 15, "{e}");
    }
}
