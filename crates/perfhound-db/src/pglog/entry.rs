//! One log entry, whatever the file format, and what its message says about a statement:
//! `duration: 12.345 ms  statement: …` (simple protocol), `duration: … ms  execute
//! <name>: …` (extended protocol, its `DETAIL:  parameters: $1 = '…'`), the bare
//! `duration: … ms` that follows a statement already logged by `log_statement`, and that
//! `statement: …` / `execute <name>: …` itself.

/// A log entry: the primary message with the secondary fields perfhound reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// Which server session wrote it (pid, or the log line prefix without its timestamp):
    /// pairs a bare `duration:` with the statement logged before it.
    pub session: String,
    /// `LOG`, `ERROR`…
    pub severity: String,
    pub message: String,
    pub detail: Option<String>,
    /// csvlog/jsonlog only.
    pub application: Option<String>,
    /// Seconds of the entry's timestamp on an arbitrary but consistent scale.
    pub time_s: Option<f64>,
}

/// What a `LOG` message says about a statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<'a> {
    /// A statement that ran, its duration and text (`statement:` or `execute …:`).
    Timed { ms: f64, text: &'a str },
    /// `duration: … ms` alone: the duration of the statement logged before it.
    Duration { ms: f64 },
    /// `statement: …` / `execute …: …` without a duration (`log_statement`).
    Untimed { text: &'a str },
    /// Anything else: parse/bind steps, plans, checkpoints, connections…
    Other,
}

/// Longer durations (31 years) are not real: the line is not read as a duration.
const MAX_DURATION_MS: f64 = 1e12;

/// Reads a `LOG` message.
pub fn classify(message: &str) -> Event<'_> {
    let Some(rest) = message.strip_prefix("duration: ") else {
        return statement_text(message).map_or(Event::Other, |text| Event::Untimed { text });
    };
    let Some((number, after)) = rest.split_once(" ms") else { return Event::Other };
    let Some(ms) = number.trim().parse::<f64>().ok().filter(|ms| (0.0..MAX_DURATION_MS).contains(ms)) else {
        return Event::Other;
    };
    if after.trim().is_empty() {
        return Event::Duration { ms };
    }
    match statement_text(after.trim_start_matches(' ')) {
        Some(text) => Event::Timed { ms, text },
        None => Event::Other,
    }
}

/// The statement text of `statement: …` or `execute <name>: …` (never `parse`/`bind`,
/// which are steps of one execution, not executions).
fn statement_text(s: &str) -> Option<&str> {
    if let Some(text) = s.strip_prefix("statement: ") {
        return Some(text);
    }
    let rest = s.strip_prefix("execute ")?;
    let (_name, text) = rest.split_once(": ")?;
    Some(text)
}

/// The values of `parameters: $1 = '5', $2 = NULL` as SQL literals, by parameter number
/// (a missing number keeps its `$n`). `None` when the detail is not a parameter list.
pub fn parameters(detail: &str) -> Option<Vec<String>> {
    let mut rest = detail.trim_start().strip_prefix("parameters: ").or_else(|| detail.strip_prefix("Parameters: "))?;
    let mut values: Vec<String> = Vec::new();
    loop {
        let after_dollar = rest.strip_prefix('$')?;
        let digits = after_dollar.bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = after_dollar[..digits].parse().ok().filter(|n| (1..=65_535).contains(n))?;
        let (value, tail) = literal(after_dollar[digits..].strip_prefix(" = ")?)?;
        if values.len() < n {
            values.extend((values.len() + 1..=n).map(|i| format!("${i}")));
        }
        values[n - 1] = value.to_string();
        match tail.strip_prefix(", ") {
            Some(t) => rest = t,
            None if tail.trim().is_empty() => return Some(values),
            None => return None,
        }
    }
}

/// A `'…'` literal (doubled quotes inside) or `NULL` at the start of `s`, and what follows.
fn literal(s: &str) -> Option<(&str, &str)> {
    if let Some(tail) = s.strip_prefix("NULL") {
        return Some((&s[..4], tail));
    }
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'\'') {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some((&s[..=i], &s[i + 1..]));
        }
        i += 1;
    }
    None
}

/// Seconds of the first `YYYY-MM-DD HH:MM:SS[.fff]` in `s` (days since 1970 × 86 400 +
/// time of day; the time zone is ignored: a log has one).
pub fn timestamp_s(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(18)).find_map(|i| timestamp_at(&b[i..]))
}

fn timestamp_at(b: &[u8]) -> Option<f64> {
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let seps = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if !seps.iter().all(|&(i, c)| b.get(i) == Some(&c)) || !matches!(b.get(10), Some(b' ' | b'T')) {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 24 || mm > 59 || ss > 60 {
        return None;
    }
    let digits = b[19..].strip_prefix(b".").map_or(0, |f| f.iter().take_while(|c| c.is_ascii_digit()).count());
    let frac = if digits > 0 {
        let f = num(20..20 + digits.min(9))?;
        f as f64 / 10f64.powi(digits.min(9) as i32)
    } else {
        0.0
    };
    Some((days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss) as f64 + frac)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statement_messages() {
        assert_eq!(classify("duration: 12.345 ms  statement: SELECT 1"), Event::Timed { ms: 12.345, text: "SELECT 1" });
        assert_eq!(
            classify("duration: 0.050 ms  execute S_1/C_2: SELECT * FROM t WHERE a = $1"),
            Event::Timed { ms: 0.05, text: "SELECT * FROM t WHERE a = $1" }
        );
        assert_eq!(classify("duration: 0.020 ms  bind <unnamed>: SELECT $1"), Event::Other);
        assert_eq!(classify("duration: 0.020 ms  parse <unnamed>: SELECT $1"), Event::Other);
        assert_eq!(classify("duration: 3.500 ms"), Event::Duration { ms: 3.5 });
        assert_eq!(classify("statement: BEGIN"), Event::Untimed { text: "BEGIN" });
        assert_eq!(classify("execute <unnamed>: SELECT 2"), Event::Untimed { text: "SELECT 2" });
        assert_eq!(classify("duration: NaN ms  statement: x"), Event::Other);
        assert_eq!(classify("duration: -1 ms  statement: x"), Event::Other);
        assert_eq!(classify("duration: 1e300 ms  statement: x"), Event::Other);
        assert_eq!(classify("checkpoint starting: time"), Event::Other);
    }

    #[test]
    fn reads_parameter_lists() {
        assert_eq!(
            parameters("parameters: $1 = '5', $2 = 'it''s, ok', $3 = NULL"),
            Some(vec!["'5'".into(), "'it''s, ok'".into(), "NULL".into()])
        );
        assert_eq!(parameters("parameters: $2 = 'x'"), Some(vec!["$1".into(), "'x'".into()]));
        assert_eq!(parameters("parameters: $1 = 'unterminated"), None);
        assert_eq!(parameters("parameters: $0 = '1'"), None);
        assert_eq!(parameters("Key (id)=(1) already exists."), None);
    }

    #[test]
    fn finds_timestamps_in_any_prefix() {
        let a = timestamp_s("2024-05-01 12:00:00.250 UTC [42] ").unwrap();
        let b = timestamp_s("user=app 2024-05-02T12:00:01 ").unwrap();
        assert!((b - a - 86_400.75).abs() < 1e-6, "{}", b - a);
        assert_eq!(timestamp_s("[42] no time here"), None);
        assert_eq!(timestamp_s("2024-13-01 00:00:00"), None);
        assert_eq!(timestamp_s("1970-01-01 00:00:00"), Some(0.0));
    }
}
