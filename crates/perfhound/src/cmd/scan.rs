//! `perfhound scan`: performance anti-patterns in Python, JavaScript and TypeScript
//! source (N+1 queries in loops, row-at-a-time writes, O(n²) loops, blocking calls in
//! async code, unbounded caches, leaking React effects…).

use super::FailOn;
use crate::exit;
use anyhow::Context as _;
use clap::Args;
use perfhound_scan::output::{sarif, text};
use perfhound_scan::Config;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:
  perfhound scan                                   the current directory
  perfhound scan src/ app.py                       directories and files
  perfhound scan --format sarif > perfhound.sarif  for GitHub code scanning
  perfhound scan --format json -o scan.json --fail-on warning
  perfhound scan --config ci/.perfhound-scan.yaml

Files: *.py, *.js/*.mjs/*.cjs/*.jsx, *.ts/*.mts/*.cts, *.tsx; .gitignore is respected;
node_modules, virtualenvs and __pycache__ are skipped. A file that does not parse is reported
and skipped. Suppress one line with `# perfhound: ignore[query-in-loop]` (Python) or
`// perfhound-ignore query-in-loop` (JS/TS); paths and rules in .perfhound-scan.yaml.
Exit codes: 0 ok · 1 findings at or above --fail-on · 2 usage or input error.
Rules: docs/scan.md and `perfhound rules`.";

/// Scan source code for performance anti-patterns.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ScanArgs {
    /// Directories or files to scan (default: the current directory).
    paths: Vec<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Write the run (versioned JSON schema) to this file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// Config file (default: .perfhound-scan.yaml in the first path or the current directory).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
    Sarif,
    None,
}

pub fn run(args: ScanArgs) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => exit::fail(&e),
    }
}

fn run_inner(args: ScanArgs) -> anyhow::Result<i32> {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    for p in &paths {
        anyhow::ensure!(p.exists(), "{}: no such file or directory", p.display());
    }
    let config = load_config(args.config.as_deref(), &paths)?;
    let started_at = perfhound_model::rfc3339_now();
    let clock = std::time::Instant::now();
    let scan = perfhound_scan::scan(&paths, &config, args.threads);
    let elapsed = clock.elapsed().as_secs_f64();
    let meta = perfhound_scan::RunMeta {
        command: super::recorded_command(),
        started_at,
        sources: paths.iter().map(|p| p.display().to_string()).collect(),
    };
    let mut run = perfhound_scan::to_run(&scan, meta);
    run.redact_secrets();
    if let Some(path) = &args.out {
        super::check::write_file(path, &serde_json::to_vec_pretty(&run)?)?;
    }
    match args.format {
        OutputFormat::Text => perfhound_term::print(&text::render(&scan, elapsed)),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&run)?),
        OutputFormat::Sarif => {
            println!("{}", serde_json::to_string_pretty(&sarif::render(&run, &perfhound_scan::rules()))?)
        }
        OutputFormat::None => {}
    }
    if let (Some(path), OutputFormat::Text) = (&args.out, args.format) {
        perfhound_term::print(&format!("  run written to {}\n", path.display()));
    }
    Ok(if super::fails_on(args.fail_on, run.findings.iter()) { exit::BREACHED } else { exit::OK })
}

/// `--config FILE`, else `.perfhound-scan.yaml` in the first directory scanned or in the
/// current directory, else the defaults.
fn load_config(explicit: Option<&Path>, paths: &[PathBuf]) -> anyhow::Result<Config> {
    let found = explicit.map(Path::to_path_buf).or_else(|| {
        let first = paths.first().filter(|p| p.is_dir()).cloned().unwrap_or_else(|| PathBuf::from("."));
        [first.join(perfhound_scan::config::FILE_NAME), PathBuf::from(perfhound_scan::config::FILE_NAME)]
            .into_iter()
            .find(|p| p.is_file())
    });
    let Some(path) = found else { return Ok(Config::default()) };
    let text = std::fs::read_to_string(&path).with_context(|| format!("--config: cannot read {}", path.display()))?;
    Ok(Config::from_yaml(&path.display().to_string(), &text, &perfhound_scan::rules())?)
}
