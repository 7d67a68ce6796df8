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
