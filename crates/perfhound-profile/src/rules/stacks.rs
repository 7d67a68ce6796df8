//! What the rules share: frame patterns across runtimes, the share of the profile whose
//! stacks pass through a set of frames (and who called into them), and the finding they
//! build from that evidence.

use crate::hotspots::{hotspots, Hotspot};
use crate::profile::{Function, Profile, Unit};
use perfhound_model::{Effort, Finding, Rule, Severity};
use std::collections::HashMap;

/// A set of frames recognised by function name or source file, across runtimes.
///
/// Name patterns: `exact`, `prefix*`, `*suffix`, `*contains*`. File patterns match a
/// substring of the frame's file (`/json/encoder.py`), or its start without the `/`.
pub struct Frames {
    pub names: &'static [&'static str],
    pub files: &'static [&'static str],
    /// Functions by name in one file only (a file pattern as in `files`, then names).
    pub in_files: &'static [(&'static str, &'static [&'static str])],
    /// Library frames that lead into the set without being part of it (a lock's `lock()`
    /// fast path): skipped when looking for the caller, not counted.
    pub via: &'static [&'static str],
}

impl Frames {
    /// Whether `f` is one of the frames. A Python module body (`<module>`) is importing
    /// the file, not running what it defines, so file patterns skip it.
    pub fn matches(&self, f: &Function) -> bool {
        let file = f.file.as_deref();
        self.names.iter().any(|p| pattern(p, &f.name))
            || f.name != "<module>" && file.is_some_and(|file| self.files.iter().any(|p| file_matches(p, file)))
            || file.is_some_and(|file| {
                self.in_files.iter().any(|(p, names)| file_matches(p, file) && names.contains(&f.name.as_str()))
            })
    }
}

/// `/json/encoder.py` matches any path containing it, and also `json/encoder.py` itself:
/// py-spy's raw output shortens paths to the part below `sys.path`.
fn file_matches(pattern: &str, file: &str) -> bool {
    file.contains(pattern) || pattern.strip_prefix('/').is_some_and(|p| file.starts_with(p))
}

fn pattern(p: &str, name: &str) -> bool {
    match (p.strip_prefix('*'), p.strip_suffix('*')) {
        (Some(rest), Some(_)) => name.contains(&rest[..rest.len().saturating_sub(1)]),
        (Some(suffix), None) => name.ends_with(suffix),
        (None, Some(prefix)) => name.starts_with(prefix),
        (None, None) => name == p,
    }
}

/// The profile with its hotspots, computed once for every rule.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub hotspots: Vec<Hotspot>,
}

impl<'a> Context<'a> {
    pub fn new(profile: &'a Profile) -> Self {
        Context { profile, hotspots: hotspots(profile) }
    }

    /// The share of weight whose stacks pass through `frames`, the matched functions and
    /// the callers that entered them (the frame just below the outermost match).
    pub fn through(&self, frames: &Frames) -> Through {
        let p = self.profile;
        let matched: Vec<bool> = (0..p.function_count()).map(|i| frames.matches(p.function(i as u32))).collect();
        let mut t = Through::default();
        for (stack, w) in p.stacks() {
            let stack: Vec<u32> = stack.collect();
            let Some(first) = stack.iter().position(|&f| matched[f as usize]) else { continue };
            t.weight += w;
            let mut seen: Vec<u32> = stack[first..].iter().copied().filter(|&f| matched[f as usize]).collect();
            seen.sort_unstable();
            seen.dedup();
            for f in seen {
                *t.frames.entry(f).or_default() += w;
            }
            let via = |f: &u32| frames.via.iter().any(|v| pattern(v, &p.function(*f).name));
            if let Some(&caller) = stack[..first].iter().rev().find(|f| !via(f)) {
                *t.callers.entry(caller).or_default() += w;
            }
        }
        t.share = if p.total() == 0 { 0.0 } else { t.weight as f64 / p.total() as f64 };
        t
    }

    /// `name (file:line)` of a function.
    pub fn describe(&self, id: u32) -> String {
        let f = self.profile.function(id);
        match (&f.file, f.line) {
            (Some(file), Some(l)) => format!("{} ({file}:{l})", f.name),
            (Some(file), None) => format!("{} ({file})", f.name),
            _ => f.name.clone(),
        }
    }

    fn share(&self, w: u64) -> String {
        format!("{:.1} %", w as f64 * 100.0 / self.profile.total().max(1) as f64)
    }

    /// `a (f.py:1) 40.0 %, b 10.0 %` for the heaviest `n` of `weights`.
    pub fn ranked(&self, weights: &HashMap<u32, u64>, n: usize) -> Vec<(u32, String)> {
        let mut v: Vec<(u32, u64)> = weights.iter().map(|(&f, &w)| (f, w)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().take(n).map(|(f, w)| (f, format!("{} {}", self.describe(f), self.share(w)))).collect()
    }
}

/// Stacks through a set of frames.
#[derive(Default)]
pub struct Through {
    pub weight: u64,
    pub share: f64,
    /// Matched function → weight of the stacks through it.
    pub frames: HashMap<u32, u64>,
    /// Function that called into the set → weight.
    pub callers: HashMap<u32, u64>,
}

/// A category rule's thresholds and words.
pub struct Category {
    pub rule: &'static Rule,
    pub frames: Frames,
    /// What the frames do, for the title: `JSON serialization`.
    pub what: &'static str,
    pub min_share: f64,
    pub critical_share: f64,
    pub effort: Effort,
}

impl Category {
    /// One finding when the stacks through the category's frames reach `min_share`.
    pub fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let t = cx.through(&self.frames);
        if t.weight == 0 || t.share < self.min_share {
            return Vec::new();
        }
        let frames = cx.ranked(&t.frames, 5);
        let callers = cx.ranked(&t.callers, 3);
        let entry = callers.first().or(frames.first()).map(|(f, _)| *f).unwrap_or(0);
        let names: Vec<&str> = frames.iter().take(3).map(|(f, _)| cx.profile.function(*f).name.as_str()).collect();
        let mut title = format!("{} takes {:.0} % of the profile ({})", self.what, t.share * 100.0, names.join(", "));
        if let Some((c, _)) = callers.first() {
            title += &format!(", called from {}", cx.profile.function(*c).name);
        }
        let mut f = finding(cx, self.rule, entry, title, t.share, t.weight);
        f.severity = if t.share >= self.critical_share { Severity::Critical } else { self.rule.severity };
        f.evidence
            .notes
            .push(format!("frames: {}", frames.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join(", ")));
        if !callers.is_empty() {
            f.evidence
                .notes
                .push(format!("called from: {}", callers.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join(", ")));
        }
        f.recommendation.effort = Some(self.effort);
        vec![f]
    }
}

/// A finding about function `target` holding `share` (`weight`) of the profile.
pub fn finding(cx: &Context<'_>, rule: &Rule, target: u32, title: String, share: f64, weight: u64) -> Finding {
    let p = cx.profile;
    let mut f = Finding::new(rule, cx.describe(target), title);
    let func = p.function(target);
    f.evidence.location = func.file.as_ref().map(|file| match func.line {
        Some(l) => format!("{file}:{l} ({})", func.name),
        None => format!("{file} ({})", func.name),
    });
    f.evidence.location.get_or_insert_with(|| format!("({})", func.name));
    match p.unit() {
        Unit::Samples => {
            f.evidence.counts.insert("samples".into(), weight);
            f.evidence.counts.insert("profile_samples".into(), p.total());
        }
        Unit::Nanoseconds => {
            f.evidence.durations_us.insert("time".into(), weight / 1000);
            f.evidence.durations_us.insert("profile_time".into(), p.total() / 1000);
        }
        Unit::Bytes => {
            f.evidence.sizes_bytes.insert("allocated".into(), weight);
            f.evidence.sizes_bytes.insert("profile_allocated".into(), p.total());
        }
    }
    f.impact.share_of_total = Some((share * 1e4).round() / 1e4);
    f
}
