//! `perfhound profile`: read CPU profiles and rank functions by self and total time.

use crate::exit;
use anyhow::Context as _;
use clap::Args;
use perfhound_profile::{hotspots, Format, Hotspot, Profile};
use std::io::BufReader;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:
  py-spy record --format raw -o app.folded -- python app.py
  perfhound profile app.folded
  perf record -g -p PID -- sleep 10 && perf script > app.perf && perfhound profile app.perf
  perfhound profile a.folded b.folded --top 50 --format json | jq '.hotspots[0]'

Formats (detected from the content): folded stacks `root;caller;leaf COUNT` (py-spy raw,
inferno, async-profiler collapsed) and Linux `perf script` text. Several files are merged
into one profile. See docs/profile.md.

Exit codes: 0 ok · 2 unreadable file or bad input (the message names the file and line).";

/// Rank the functions of CPU profiles by self and total time.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ProfileArgs {
    /// Profile files (merged when several).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// How many functions to list.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
}

pub fn run(args: ProfileArgs) -> i32 {
    let mut profile = Profile::default();
    let mut formats = Vec::new();
    for file in &args.files {
        match read_file(file, &mut profile) {
            Ok(f) => formats.push(f),
            Err(e) => return exit::fail(&e),
        }
    }
    let mut hs = hotspots(&profile);
    hs.truncate(args.top);
    match args.format {
        OutputFormat::Text => print!("{}", text(&profile, &hs)),
        OutputFormat::Json => println!("{}", json(&profile, &formats, &hs)),
    }
    exit::OK
}

fn read_file(path: &Path, profile: &mut Profile) -> anyhow::Result<Format> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    perfhound_profile::read(BufReader::with_capacity(1 << 16, file), profile)
        .with_context(|| format!("{} is not a profile perfhound reads", path.display()))
}

fn text(profile: &Profile, hs: &[Hotspot]) -> String {
    let mut out = format!(
        "{} samples, {} functions, {} distinct stacks\n\n  self%   total%  function\n",
        profile.total(),
        profile.function_count(),
        profile.stack_count()
    );
    for h in hs {
        let at = h.location().map(|l| format!("  {l}")).unwrap_or_default();
        out += &format!("{:>6.1}%  {:>6.1}%  {}{at}\n", h.self_share * 100.0, h.total_share * 100.0, h.function);
    }
    out
}

fn json(profile: &Profile, formats: &[Format], hs: &[Hotspot]) -> String {
    let v = serde_json::json!({
        "formats": formats,
        "samples": profile.total(),
        "functions": profile.function_count(),
        "stacks": profile.stack_count(),
        "hotspots": hs,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
