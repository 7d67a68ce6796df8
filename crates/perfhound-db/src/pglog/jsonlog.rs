//! jsonlog (PostgreSQL 15+, `log_destination = 'jsonlog'`, `*.json`): one JSON object per
//! line with `timestamp`, `pid`, `error_severity`, `message`, `detail`, `application_name`.

use super::entry::{timestamp_s, Entry};
use super::lines::Lines;
use super::{invalid, SEVERITIES};
use crate::error::DbError;
use serde_json::Value;
use std::io::BufRead;

pub struct Reader<R> {
    lines: Lines<R>,
    name: String,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R, name: &str) -> Self {
        Reader { lines: Lines::new(input), name: name.to_string() }
    }

    /// The next entry; a line that is not a jsonlog object is a located error.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, DbError> {
        loop {
            let read =
                self.lines.next_line().map_err(|e| DbError::Io { path: self.name.clone(), reason: e.to_string() })?;
            let Some((line, text)) = read else { return Ok(None) };
            if text.trim().is_empty() {
                continue;
            }
            let hint =
                "pass a jsonlog file written by PostgreSQL 15+ (log_destination = 'jsonlog'), one object per line";
            let v: Value = serde_json::from_str(text)
                .map_err(|e| invalid(&self.name, line, format!("not a jsonlog line: {e}"), hint))?;
            let get = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            let severity = get("error_severity").unwrap_or_default();
            if !SEVERITIES.contains(&severity.as_str()) {
                return Err(invalid(
                    &self.name,
                    line,
                    format!("not a jsonlog entry (error_severity {severity:?})"),
                    hint,
                ));
            }
            return Ok(Some(Entry {
                line,
                session: v.get("pid").map(Value::to_string).unwrap_or_default(),
                severity,
                message: get("message").unwrap_or_default(),
                detail: get("detail"),
                application: get("application_name"),
                time_s: get("timestamp").as_deref().and_then(timestamp_s),
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jsonlog_lines_and_locates_bad_ones() {
        let log = "{\"timestamp\":\"2024-05-01 10:00:00.100 UTC\",\"pid\":311,\"error_severity\":\"LOG\",\
                   \"message\":\"duration: 2.000 ms  statement: SELECT 1\",\"application_name\":\"psql\"}\n\n{oops\n";
        let mut r = Reader::new(log.as_bytes(), "pg.json");
        let e = r.next_entry().unwrap().unwrap();
        assert_eq!(
            (e.session.as_str(), e.message.as_str(), e.line),
            ("311", "duration: 2.000 ms  statement: SELECT 1", 1)
        );
        let err = r.next_entry().unwrap_err().to_string();
        assert!(err.starts_with("pg.json:3: not a jsonlog line"), "{err}");
    }
}
