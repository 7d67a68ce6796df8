//! The stderr log format (also what `logging_collector` writes to `*.log`): every line
//! starts with the user's `log_line_prefix`, then a severity and two spaces (`LOG:  `,
//! `DETAIL:  `…); lines of a multi-line message continue with a tab. The prefix can be
//! anything, so an entry is found by its severity marker, not by position.

use super::entry::{timestamp_s, Entry};
use super::lines::Lines;
use std::io::BufRead;

/// Severities that start an entry.
const PRIMARY: &[&str] = &[
    "LOG", "ERROR", "WARNING", "NOTICE", "INFO", "FATAL", "PANIC", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4",
    "DEBUG5",
];
/// Severities that add a field to the entry before them.
const SECONDARY: &[&str] = &["DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"];

/// Where the severity marker of a line is.
struct Marker<'a> {
    prefix: &'a str,
    severity: &'static str,
    rest: &'a str,
}

/// Finds the first `SEVERITY:  ` preceded by the start of the line or a non-word character.
fn marker(line: &str) -> Option<Marker<'_>> {
    let mut from = 0;
    while let Some(pos) = line[from..].find(":  ").map(|p| from + p) {
        let before = line[..pos].char_indices().rev().find(|(_, c)| !c.is_ascii_alphanumeric());
        let word_start = before.map_or(0, |(i, c)| i + c.len_utf8());
        let word = &line[word_start..pos];
        if let Some(severity) = PRIMARY.iter().chain(SECONDARY).find(|s| **s == word) {
            return Some(Marker { prefix: &line[..word_start], severity, rest: &line[pos + 3..] });
        }
        from = pos + 1;
    }
    None
}

/// The session of a prefix: the first `[digits]` (the pid in `%m [%p] ` and most other
/// prefixes), otherwise the prefix without its timestamp.
fn session(prefix: &str) -> String {
    let pid = prefix.match_indices('[').find_map(|(i, _)| {
        let inner = &prefix[i + 1..];
        let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
        (digits > 0 && matches!(inner.as_bytes().get(digits), Some(b']' | b'-'))).then(|| &inner[..digits])
    });
    match pid {
        Some(p) => p.to_string(),
        None => prefix.chars().filter(|c| !c.is_ascii_digit()).collect(),
    }
}

/// The field tab-continued lines extend.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Message,
    Detail,
    /// HINT, CONTEXT, STATEMENT…: read past.
    Skipped,
}

/// Entries of a stderr log, in order; lines that belong to none are counted.
pub struct Reader<R> {
    lines: Lines<R>,
    state: State,
}

/// The entry being read.
struct State {
    current: Option<Entry>,
    field: Field,
    unrecognized: u64,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader { lines: Lines::new(input), state: State { current: None, field: Field::Message, unrecognized: 0 } }
    }

    /// Lines that belong to no entry (not a log line, or a continuation without an entry).
    pub fn unrecognized(&self) -> u64 {
        self.state.unrecognized
    }

    /// The next complete entry.
    pub fn next_entry(&mut self) -> std::io::Result<Option<Entry>> {
        let Reader { lines, state } = self;
        while let Some((n, line)) = lines.next_line()? {
            if let Some(done) = state.line(n, line) {
                return Ok(Some(done));
            }
        }
        Ok(state.current.take())
    }
}

impl State {
    /// Reads one line; returns the entry it completes, if any.
    fn line(&mut self, n: usize, line: &str) -> Option<Entry> {
        if let Some(cont) = line.strip_prefix('\t') {
            self.continue_entry(cont);
            return None;
        }
        let Some(m) = marker(line) else {
            self.unrecognized += 1;
            return self.current.take();
        };
        if SECONDARY.contains(&m.severity) {
            self.add_field(m.severity, m.rest);
            return None;
        }
        let entry = Entry {
            line: n,
            session: session(m.prefix),
            severity: m.severity.to_string(),
            message: m.rest.to_string(),
            time_s: timestamp_s(m.prefix),
            ..Entry::default()
        };
        self.field = Field::Message;
        self.current.replace(entry)
    }

    fn continue_entry(&mut self, text: &str) {
        let Some(e) = self.current.as_mut() else {
            self.unrecognized += 1;
            return;
        };
        let field = match (self.field, e.detail.as_mut()) {
            (Field::Message, _) => &mut e.message,
            (Field::Detail, Some(d)) => d,
            _ => return,
        };
        if field.len() < super::MAX_MESSAGE_BYTES {
            field.push('\n');
            field.push_str(text);
        }
    }

    fn add_field(&mut self, severity: &str, text: &str) {
        let Some(e) = self.current.as_mut() else {
            self.unrecognized += 1;
            return;
        };
        self.field = Field::Skipped;
        if severity == "DETAIL" && e.detail.is_none() {
            e.detail = Some(text.to_string());
            self.field = Field::Detail;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> (Vec<Entry>, u64) {
        let mut r = Reader::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(e) = r.next_entry().unwrap() {
            out.push(e);
        }
        (out, r.unrecognized())
    }

    #[test]
    fn entries_with_any_prefix_continuations_and_details() {
        let log = "2024-05-01 10:00:00.100 UTC [311] app@shop LOG:  duration: 1.500 ms  execute <unnamed>: SELECT *\n\
                   \tFROM t\n\
                   \tWHERE a = $1\n\
                   2024-05-01 10:00:00.100 UTC [311] app@shop DETAIL:  parameters: $1 = 'x:  y'\n\
                   pg_ctl: some noise\n\
                   user=app,db=shop ERROR:  relation \"nope\" does not exist at character 15\n\
                   user=app,db=shop STATEMENT:  SELECT * FROM nope\n\
                   LOG:  checkpoint starting: time\n";
        let (e, unrecognized) = entries(log);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].message, "duration: 1.500 ms  execute <unnamed>: SELECT *\nFROM t\nWHERE a = $1");
        assert_eq!(e[0].detail.as_deref(), Some("parameters: $1 = 'x:  y'"));
        assert_eq!((e[0].line, e[0].session.as_str(), e[0].severity.as_str()), (1, "311", "LOG"));
        assert!(e[0].time_s.is_some());
        assert_eq!((e[1].severity.as_str(), e[1].line, e[1].detail.as_deref()), ("ERROR", 6, None));
        assert_eq!(e[2].message, "checkpoint starting: time");
        assert_eq!(unrecognized, 1);
    }

    #[test]
    fn sessions_come_from_the_pid_or_the_prefix() {
        assert_eq!(session("2024-05-01 10:00:00 UTC [311]: [5-1] "), "311");
        assert_eq!(session("2024-05-01 10:00:00 UTC app@shop "), "-- :: UTC app@shop ");
        assert_eq!(marker("LOG:  x").map(|m| (m.prefix, m.severity, m.rest)), Some(("", "LOG", "x")));
        assert!(marker("CATALOG:  x").is_none(), "a severity is a whole word");
        // Found by fuzzing: a multi-byte character right before the marker.
        assert_eq!(marker("[313] \u{fffd}LOG:  x").map(|m| (m.prefix, m.severity)), Some(("[313] \u{fffd}", "LOG")));
        assert!(marker("[313] \u{fffd}\u{fffd}EMENT:  SELECT 1").is_none());
    }
}
