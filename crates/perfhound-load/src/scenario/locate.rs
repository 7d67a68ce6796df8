//! Line/column → field path (`scenarios.browse.flow[1].get`), and located error builders.
//!
//! serde errors carry a location but not the path of the field that failed, so on the error
//! path only, the document is re-read as a stream of YAML events and every node start is
//! recorded with its path. Semantic errors use the same index with the [`Location`] kept in
//! a `Spanned` field, so both kinds of error name fields the same way.

use super::error::{what_hint, ScenarioError};
use perfhound_yaml::line_col;
use serde_saphyr::granit_parser::{Event, Parser};
use serde_saphyr::Location;
use std::cell::OnceCell;
use std::fmt::Display;

/// Events read at most when indexing (the deserializer has its own, smaller budget).
const MAX_EVENTS: usize = 2_000_000;

/// The path shown for the document root.
pub(crate) const ROOT: &str = "top level";

#[derive(Debug)]
struct Entry {
    line: u64,
    column: u64,
    /// A mapping key (as opposed to a value or sequence item).
    key: bool,
    path: String,
    /// Length of the enclosing mapping's path (keys only).
    parent_len: usize,
}

/// The scenario text with its name for messages and a lazily built path index.
pub(crate) struct Source<'a> {
    pub display: String,
    text: &'a str,
    index: OnceCell<Vec<Entry>>,
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        expect_key: bool,
    },
    Seq {
        path: String,
        next: usize,
    },
    /// A complex (non-scalar) mapping key: its contents are not indexed by name.
    Opaque {
        path: String,
    },
}

impl<'a> Source<'a> {
    pub fn new(display: String, text: &'a str) -> Source<'a> {
        Source { display, text, index: OnceCell::new() }
    }

    /// The field path at a location. With `prefer_key`, a key that starts exactly there
    /// wins over the mapping that starts at the same place.
    pub fn field_at(&self, line: u64, column: u64, prefer_key: bool) -> String {
        let index = self.index.get_or_init(|| build_index(self.text));
        let exact: Vec<&Entry> = index.iter().filter(|e| e.line == line && e.column == column).collect();
        let hit = if prefer_key { exact.iter().rev().find(|e| e.key).or(exact.first()) } else { exact.first() };
        let hit = hit.copied().or_else(|| index.iter().rev().find(|e| (e.line, e.column) < (line, column)));
        let path = match hit {
            // A flow mapping's first key starts where the mapping's content does: a
            // non-key error there (missing field) is about the mapping.
            Some(e) if e.key && !prefer_key && exact.iter().all(|x| x.key) => &e.path[..e.parent_len],
            Some(e) => e.path.as_str(),
            None => "",
        };
        if path.is_empty() {
            ROOT.to_string()
        } else {
            path.to_string()
        }
    }

    /// An error at `at`, naming the field found there.
    pub fn error(&self, at: &Location, what: impl Display, hint: impl Display) -> ScenarioError {
        self.error_in(at, "", what, hint)
    }

    /// An error about a mapping key (a scenario or variable name) at `at`.
    pub fn key_error(&self, at: &Location, what: impl Display, hint: impl Display) -> ScenarioError {
        let (line, column) = line_col(at);
        let field = if at.line() == 0 { ROOT.to_string() } else { self.field_at(line, column, true) };
        self.raw_error(line, column, field, what_hint(what, hint))
    }

    /// An error at `at` about the sub-field `child` of the node there (e.g. a missing key).
    pub fn error_in(&self, at: &Location, child: &str, what: impl Display, hint: impl Display) -> ScenarioError {
        let (line, column) = line_col(at);
        let mut field = if at.line() == 0 { ROOT.to_string() } else { self.field_at(line, column, false) };
        if !child.is_empty() {
            field = if field == ROOT { child.to_string() } else { join_key(&field, child) };
        }
        self.raw_error(line, column, field, what_hint(what, hint))
    }

    /// An error inside a string scalar at byte `offset` of its value: the column points at
    /// the offending character when the scalar sits on one line as written.
    pub fn error_at_offset(
        &self,
        at: &Location,
        value: &str,
        offset: usize,
        what: impl Display,
        hint: impl Display,
    ) -> ScenarioError {
        let mut err = self.error(at, what, hint);
        if let Some(col) = refine_column(self.text, at, value, offset) {
            err.column = col;
        }
        err
    }

    pub fn raw_error(&self, line: u64, column: u64, field: String, message: String) -> ScenarioError {
        ScenarioError { path: self.display.clone(), line, column, field, message }
    }
}

/// `parent.key`, quoting keys that are not plain identifiers: `json["$.ok"]`.
pub(crate) fn join_key(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let part = if plain { key.to_string() } else { format!("[{key:?}]") };
    match (parent.is_empty() || parent == ROOT, plain) {
        (true, _) => part,
        (false, true) => format!("{parent}.{part}"),
        (false, false) => format!("{parent}{part}"),
    }
}

fn build_index(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    for (n, item) in Parser::new_from_str(text).enumerate() {
        let Ok((event, span)) = item else { break };
        if n > MAX_EVENTS {
            break;
        }
        let (line, column) = (span.start.line() as u64, span.start.col() as u64 + 1);
        let (is_node, opens) = match &event {
            Event::Scalar(..) | Event::Alias(..) | Event::UnresolvedAlias(..) => (true, None),
            Event::MappingStart(..) => (true, Some(true)),
            Event::SequenceStart(..) => (true, Some(false)),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                continue;
            }
            _ => (false, None),
        };
        if !is_node {
            continue;
        }
        // A key of the enclosing mapping?
        if let Some(Frame::Map { path, key, expect_key }) = stack.last_mut() {
            if *expect_key {
                *expect_key = false;
                if let Event::Scalar(value, ..) = &event {
                    *key = Some(value.to_string());
                    out.push(Entry { line, column, key: true, path: join_key(path, value), parent_len: path.len() });
                } else {
                    *key = None;
                    if opens.is_some() {
                        let p = format!("{path}[?]");
                        stack.push(Frame::Opaque { path: p });
                    }
                }
                continue;
            }
        }
        let path = match stack.last_mut() {
            None => String::new(),
            Some(Frame::Map { path, key, expect_key }) => {
                *expect_key = true;
                join_key(path, key.as_deref().unwrap_or("?"))
            }
            Some(Frame::Seq { path, next }) => {
                *next += 1;
                format!("{path}[{}]", *next - 1)
            }
            Some(Frame::Opaque { path }) => path.clone(),
        };
        out.push(Entry { line, column, key: false, path: path.clone(), parent_len: 0 });
        match opens {
            Some(true) => stack.push(Frame::Map { path, key: None, expect_key: true }),
            Some(false) => stack.push(Frame::Seq { path, next: 0 }),
            None => {}
        }
    }
    out
}

/// The 1-based column of byte `offset` of `value`, if the scalar at `at` is written on one
/// line exactly as `value` (optionally quoted).
fn refine_column(text: &str, at: &Location, value: &str, offset: usize) -> Option<u64> {
    let line = text.lines().nth(at.line().checked_sub(1)? as usize)?;
    let start_col = at.column().checked_sub(1)? as usize;
    let rest: String = line.chars().skip(start_col).collect();
    let (quote, body) = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => (1, &rest[q.len_utf8()..]),
        _ => (0, rest.as_str()),
    };
    let prefix = value.get(..offset)?;
    if !body.starts_with(prefix) || prefix.contains('\\') {
        return None;
    }
    Some(at.column() + quote + prefix.chars().count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "base_url: x\nscenarios:\n  browse:\n    flow:\n      - get: /a\n      - name: b\n        post: /b\n        headers: {X-A: \"1\"}\n";

    #[test]
    fn paths_for_keys_values_and_items() {
        let s = Source::new("s.yaml".into(), DOC);
        assert_eq!(s.field_at(1, 1, true), "base_url");
        assert_eq!(s.field_at(5, 14, false), "scenarios.browse.flow[0].get");
        assert_eq!(s.field_at(6, 9, false), "scenarios.browse.flow[1]");
        assert_eq!(s.field_at(6, 9, true), "scenarios.browse.flow[1].name");
        assert_eq!(s.field_at(7, 9, true), "scenarios.browse.flow[1].post");
        assert_eq!(s.field_at(8, 25, false), "scenarios.browse.flow[1].headers.X-A");
        assert_eq!(s.field_at(8, 19, false), "scenarios.browse.flow[1].headers");
        assert_eq!(s.field_at(8, 19, true), "scenarios.browse.flow[1].headers.X-A");
    }

    #[test]
    fn quoted_keys() {
        assert_eq!(join_key("check.json", "$.ok"), "check.json[\"$.ok\"]");
        assert_eq!(join_key("", "a"), "a");
    }

    #[test]
    fn broken_yaml_still_indexes_the_prefix() {
        let s = Source::new("s.yaml".into(), "a:\n  b: 1\n c: [\n");
        assert_eq!(s.field_at(3, 2, false), "a.b");
    }
}
