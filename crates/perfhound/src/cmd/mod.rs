//! One module per subcommand.
pub mod audit;
pub mod check;
pub mod db;
pub mod db_sqlite;
pub mod demo;
pub mod demo_compare;
pub mod init;
pub mod load;
pub mod profile;
pub mod report;
pub mod rules;
pub mod traces;

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
    let text = s.trim();
    let text = text.strip_suffix("us").map(|n| format!("{}ms", n.trim().parse::<f64>().unwrap_or(f64::NAN) / 1000.0));
    let d = db::parse_duration(text.as_deref().unwrap_or(s)).map_err(|e| format!("{e:#}"))?;
    let ms = d.as_secs_f64() * 1000.0;
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
