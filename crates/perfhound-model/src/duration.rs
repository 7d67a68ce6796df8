//! The one duration grammar of perfhound: every command-line flag (`-d 1h`,
//! `--statement-timeout 500ms`), config and scenario field, and the latency value of a
//! threshold (`p95 < 1.5s`) reads durations with [`parse`].
//!
//! A duration is one or more `NUMBER UNIT` parts: `500ms`, `30s`, `1m`, `1h30m`, `1.5s`,
//! `100us`, `2 minutes`. Units are case-insensitive: `us`/`µs`, `ms`, `s`/`sec`/`second`,
//! `m`/`min`/`minute`, `h`/`hr`/`hour`, `d`/`day` (and plurals). Numbers may use `_`
//! separators. A bare number has no agreed unit (k6 means milliseconds in thresholds, wrk
//! and oha mean seconds), so each caller says what it means with [`Bare`].

use std::time::Duration;

/// Longest duration accepted anywhere (guards against overflow; hard caps are lower).
const MAX_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// The accepted forms, for the hints callers add to errors.
pub const EXAMPLES: &str = "e.g. 500ms, 30s, 2m, 1h or 1h30m";

/// How a bare number (no unit) is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bare {
    /// Rejected: a unit is required.
    Reject,
    /// Seconds (command-line flags, as in wrk and oha; Artillery files).
    Seconds,
    /// Milliseconds (threshold values, as in k6).
    Millis,
}

/// Parses a duration; the error says what is wrong (callers add where, and [`EXAMPLES`]).
pub fn parse(text: &str, bare: Bare) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Some(n) = number(t) {
        return match bare {
            Bare::Seconds => seconds(n, t),
            Bare::Millis => seconds(n / 1000.0, t),
            Bare::Reject => Err(format!("`{t}` has no unit")),
        };
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !is_number_char(c)).unwrap_or(rest.len());
        let Some(value) = number(&rest[..num_len]) else {
            return Err(if rest == t {
                format!("`{t}` does not start with a number")
            } else {
                format!("`{t}`: expected a number at `{rest}`")
            });
        };
        rest = &rest[num_len..];
        let unit_len = rest.find(is_number_char).unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        let Some(scale) = unit_seconds(unit) else {
            return Err(match unit {
                "" => format!("`{t}`: `{}` needs a unit", &t[..t.len() - rest.len()]),
                other => format!("`{t}`: unknown unit `{other}` (use us, ms, s, m, h or d)"),
            });
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    seconds(total, t)
}

/// A command-line duration flag: a bare number means seconds, as in wrk and oha.
pub fn parse_flag(text: &str) -> Result<Duration, String> {
    parse(text, Bare::Seconds)
}

/// `1h30m`, `1500ms`, `250us`: the shortest exact text [`parse`] reads back.
pub fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 || d.subsec_micros() % 1000 != 0 {
        return format!("{}us", d.as_micros());
    }
    if ms % 1000 != 0 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || c == '_'
}

/// A plain decimal number (`1.5`, `1_000`), no sign or exponent.
fn number(text: &str) -> Option<f64> {
    if text.is_empty() || !text.chars().all(is_number_char) || !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    text.replace('_', "").parse().ok()
}

fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit.to_lowercase().as_str() {
        "us" | "µs" | "μs" | "usec" | "microsecond" | "microseconds" => 1e-6,
        "ms" | "msec" | "millisecond" | "milliseconds" => 1e-3,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        _ => return None,
    })
}

fn seconds(n: f64, text: &str) -> Result<Duration, String> {
    if !n.is_finite() || n < 0.0 {
        return Err(format!("`{text}` is not a duration ≥ 0"));
    }
    if n > MAX_SECS {
        return Err(format!("`{text}` is longer than a year"));
    }
    Ok(Duration::from_secs_f64(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: u64 = 1;
    const MS: u64 = 1000 * US;
    const S: u64 = 1000 * MS;

    #[test]
    fn accepted_forms() {
        let table: &[(&str, Bare, u64)] = &[
            ("500ms", Bare::Reject, 500 * MS),
            ("30s", Bare::Reject, 30 * S),
            ("1m", Bare::Reject, 60 * S),
            ("1h", Bare::Reject, 3600 * S),
            ("1h30m", Bare::Reject, 5400 * S),
            ("2d", Bare::Reject, 2 * 86_400 * S),
            ("1.5s", Bare::Reject, 1500 * MS),
            ("0s", Bare::Reject, 0),
            ("1m30s500ms", Bare::Reject, 90 * S + 500 * MS),
            (" 2 minutes ", Bare::Reject, 120 * S),
            ("3 seconds", Bare::Reject, 3 * S),
            ("1 hour", Bare::Reject, 3600 * S),
            ("50 milliseconds", Bare::Reject, 50 * MS),
            ("300MS", Bare::Reject, 300 * MS),
            ("1H", Bare::Reject, 3600 * S),
            ("1_000ms", Bare::Reject, S),
            ("2500us", Bare::Reject, 2500 * US),
            ("250µs", Bare::Reject, 250 * US),
            ("60", Bare::Seconds, 60 * S),
            ("0.5", Bare::Seconds, 500 * MS),
            ("200", Bare::Millis, 200 * MS),
            ("2s", Bare::Millis, 2 * S),
        ];
        for (text, bare, us) in table {
            let d = parse(text, *bare).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(d.as_micros(), u128::from(*us), "{text:?}");
        }
    }

    #[test]
    fn rejected_forms_say_why() {
        let table: &[(&str, Bare, &str)] = &[
            ("", Bare::Seconds, "empty"),
            ("30", Bare::Reject, "no unit"),
            ("30x", Bare::Reject, "unknown unit `x`"),
            ("1h30", Bare::Reject, "needs a unit"),
            ("-1s", Bare::Reject, "does not start with a number"),
            ("-1", Bare::Seconds, "does not start with a number"),
            ("s", Bare::Reject, "does not start with a number"),
            ("ten", Bare::Seconds, "does not start with a number"),
            ("1s-2s", Bare::Reject, "unknown unit `s-`"),
            ("1s 2x", Bare::Reject, "unknown unit `x`"),
            ("1e999", Bare::Seconds, "unknown unit"),
            ("99999999d", Bare::Reject, "longer than a year"),
            ("1.2.3s", Bare::Reject, "does not start with a number"),
            ("1s..s", Bare::Reject, "expected a number at `..s`"),
            ("3 parsecs", Bare::Millis, "unknown unit `parsecs`"),
        ];
        for (text, bare, why) in table {
            let err = parse(text, *bare).expect_err(text);
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn flags_read_bare_numbers_as_seconds() {
        assert_eq!(parse_flag("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_flag("10").unwrap(), Duration::from_secs(10));
    }

    #[test]
    fn show_reads_back() {
        let table = [
            (Duration::from_secs(5400), "1h30m"),
            (Duration::from_millis(1500), "1500ms"),
            (Duration::from_secs(0), "0us"),
            (Duration::from_micros(2500), "2500us"),
            (Duration::from_secs(86_400), "24h"),
        ];
        for (d, text) in table {
            assert_eq!(show(d), text);
            assert_eq!(parse(text, Bare::Reject).unwrap(), d, "{text}");
        }
    }
}
