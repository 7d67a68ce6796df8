//! `perfhound profile`: read CPU profiles, rank functions by self and total time, draw
//! flame graphs, and compare two profiles (`--diff`).

use crate::exit;
use clap::Args;
use perfhound_model::Finding;
use perfhound_profile::{movers, read_file, FlameOptions, Format, Hotspot, Mover, Profile};
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:
  py-spy record --format raw -o app.folded -- python app.py
  perfhound profile app.folded --flamegraph app.svg
  perf record -g -p PID -- sleep 10 && perf script > app.perf && perfhound profile app.perf
  curl -o cpu.pb.gz 'http://127.0.0.1:6060/debug/pprof/profile?seconds=10' && perfhound profile cpu.pb.gz
  node --cpu-prof app.js && perfhound profile CPU.*.cpuprofile --top 50 --format json
  perfhound profile --diff before.folded after.folded --flamegraph diff.svg
  perfhound profile app.folded --out profile-run.json --tag rev=2   # run file, and history

Formats (detected from the content, gzipped or not): pprof protobuf, folded stacks
`root;caller;leaf COUNT` (py-spy raw, inferno, async-profiler collapsed), Linux `perf script`
text, Chrome/Node .cpuprofile, speedscope JSON. Several files are merged into one profile.
See docs/profile.md.

Findings (PH-PROF001…): a hot function, JSON serialization, regex compilation, logging,
allocation/GC, lock contention and sleeps, each naming its frames; `perfhound rules`.
Every run (its sources and findings; with --diff, AFTER's) is saved in the run store
(`perfhound history`) unless --no-store; --out also writes it as a run file.

Exit codes: 0 ok · 1 findings at or above --fail-on · 2 unreadable file or bad input (the
message names the file and the line or byte).";

/// Rank the functions of CPU profiles by self and total time; draw flame graphs.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ProfileArgs {
    /// Profile files (merged when several).
    #[arg(required_unless_present = "diff")]
    files: Vec<PathBuf>,
    /// Compare two profiles: the biggest movers, and with --flamegraph a differential graph.
    #[arg(long, num_args = 2, value_names = ["BEFORE", "AFTER"], conflicts_with = "files")]
    diff: Option<Vec<PathBuf>>,
    /// Write an interactive flame graph (SVG: click to zoom, Search) to this file.
    #[arg(long, value_name = "FILE.svg")]
    flamegraph: Option<PathBuf>,
    /// How many functions to list.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Exit 1 when a finding has at least this severity (with --diff: in AFTER).
    #[arg(long, value_enum)]
    fail_on: Option<super::FailOn>,
    /// Write the run (sources and findings; with --diff, AFTER's) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    #[command(flatten)]
    store: super::store::StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
}

pub fn run(args: ProfileArgs) -> i32 {
    if let Err(e) = args.store.validate() {
        return exit::fail(&e);
    }
    let result = match &args.diff {
        Some(pair) => diff(&args, &pair[0], &pair[1]),
        None => single(&args),
    };
    result.unwrap_or_else(|e| exit::fail(&e))
}

fn single(args: &ProfileArgs) -> anyhow::Result<i32> {
    let started_at = perfhound_model::rfc3339_now();
    let (profile, formats) = read_all(&args.files)?;
    let sources = args.files.iter().zip(&formats).map(|(f, format)| source(f, *format)).collect();
    let findings = save(args, &profile, sources, started_at)?;
    if let Some(path) = &args.flamegraph {
        let title = format!("Flame graph: {}", names(&args.files));
        let svg = perfhound_profile::flamegraph_svg(&profile, &FlameOptions { title, ..Default::default() });
        super::check::write_file(path, svg.as_bytes())?;
    }
    let mut hs = perfhound_profile::hotspots(&profile);
    hs.truncate(args.top);
    match args.format {
        OutputFormat::Text => perfhound_term::print(&(text(&profile, &hs) + &findings_text(&findings))),
        OutputFormat::Json => println!("{}", json(&profile, &formats, &hs, &findings)),
    }
    written(args);
    Ok(exit_code(&findings, args.fail_on))
}

fn diff(args: &ProfileArgs, before: &Path, after: &Path) -> anyhow::Result<i32> {
    let started_at = perfhound_model::rfc3339_now();
    let (b, bf) = read_all(std::slice::from_ref(&before.to_path_buf()))?;
    let (a, af) = read_all(std::slice::from_ref(&after.to_path_buf()))?;
    let sources = vec![format!("before: {}", source(before, bf[0])), format!("after: {}", source(after, af[0]))];
    let findings = save(args, &a, sources, started_at)?;
    if let Some(path) = &args.flamegraph {
        let title = format!("Differential flame graph: {} → {}", names(&[before]), names(&[after]));
        let svg = perfhound_profile::diff_flamegraph_svg(&b, &a, &FlameOptions { title, ..Default::default() });
        super::check::write_file(path, svg.as_bytes())?;
    }
    let mut ms = movers(&b, &a);
    ms.truncate(args.top);
    match args.format {
        OutputFormat::Text => perfhound_term::print(&(movers_text(&b, &a, &ms) + &findings_text(&findings))),
        OutputFormat::Json => {
            let v =
                serde_json::json!({"before": summary(&b), "after": summary(&a), "movers": ms, "findings": findings});
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
    }
    written(args);
    Ok(exit_code(&findings, args.fail_on))
}

/// `app.folded (folded)`: a run's source for one profile file.
fn source(file: &Path, format: Format) -> String {
    let format = serde_json::to_value(format).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    format!("{} ({format})", perfhound_term::clean(&file.display().to_string()))
}

/// Builds the run of `profile`, writes it to --out, saves it in the store, and returns
/// its findings.
fn save(
    args: &ProfileArgs,
    profile: &Profile,
    sources: Vec<String>,
    started_at: String,
) -> anyhow::Result<Vec<Finding>> {
    let meta = perfhound_profile::to_model::RunMeta { command: super::recorded_command(), started_at, sources };
    let mut run = perfhound_profile::to_model::to_run(profile, meta);
    run.redact_secrets();
    args.store.cite(&mut run);
    if let Some(path) = &args.out {
        super::check::write_file(path, &serde_json::to_vec_pretty(&run)?)?;
    }
    args.store.save("profile", &run);
    Ok(run.findings)
}

/// `run written to FILE` after the text output.
fn written(args: &ProfileArgs) {
    if let (Some(path), OutputFormat::Text) = (&args.out, args.format) {
        perfhound_term::print(&format!("\n  run written to {}\n", perfhound_term::clean(&path.display().to_string())));
    }
}

fn read_all(files: &[PathBuf]) -> anyhow::Result<(Profile, Vec<Format>)> {
    let mut profile = Profile::default();
    let mut formats = Vec::new();
    for file in files {
        formats.push(read_file(file, &mut profile)?);
    }
    Ok((profile, formats))
}

fn names<P: AsRef<Path>>(files: &[P]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.as_ref()
                .file_name()
                .map_or_else(|| f.as_ref().display().to_string(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    perfhound_term::clean(&names.join(", ")).into_owned()
}

fn header(profile: &Profile) -> String {
    format!(
        "{}, {} functions, {} distinct stacks",
        perfhound_profile::flamegraph::weight(profile.unit(), profile.total()),
        profile.function_count(),
        profile.stack_count()
    )
}

fn text(profile: &Profile, hs: &[Hotspot]) -> String {
    let mut out = format!("{}\n\n  self%   total%  function\n", header(profile));
    for h in hs {
        let at = h.location().map(|l| format!("  {l}")).unwrap_or_default();
        out += &format!("{:>6.1}%  {:>6.1}%  {}{at}\n", h.self_share * 100.0, h.total_share * 100.0, h.function);
    }
    out
}

fn movers_text(before: &Profile, after: &Profile, ms: &[Mover]) -> String {
    let mut out = format!(
        "before: {}\nafter:  {}\n\n  self% before → after  (change)   total% before → after  function\n",
        header(before),
        header(after)
    );
    for m in ms {
        let at = m.location().map(|l| format!("  {l}")).unwrap_or_default();
        out += &format!(
            "{:>6.1}% → {:>5.1}%  ({:+6.1} pts)   {:>6.1}% → {:>5.1}%  {}{at}\n",
            m.before_self_share * 100.0,
            m.after_self_share * 100.0,
            m.self_change * 100.0,
            m.before_total_share * 100.0,
            m.after_total_share * 100.0,
            m.function
        );
    }
    out
}

fn summary(profile: &Profile) -> serde_json::Value {
    serde_json::json!({
        "unit": profile.unit(),
        "weight": profile.total(),
        "functions": profile.function_count(),
        "stacks": profile.stack_count(),
    })
}

fn exit_code(findings: &[Finding], fail_on: Option<super::FailOn>) -> i32 {
    if super::fails_on(fail_on, findings.iter()) {
        exit::BREACHED
    } else {
        exit::OK
    }
}

/// The findings, one line each with their evidence notes, after a blank line.
fn findings_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    if !findings.is_empty() {
        out += &format!("\nFindings ({}):\n", findings.len());
    }
    for f in findings {
        out += &format!("  {}\n", perfhound_term::finding_line(f));
        for note in &f.evidence.notes {
            out += &format!("      {}\n", perfhound_term::one_line(note));
        }
    }
    out
}

fn json(profile: &Profile, formats: &[Format], hs: &[Hotspot], findings: &[Finding]) -> String {
    let v = serde_json::json!({
        "formats": formats,
        "unit": profile.unit(),
        "samples": profile.total(),
        "functions": profile.function_count(),
        "stacks": profile.stack_count(),
        "hotspots": hs,
        "findings": findings,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
