//! The tree walk: `.gitignore`-aware (the `ignore` crate, also outside git repositories),
//! parallel over files with one [`Analyzer`] per worker thread, each file read and parsed
//! once for all rules. Results are sorted so output does not depend on thread timing.

use crate::analyze::Analyzer;
use crate::config::Config;
use crate::finding::to_finding;
use crate::lang::Lang;
use crate::suppress;
use ignore::{WalkBuilder, WalkState};
use perfhound_model::Finding;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Files larger than this are skipped (generated bundles, data dumps), and reported.
pub const MAX_FILE_BYTES: u64 = 2 << 20;

/// Directories never descended into below a scanned root (vendored code and caches);
/// virtualenvs are recognised by their `pyvenv.cfg`.
const SKIP_DIRS: &[&str] = &["node_modules", "__pycache__", "site-packages", ".tox"];

/// A file that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scan {
    pub findings: Vec<Finding>,
    /// Files parsed and checked, per language.
    pub files: Vec<(Lang, usize)>,
    pub lines: usize,
    /// Files that could not be read or parsed (reported, the rest is scanned).
    pub skipped: Vec<Skipped>,
    /// Findings dropped by suppression comments.
    pub suppressed: usize,
}

#[derive(Default)]
struct Shared {
    findings: Vec<Finding>,
    files: Vec<Lang>,
    lines: usize,
    skipped: Vec<Skipped>,
    suppressed: usize,
}

/// Scans `roots` (directories or files) with `threads` workers (0 = one per core).
pub fn scan(roots: &[PathBuf], config: &Config, threads: usize) -> Scan {
    let shared = Mutex::new(Shared::default());
    for root in roots {
        let mut builder = WalkBuilder::new(root);
        builder.require_git(false).threads(threads);
        let root_path = root.clone();
        builder.build_parallel().run(|| {
            let mut analyzer = Analyzer::new();
            let shared = &shared;
            let root = root_path.clone();
            Box::new(move |entry| {
                let Ok(entry) = entry else { return WalkState::Continue };
                let path = entry.path();
                let rel = relative(&root, path);
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if entry.depth() > 0 && (config.excluded(&rel) || is_dir && skip_dir(path)) {
                    return if is_dir { WalkState::Skip } else { WalkState::Continue };
                }
                if !is_dir {
                    if let Some(lang) = Lang::from_path(path) {
                        scan_file(&mut analyzer, path, &rel, lang, config, shared);
                    }
                }
                WalkState::Continue
            })
        });
    }
    finish(shared.into_inner().unwrap_or_else(|p| p.into_inner()))
}

fn skip_dir(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| SKIP_DIRS.contains(&n))
        || path.join("pyvenv.cfg").is_file()
}

/// `path` relative to `root`, `/`-separated (what config globs match).
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

fn scan_file(analyzer: &mut Analyzer, path: &Path, rel: &str, lang: Lang, config: &Config, shared: &Mutex<Shared>) {
    let shown = path.to_string_lossy().replace('\\', "/");
    let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
    let skip = |reason: String| lock(shared).skipped.push(Skipped { path: shown.clone(), reason });
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => return skip(format!("larger than {} bytes", MAX_FILE_BYTES)),
        Err(e) => return skip(format!("cannot read: {e}")),
        Ok(_) => {}
    }
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => return skip("not UTF-8".into()),
        Err(e) => return skip(format!("cannot read: {e}")),
    };
    let hits = match analyzer.analyze(lang, &text) {
        Ok(h) => h,
        Err(e) => return skip(format!("syntax error at line {}; file skipped", e.line)),
    };
    let suppressions = if hits.is_empty() { Default::default() } else { suppress::parse(&text) };
    let mut findings = Vec::new();
    let mut suppressed = 0;
    for hit in &hits {
        if config.disabled(&hit.rule.rule, rel) {
            continue;
        }
        if suppressions.get(&hit.line).is_some_and(|s| s.covers(&hit.rule.rule)) {
            suppressed += 1;
            continue;
        }
        findings.push(to_finding(hit, &shown, &text, lang));
    }
    let mut s = lock(shared);
    s.findings.extend(findings);
    s.files.push(lang);
    s.lines += text.lines().count();
    s.suppressed += suppressed;
}

fn lock(m: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn finish(s: Shared) -> Scan {
    let mut findings = s.findings;
    findings.sort_by(|a, b| location_key(&a.target).cmp(&location_key(&b.target)).then(a.rule.code.cmp(&b.rule.code)));
    // One finding per problem and place: the same pattern twice in one loop is one fix.
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.fingerprint.clone(), f.evidence.location.clone())));
    let mut files: Vec<(Lang, usize)> = Vec::new();
    for lang in Lang::ALL {
        let n = s.files.iter().filter(|l| **l == lang).count();
        if n > 0 {
            files.push((lang, n));
        }
    }
    let mut skipped = s.skipped;
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Scan { findings, files, lines: s.lines, skipped, suppressed: s.suppressed }
}

/// `path:line:col` → (path, line, col) for ordering.
fn location_key(target: &str) -> (&str, usize, usize) {
    let mut parts = target.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let line = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    (parts.next().unwrap_or(target), line, col)
}
