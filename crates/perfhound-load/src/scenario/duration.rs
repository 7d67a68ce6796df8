//! Durations as written in scenario files: `500ms`, `30s`, `1m`, `1h30m`, `1.5s`.
//!
//! Bare numbers are ambiguous (k6 means milliseconds in some places, Artillery seconds), so
//! they are only accepted where a file format documents them (Artillery: seconds); elsewhere
//! the error asks for a unit.

use super::error::ScenarioError;
use super::locate::Source;
use perfhound_yaml::Node;
use serde_saphyr::Spanned;
use std::time::Duration;

/// Longest duration accepted anywhere (guards against overflow; hard caps are lower).
const MAX_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// How a bare number (no unit) is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bare {
    /// Rejected: a unit is required.
    Reject,
    /// Seconds (Artillery).
    Seconds,
}

/// Parses `1h30m`, `500ms`, `2.5s`, `100us`; a bare number only with [`Bare::Seconds`].
pub(crate) fn parse_duration(text: &str, bare: Bare) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(n) = t.parse::<f64>() {
        return match bare {
            Bare::Seconds => seconds(n, t),
            Bare::Reject => Err(format!("`{t}` has no unit")),
        };
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("`{t}`: expected a number at `{rest}`"));
        }
        let number: f64 =
            rest[..num_len].parse().map_err(|_| format!("`{t}`: `{}` is not a number", &rest[..num_len]))?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        let scale = match unit {
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            "" => return Err(format!("`{t}`: `{}` needs a unit", &t[..t.len() - rest.len()])),
            other => return Err(format!("`{t}`: unknown unit `{other}` (use ms, s, m or h)")),
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    seconds(total, t)
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

/// Reads a duration field, with a located error that shows the accepted forms.
pub(crate) fn node_duration(src: &Source, node: &Spanned<Node>, bare: Bare) -> Result<Duration, ScenarioError> {
    let hint = match bare {
        Bare::Reject => "write a duration with a unit, e.g. `500ms`, `30s`, `1m` or `1h30m`",
        Bare::Seconds => "write seconds (`60`) or a duration with a unit (`500ms`, `1m`)",
    };
    let text = match &node.value {
        Node::Str(s) => s.clone(),
        Node::Int(_) | Node::UInt(_) | Node::Float(_) => node.value.scalar_text().unwrap_or_default(),
        other => return Err(src.error(&node.referenced, format!("expected a duration, found {}", other.kind()), hint)),
    };
    parse_duration(&text, bare).map_err(|why| src.error(&node.referenced, format!("bad duration: {why}"), hint))
}

/// Like [`node_duration`], but the duration must be longer than zero.
pub(crate) fn positive_duration(src: &Source, node: &Spanned<Node>, bare: Bare) -> Result<Duration, ScenarioError> {
    let d = node_duration(src, node, bare)?;
    if d.is_zero() {
        return Err(src.error(&node.referenced, "duration must be longer than 0", "e.g. `30s`"));
    }
    Ok(d)
}

/// `1m30s` style text for messages.
pub(crate) fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
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

/// Parses a command-line duration (`-d 30s`, `--timeout 500ms`); a bare number means
/// seconds, as in wrk and oha.
pub fn parse_cli_duration(text: &str) -> Result<Duration, String> {
    parse_duration(text, Bare::Seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_compounds() {
        let p = |t| parse_duration(t, Bare::Reject).unwrap();
        assert_eq!(p("500ms"), Duration::from_millis(500));
        assert_eq!(p("30s"), Duration::from_secs(30));
        assert_eq!(p("1m"), Duration::from_secs(60));
        assert_eq!(p("1h30m"), Duration::from_secs(5400));
        assert_eq!(p("2h"), Duration::from_secs(7200));
        assert_eq!(p("1.5s"), Duration::from_millis(1500));
        assert_eq!(p("0s"), Duration::ZERO);
        assert_eq!(parse_duration("60", Bare::Seconds).unwrap(), Duration::from_secs(60));
    }

    #[test]
    fn errors() {
        assert!(parse_duration("30", Bare::Reject).unwrap_err().contains("no unit"));
        assert!(parse_duration("30x", Bare::Reject).unwrap_err().contains("unknown unit"));
        assert!(parse_duration("1h30", Bare::Reject).unwrap_err().contains("needs a unit"));
        assert!(parse_duration("-1s", Bare::Reject).is_err());
        assert!(parse_duration("99999999d", Bare::Reject).is_err());
        assert!(parse_duration("1e999", Bare::Seconds).is_err());
        assert!(parse_duration("s", Bare::Reject).is_err());
    }

    #[test]
    fn shows() {
        assert_eq!(show(Duration::from_secs(5400)), "1h30m");
        assert_eq!(show(Duration::from_millis(1500)), "1500ms");
    }
}
