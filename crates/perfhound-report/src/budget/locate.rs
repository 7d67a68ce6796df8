//! Field path at a line/column, for YAML syntax errors (which have no parsed tree).
//!
//! The document is re-read as YAML events up to the error; the path of the last node that
//! starts before the error position names the field (`budgets[1].p95`). Only used on the
//! error path.

use super::error::join_key;
use serde_saphyr::granit_parser::{Event, Parser};

enum Frame {
    Map { path: String, key: Option<String>, expect_key: bool },
    Seq { path: String, next: usize },
}

/// The path of the last node starting at or before `(line, column)` (1-based).
pub(crate) fn field_at(text: &str, line: u64, column: u64) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut last = String::new();
    for item in Parser::new_from_str(text).take(200_000) {
        let Ok((event, span)) = item else { break };
        if (span.start.line() as u64, span.start.col() as u64 + 1) > (line, column) {
            break;
        }
        let opens = match &event {
            Event::Scalar(..) | Event::Alias(..) => None,
            Event::MappingStart(..) => Some(true),
            Event::SequenceStart(..) => Some(false),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                continue;
            }
            _ => continue,
        };
        let path = match stack.last_mut() {
            None => String::new(),
            Some(Frame::Map { path, key, expect_key }) if *expect_key => {
                *expect_key = false;
                *key = match &event {
                    Event::Scalar(value, ..) => Some(value.to_string()),
                    _ => None,
                };
                last = join_key(path, key.as_deref().unwrap_or("?"));
                continue;
            }
            Some(Frame::Map { path, key, expect_key }) => {
                *expect_key = true;
                join_key(path, key.as_deref().unwrap_or("?"))
            }
            Some(Frame::Seq { path, next }) => {
                *next += 1;
                format!("{path}[{}]", *next - 1)
            }
        };
        last = path.clone();
        match opens {
            Some(true) => stack.push(Frame::Map { path, key: None, expect_key: true }),
            Some(false) => stack.push(Frame::Seq { path, next: 0 }),
            None => {}
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_before_the_error() {
        let doc = "budgets:\n  - target: \"*\"\n    p95: 300ms\n    rps: [\n";
        assert_eq!(field_at(doc, 3, 10), "budgets[0].p95");
        assert_eq!(field_at(doc, 4, 10), "budgets[0].rps");
        assert_eq!(field_at("", 1, 1), "");
    }
}
