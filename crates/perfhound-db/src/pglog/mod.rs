//! Statements from a PostgreSQL server log (`perfhound db URL --log FILE`), for servers
//! where pg_stat_statements is not available or to look at one period only.
//!
//! Needs statements logged with their durations: `log_min_duration_statement = 0` (or a
//! threshold in ms). Formats: stderr (any `log_line_prefix`, what `pg_ctl -l` and the
//! logging collector's `*.log` files contain), csvlog (`*.csv`) and jsonlog (`*.json`,
//! PostgreSQL 15+), told apart by the file extension. Read line by line in bounded memory;
//! the result is the [`StatementSet`] pg_stat_statements would have produced (calls,
//! total/mean time per `perfhound-sql` shape), so top lists, N+1 and the advisor work on
//! it unchanged. Only English server messages (`lc_messages = 'C'`/`en`) are understood.
//!
//! Parsing never panics: input that is not a log is a [`DbError::InvalidInput`] naming
//! the file and line, and what to pass instead.

mod aggregate;
mod csvlog;
pub mod entry;
mod jsonlog;
mod lines;
mod stderr;

use crate::error::DbError;
use crate::statements::StatementSet;
use aggregate::Aggregator;
use entry::Entry;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Lines longer than this are cut (a statement that long is cut too).
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Messages longer than this (continuation lines included) are cut.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// Every severity PostgreSQL writes.
const SEVERITIES: &[&str] = &[
    "LOG",
    "ERROR",
    "WARNING",
    "NOTICE",
    "INFO",
    "FATAL",
    "PANIC",
    "DEBUG",
    "DEBUG1",
    "DEBUG2",
    "DEBUG3",
    "DEBUG4",
    "DEBUG5",
    "DETAIL",
    "HINT",
    "CONTEXT",
    "STATEMENT",
    "QUERY",
    "LOCATION",
];

/// A log format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Stderr,
    Csv,
    Json,
}

impl Format {
    /// By extension: `.csv` csvlog, `.json` jsonlog, anything else stderr.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            _ => Format::Stderr,
        }
    }
}

/// What a log gave.
#[derive(Debug)]
pub struct Log {
    pub statements: StatementSet,
    pub warnings: Vec<String>,
    /// Log entries read (all severities).
    pub entries: u64,
}

/// Reads and aggregates a log file.
pub fn read_file(path: &Path) -> Result<Log, DbError> {
    let name = path.display().to_string();
    let io_error = |e: std::io::Error| DbError::Io { path: name.clone(), reason: e.to_string() };
    let mut input = BufReader::with_capacity(256 * 1024, std::fs::File::open(path).map_err(io_error)?);
    if input.fill_buf().map_err(io_error)?.starts_with(&[0x1f, 0x8b]) {
        return Err(invalid(
            &name,
            1,
            "the file is gzip-compressed".into(),
            "decompress it first (zcat FILE > FILE.log)",
        ));
    }
    parse(input, Format::of_path(path), &name)
}

/// Reads and aggregates a log from `input`; `name` locates errors and statements.
pub fn parse<R: BufRead>(input: R, format: Format, name: &str) -> Result<Log, DbError> {
    let mut agg = Aggregator::new(name);
    let mut unrecognized = 0;
    match format {
        Format::Stderr => {
            let mut r = stderr::Reader::new(input);
            drain(|| r.next_entry().map_err(|e| io(name, &e)), &mut agg)?;
            unrecognized = r.unrecognized();
        }
        Format::Csv => {
            let mut r = csvlog::Reader::new(input, name);
            drain(|| r.next_entry(), &mut agg)?;
        }
        Format::Json => {
            let mut r = jsonlog::Reader::new(input, name);
            drain(|| r.next_entry(), &mut agg)?;
        }
    }
    finish(agg, unrecognized, name)
}

fn drain(mut next: impl FnMut() -> Result<Option<Entry>, DbError>, agg: &mut Aggregator) -> Result<(), DbError> {
    while let Some(e) = next()? {
        agg.add(e);
    }
    Ok(())
}

fn finish(agg: Aggregator, unrecognized: u64, name: &str) -> Result<Log, DbError> {
    let seen = agg.counts;
    if seen.entries == 0 {
        return Err(invalid(
            name,
            1,
            "not a PostgreSQL log: no line has a severity such as `LOG:  ` or `ERROR:  `".into(),
            "pass the server's log: stderr format (log_destination = 'stderr', e.g. postgresql-*.log), \
             or csvlog/jsonlog with a .csv/.json extension",
        ));
    }
    if seen.executions == 0 && seen.skipped == 0 {
        return Err(invalid(
            name,
            1,
            format!(
                "no statements: {} log entries, none a `duration: … ms  statement:` or `execute` line",
                seen.entries
            ),
            "log statements with their durations: SET log_min_duration_statement = 0 (or a threshold in ms), \
             reload the server (SELECT pg_reload_conf()), run the workload and pass the new log",
        ));
    }
    let (statements, counts) = agg.finish();
    let mut warnings = Vec::new();
    if unrecognized > 0 {
        warnings.push(format!("{name}: {unrecognized} line(s) are not PostgreSQL log lines and were skipped"));
    }
    if counts.untimed > 0 {
        warnings.push(format!(
            "{name}: {} statement execution(s) were logged without a duration (log_statement) and count with unknown time; \
             set log_min_duration_statement = 0 for timings",
            counts.untimed
        ));
    }
    if counts.dropped_shapes > 0 {
        warnings.push(format!(
            "{name}: more than {} distinct statements; the rest was skipped",
            statements.statements.len()
        ));
    }
    Ok(Log { statements, warnings, entries: counts.entries })
}

/// A located input error.
pub(crate) fn invalid(name: &str, line: usize, reason: String, hint: &str) -> DbError {
    DbError::InvalidInput { location: format!("{name}:{line}"), reason, hint: hint.to_string() }
}

fn io(name: &str, e: &std::io::Error) -> DbError {
    DbError::Io { path: name.to_string(), reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of_path(Path::new("/var/log/postgresql/postgresql-15-main.log")), Format::Stderr);
        assert_eq!(Format::of_path(Path::new("pg/log/postgresql.CSV")), Format::Csv);
        assert_eq!(Format::of_path(Path::new("postgresql.json")), Format::Json);
    }

    #[test]
    fn input_that_is_not_a_log_is_a_located_error() {
        let err = parse("SELECT 1;\n".as_bytes(), Format::Stderr, "q.sql").unwrap_err().to_string();
        assert!(err.starts_with("q.sql:1: not a PostgreSQL log"), "{err}");
        let quiet = "2024-05-01 10:00:00 UTC [1] LOG:  database system is ready to accept connections\n";
        let err = parse(quiet.as_bytes(), Format::Stderr, "pg.log").unwrap_err().to_string();
        assert!(err.contains("no statements") && err.contains("log_min_duration_statement = 0"), "{err}");
    }

    #[test]
    fn a_stderr_log_becomes_statements_with_warnings() {
        let log = "2024-05-01 10:00:00.000 UTC [7] LOG:  duration: 2.000 ms  statement: SELECT * FROM t WHERE a = 1\n\
                   some noise\n\
                   2024-05-01 10:00:10.000 UTC [7] LOG:  statement: SELECT * FROM t WHERE a = 2\n";
        let log = parse(log.as_bytes(), Format::Stderr, "pg.log").unwrap();
        let s = &log.statements.statements;
        assert_eq!((s.len(), s[0].calls, s[0].total_ms), (1, 2, 2.0));
        assert_eq!(log.statements.window_s, Some(10.0));
        assert_eq!(log.warnings.len(), 2, "{:?}", log.warnings);
    }
}
