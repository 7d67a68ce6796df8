//! Runtime findings joined to the service's source (`audit.source`, `perfhound traces
//! --source`): each finding about an endpoint gets the `Location` and "Current
//! Implementation" of the loop or call site that causes it (perfhound-scan's locator), or
//! a note that none was found — never a guessed line. Static scan findings on the located
//! lines are merged into the runtime finding (they name the same problem, now with its
//! measured impact); the other static findings are added to the run as they are.

use perfhound_model::{Finding, Run, Source, SourceKind};
use perfhound_scan::locate::SourceIndex;
use std::path::PathBuf;

/// What the join did, for the closing summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// Runtime findings given a location.
    pub located: usize,
    /// Runtime findings about a call site whose location was not found.
    pub not_found: usize,
    /// Static findings merged into a runtime one.
    pub merged: usize,
    /// Static findings added on their own.
    pub added: usize,
}

/// Locates `run`'s runtime findings in `roots` and merges the static scan of `roots`.
pub fn attach(run: &mut Run, roots: &[PathBuf]) -> Joined {
    let index = SourceIndex::build(roots);
    let scan = perfhound_scan::scan(roots, &perfhound_scan::Config::default(), 0);
    let mut statics = scan.findings;
    let mut joined = Joined::default();
    for f in run.findings.iter_mut().filter(|f| is_runtime(f)) {
        match index.locate(f) {
            Ok(l) => {
                joined.located += 1;
                let location = l.location();
                let via = if l.chain.len() > 1 { format!(" (via {})", l.chain.join(" → ")) } else { String::new() };
                f.evidence.notes.push(format!("Location: {location}{via}"));
                // A location the spans recorded (code.filepath) stays; the excerpt is only
                // added when it shows those lines.
                let agrees = f.evidence.location.as_deref().is_none_or(|at| same_place(at, &l.file, l.lines));
                f.evidence.location.get_or_insert(location);
                if f.evidence.code.is_none() && agrees {
                    f.evidence.code = Some(l.code.clone());
                    f.evidence.code_lang = Some(l.lang.to_string());
                }
                let before = statics.len();
                statics.retain(|s| !merge_static(f, s, &l.file, l.lines));
                joined.merged += before - statics.len();
            }
            Err(e) if e.0.contains("not tied to a call site") => {}
            Err(e) => {
                joined.not_found += 1;
                f.evidence.notes.push(format!("Location: not found in the source ({})", e.0));
            }
        }
    }
    joined.added = statics.len();
    run.findings.extend(statics);
    let dirs: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    run.sources.push(Source { kind: SourceKind::Scan, description: format!("source: {}", dirs.join(", ")) });
    joined
}

/// Runtime findings are about an endpoint (`GET /x`), static ones about `file:line:col`.
fn is_runtime(f: &Finding) -> bool {
    f.target.split_once(' ').is_some_and(|(m, p)| m.chars().all(|c| c.is_ascii_uppercase()) && p.starts_with('/'))
}

/// `path:line (function)` from span attributes names a line inside `file`'s `lines`.
fn same_place(at: &str, file: &str, lines: (usize, usize)) -> bool {
    let at = at.split(" (").next().unwrap_or(at);
    let Some((path, line)) = at.rsplit_once(':') else { return false };
    let Ok(line) = line.parse::<usize>() else { return false };
    (file.ends_with(path) || path.ends_with(file)) && line >= lines.0 && line <= lines.1
}

/// When the static finding `s` lies on the located lines, notes it on `f` and says so.
fn merge_static(f: &mut Finding, s: &Finding, file: &str, lines: (usize, usize)) -> bool {
    let mut parts = s.target.rsplitn(3, ':');
    let (_, line, path) = (parts.next(), parts.next().and_then(|l| l.parse::<usize>().ok()), parts.next());
    let (Some(line), Some(path)) = (line, path) else { return false };
    let same_file = path == file || path.ends_with(file) || file.ends_with(path);
    if !same_file || line < lines.0 || line > lines.1 {
        return false;
    }
    f.evidence.notes.push(format!("static check {} {} agrees: {} ({})", s.rule.code, s.rule.name, s.title, s.target));
    true
}
