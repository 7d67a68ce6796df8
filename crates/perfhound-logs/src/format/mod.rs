//! Access-log formats: text formats compiled from nginx `log_format` strings
//! ([`text`]) and JSON lines ([`json`]), and the detection that picks one from the first
//! lines of a file when none is given.

pub mod json;
pub mod text;

use crate::record::Record;
pub use json::{JsonFormat, Scratch};
pub use text::TextFormat;

/// How to read lines.
#[derive(Clone, Debug)]
pub enum LogFormat {
    Text { name: String, format: TextFormat },
    Json(JsonFormat),
}

/// The text formats detection tries, most specific first.
const CANDIDATES: &[(&str, &str)] = &[
    ("combined + $request_time", text::COMBINED_RT),
    ("nginx main", text::MAIN),
    ("combined", text::COMBINED),
    ("common", text::COMMON),
];

impl LogFormat {
    /// `--log-format`: `combined`, `common`, `json`, or an nginx `log_format` string.
    pub fn from_flag(spec: &str, fields: &[String]) -> Result<LogFormat, String> {
        let named = |name: &str, fmt: &str| {
            TextFormat::compile(fmt).map(|format| LogFormat::Text { name: name.into(), format })
        };
        match spec {
            "json" => Ok(LogFormat::Json(JsonFormat::new(fields)?)),
            "combined" | "apache" => named("combined", text::COMBINED),
            "common" | "clf" => named("common", text::COMMON),
            "main" => named("nginx main", text::MAIN),
            custom => named("log_format", custom),
        }
    }

    /// Picks the format most of `sample` lines parse with: JSON when they start with `{`,
    /// else the first text candidate matching the most lines; `combined` with anything
    /// after it as the fallback.
    pub fn detect(sample: &[&str], fields: &[String]) -> Result<LogFormat, String> {
        let lines: Vec<&str> = sample.iter().copied().filter(|l| !l.trim().is_empty()).collect();
        if lines.first().is_some_and(|l| l.trim_start().starts_with('{')) {
            return Ok(LogFormat::Json(JsonFormat::new(fields)?));
        }
        let mut best: Option<(usize, &str, TextFormat)> = None;
        for (name, fmt) in CANDIDATES {
            let format = TextFormat::compile(fmt)?;
            let ok = lines.iter().filter(|l| format.parse(l).is_ok()).count();
            if ok > 0 && best.as_ref().is_none_or(|(b, _, _)| ok > *b) {
                best = Some((ok, name, format));
            }
        }
        if let Some((_, name, format)) = best {
            return Ok(LogFormat::Text { name: name.to_string(), format });
        }
        let mut format = TextFormat::compile(text::COMBINED)?;
        format.lenient_tail = true;
        Ok(LogFormat::Text { name: "combined (extra fields ignored)".into(), format })
    }

    pub fn name(&self) -> &str {
        match self {
            LogFormat::Text { name, .. } => name,
            LogFormat::Json(_) => "JSON lines",
        }
    }

    /// Reads one line (without its newline).
    pub fn parse<'a>(&self, line: &'a str, scratch: &'a mut Scratch) -> Result<Record<'a>, String> {
        match self {
            LogFormat::Text { format, .. } => format.parse(line),
            LogFormat::Json(f) => f.parse(line, scratch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_picks_the_most_specific_match() {
        let rt = r#"1.2.3.4 - - [06/Dec/2026:01:40:21 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 0.010"#;
        let combined = r#"1.2.3.4 - - [06/Dec/2026:01:40:21 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#;
        let common = r#"1.2.3.4 - frank [06/Dec/2026:01:40:21 +0000] "GET / HTTP/1.0" 200 2326"#;
        let extra = r#"1.2.3.4 - - [06/Dec/2026:01:40:21 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" host=x up=1"#;
        assert_eq!(LogFormat::detect(&[rt], &[]).unwrap().name(), "combined + $request_time");
        assert_eq!(LogFormat::detect(&[combined], &[]).unwrap().name(), "combined");
        assert_eq!(LogFormat::detect(&[common], &[]).unwrap().name(), "common");
        assert_eq!(LogFormat::detect(&[r#"{"status":1}"#], &[]).unwrap().name(), "JSON lines");
        let lenient = LogFormat::detect(&[extra], &[]).unwrap();
        assert!(lenient.name().contains("ignored"));
        assert_eq!(lenient.parse(extra, &mut Scratch::default()).unwrap().status, 200);
    }
}
