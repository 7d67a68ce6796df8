//! csvlog (`log_destination = 'csvlog'`, `*.csv`): one CSV record per entry, multi-line
//! messages quoted. Columns used: 1 `log_time`, 4 `process_id`, 12 `error_severity`,
//! 14 `message`, 15 `detail`, 23 `application_name` (PostgreSQL 9.0+; later versions add
//! columns after it).

use super::entry::{timestamp_s, Entry};
use super::{invalid, SEVERITIES};
use crate::error::DbError;
use std::io::Read;

const LOG_TIME: usize = 0;
const PROCESS_ID: usize = 3;
const SEVERITY: usize = 11;
const MESSAGE: usize = 13;
const DETAIL: usize = 14;
const APPLICATION: usize = 22;

pub struct Reader<R: Read> {
    csv: csv::Reader<R>,
    record: csv::ByteRecord,
    name: String,
}

impl<R: Read> Reader<R> {
    pub fn new(input: R, name: &str) -> Self {
        let csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
        Reader { csv, record: csv::ByteRecord::new(), name: name.to_string() }
    }

    /// The next entry; a record that is not a csvlog row is a located error.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, DbError> {
        let more = self.csv.read_byte_record(&mut self.record).map_err(|e| self.csv_error(&e))?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line() as usize);
        let field = |i: usize| self.record.get(i).map(|b| String::from_utf8_lossy(b).into_owned());
        let severity = field(SEVERITY).unwrap_or_default();
        if self.record.len() <= MESSAGE || !SEVERITIES.contains(&severity.as_str()) {
            return Err(invalid(
                &self.name,
                line,
                format!("not a csvlog row ({} columns, error_severity {severity:?})", self.record.len()),
                "pass a csvlog file written by PostgreSQL (log_destination = 'csvlog'), or the stderr log without a .csv extension",
            ));
        }
        let mut message = field(MESSAGE).unwrap_or_default();
        truncate(&mut message);
        Ok(Some(Entry {
            line,
            session: field(PROCESS_ID).unwrap_or_default(),
            severity,
            message,
            detail: field(DETAIL).filter(|d| !d.is_empty()),
            application: field(APPLICATION),
            time_s: field(LOG_TIME).as_deref().and_then(timestamp_s),
        }))
    }

    fn csv_error(&self, e: &csv::Error) -> DbError {
        let line = e.position().map_or(0, |p| p.line() as usize);
        invalid(&self.name, line, format!("unreadable CSV: {e}"), "pass a complete csvlog file written by PostgreSQL")
    }
}

fn truncate(s: &mut String) {
    if s.len() > super::MAX_MESSAGE_BYTES {
        let mut cut = super::MAX_MESSAGE_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = "2024-05-01 10:00:00.100 UTC,\"app\",\"shop\",311,\"127.0.0.1:5000\",6632,7,\"SELECT\",\
        2024-05-01 09:00:00 UTC,3/4,0,LOG,00000,\"duration: 0.5 ms  execute <unnamed>: SELECT *\nFROM t WHERE a = $1\",\
        \"parameters: $1 = '1'\",,,,,,,,\"psql\",client backend,,0\n";

    #[test]
    fn reads_csvlog_rows() {
        let mut r = Reader::new(ROW.as_bytes(), "x.csv");
        let e = r.next_entry().unwrap().unwrap();
        assert_eq!(e.message, "duration: 0.5 ms  execute <unnamed>: SELECT *\nFROM t WHERE a = $1");
        assert_eq!(e.detail.as_deref(), Some("parameters: $1 = '1'"));
        assert_eq!((e.session.as_str(), e.severity.as_str(), e.application.as_deref()), ("311", "LOG", Some("psql")));
        assert_eq!(e.line, 1);
        assert!(r.next_entry().unwrap().is_none());
    }

    #[test]
    fn other_csv_files_are_located_errors() {
        let mut r = Reader::new("id,name\n1,2\n".as_bytes(), "users.csv");
        let err = r.next_entry().unwrap_err().to_string();
        assert!(err.starts_with("users.csv:1: not a csvlog row (2 columns"), "{err}");
        assert!(err.contains("hint: pass a csvlog file"), "{err}");
    }
}
