//! `perfhound learned`: the fixes the store recorded — a finding fixed between an audit and
//! its `--baseline`, with the measured improvement — which findings of the same rule cite.

use crate::exit;
use clap::Args;

const EXAMPLES: &str = "Examples:
  perfhound audit perfhound.yaml --baseline before/run.json   records a fix when a finding is gone and the endpoint is faster
  perfhound learned                                           every recorded fix
  perfhound learned --rule PH-TRACE001 --format json

Exit codes: 0 ok · 2 the store cannot be opened.";

/// List the fixes perfhound learned from audits compared with their baseline.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct LearnedArgs {
    /// Only fixes of this rule code (e.g. PH-TRACE001).
    #[arg(long)]
    rule: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Run store: a SQLite file or a postgres://… URL [default: $PERFHOUND_STORE, else
    /// .perfhound/history.db in the project].
    #[arg(long, value_name = "PATH|URL")]
    store: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

pub fn run(args: LearnedArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: &LearnedArgs) -> anyhow::Result<i32> {
    let learned = super::store::open(args.store.as_deref())?.learned(args.rule.as_deref())?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&learned)?),
        Format::Text if learned.is_empty() => perfhound_term::print(
            "No learned fixes yet: `perfhound audit CONFIG --baseline BEFORE/run.json` records one when a finding \
             is gone and its endpoint got measurably faster.\n",
        ),
        Format::Text => {
            let mut out = format!("{} learned fixes\n\n", learned.len());
            for l in &learned {
                out.push_str(&format!(
                    "  {}  {}\n    before: {}\n    after:  {}\n    runs {} → {}\n",
                    l.rule,
                    perfhound_store::learned::citation(l),
                    l.evidence_before,
                    l.evidence_after,
                    l.before_run,
                    l.after_run
                ));
            }
            perfhound_term::print(&out);
        }
    }
    Ok(exit::OK)
}
