//! `perfhound rules`: every rule with its code, name and documentation.

use clap::Args;
use perfhound_model::Rule;

/// List rules.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  perfhound rules\n  perfhound rules --format json | jq '.[].code'")]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Text,
    Json,
}

fn all_rules() -> Vec<Rule> {
    let mut v = perfhound_load::hygiene::RULES.to_vec();
    v.extend(perfhound_db::rules());
    v.extend(perfhound_traces::rules());
    v.extend(perfhound_sqlite::rules());
    v
}

pub fn run(args: RulesArgs) -> i32 {
    let rules = all_rules();
    match args.format {
        Format::Text => {
            for r in &rules {
                println!(
                    "{} {} [{}]\n  {}\n  why: {}\n  fix: {}\n",
                    r.code, r.name, r.severity, r.summary, r.why, r.fix
                );
            }
        }
        Format::Json => {
            let v: Vec<_> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary, "why": r.why, "fix": r.fix})
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
    crate::exit::OK
}
