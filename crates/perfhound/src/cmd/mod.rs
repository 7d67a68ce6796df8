//! One module per subcommand.
pub mod audit;
pub mod capacity;
pub mod check;
pub mod compare;
pub mod compare_render;
pub mod complexity;
pub mod db;
pub mod db_sqlite;
pub mod demo;
pub mod demo_capacity;
pub mod demo_compare;
pub mod demo_complexity;
pub mod history;
pub mod init;
pub mod learned;
pub mod live;
pub mod load;
pub mod logs;
pub mod profile;
pub mod redis;
pub mod report;
pub mod rules;
pub mod scan;
pub mod serve;
pub mod store;
pub mod traces;

use std::time::Duration;

/// Reads a duration flag with the one duration grammar (`500ms`, `30s`, `2m`, `1h`, `1h30m`;
/// a bare number is seconds). The error names the flag and shows the accepted forms.
pub fn duration_flag(flag: &str, text: &str) -> anyhow::Result<Duration> {
    perfhound_model::duration::parse_flag(text)
        .map_err(|e| anyhow::anyhow!("{flag} `{text}`: {e} ({})", perfhound_model::duration::EXAMPLES))
}

/// This process's command line as recorded in a run: header values, bodies, passwords and
/// tokens masked ([`perfhound_model::redact::command`]).
pub fn recorded_command() -> Vec<String> {
    perfhound_model::redact::command(std::env::args())
}

/// `--fail-on`: exit 1 when a finding of this severity or worse is present.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    Warning,
    Info,
}

impl FailOn {
    pub fn severity(self) -> perfhound_model::Severity {
        match self {
            FailOn::Critical => perfhound_model::Severity::Critical,
            FailOn::Warning => perfhound_model::Severity::Warning,
            FailOn::Info => perfhound_model::Severity::Info,
        }
    }
}

/// True when a finding of `findings` reaches `fail_on`.
pub fn fails_on<'a>(fail_on: Option<FailOn>, mut findings: impl Iterator<Item = &'a perfhound_model::Finding>) -> bool {
    fail_on.is_some_and(|f| findings.any(|x| x.severity >= f.severity()))
}

/// `--rtt`: a duration in the one duration grammar (`1ms`, `0.5ms`, `0`), as milliseconds.
pub fn parse_rtt(s: &str) -> Result<f64, String> {
    let d = perfhound_model::duration::parse_flag(s)?;
    let ms = d.as_nanos() as f64 / 1e6;
    if ms > 1000.0 {
        return Err(format!("{s}: a round trip above 1s is not a network round trip (use e.g. 1ms)"));
    }
    Ok(ms)
}

#[cfg(test)]
mod rtt_tests {
    use super::parse_rtt;

    #[test]
    fn rtt_durations() {
        assert_eq!(parse_rtt("1ms"), Ok(1.0));
        assert_eq!(parse_rtt("500us"), Ok(0.5));
        assert_eq!(parse_rtt("0"), Ok(0.0));
        assert!(parse_rtt("fast").is_err());
        assert!(parse_rtt("5s").is_err());
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn duration_flags_share_one_grammar() {
        let table = [("1h", 3_600_000), ("10s", 10_000), ("500ms", 500), ("2", 2000), ("1h30m", 5_400_000)];
        for (text, ms) in table {
            assert_eq!(super::duration_flag("--x", text).unwrap(), Duration::from_millis(ms), "{text}");
        }
        let err = super::duration_flag("--statement-timeout", "1x").unwrap_err().to_string();
        assert!(
            err.contains("--statement-timeout `1x`") && err.contains("unknown unit") && err.contains("500ms"),
            "{err}"
        );
    }
}

/// `-H 'Name: value'` flags and `-m METHOD`, as `load`, `capacity` and `complexity` take them.
pub fn request_flags(headers: &[String], method: &str) -> anyhow::Result<(Vec<(String, String)>, http::Method)> {
    use anyhow::Context as _;
    let headers = headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .with_context(|| format!("-H `{h}`: expected `Name: value`"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let method = http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .with_context(|| format!("-m `{method}` is not an HTTP method"))?;
    Ok((headers, method))
}
