//! Tying a captured profile to the audit: the run's sources, the own-code findings'
//! evidence, the folded stacks written next to the report, and the report's view of it.
//!
//! **Seam**: the flame graph and the differential flame graph SVGs come from
//! perfhound-profile's renderer ([`flame_svg`], [`diff_svg`]); until that lands they are
//! `None` and the report shows the hotspot table alone.

use perfhound_model::{Run, Source, SourceKind};
use perfhound_profile::{hotspots, Profile};
use perfhound_report::{ProfileHotspot, ProfileView};
use std::fmt::Write as _;
use std::path::Path;

/// Functions listed in the report and in findings.
const TOP: usize = 10;
/// Frames named in an own-code finding's evidence.
const TOP_IN_FINDING: usize = 5;
/// The rule whose findings get the profile's top frames: time in the endpoint's own code.
const OWN_CODE_RULE: &str = "PH-TRACE017";

/// Reads a captured (or saved) profile file in any format perfhound-profile detects.
pub fn read(path: &Path) -> Result<Profile, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut profile = Profile::default();
    perfhound_profile::read(std::io::BufReader::new(file), &mut profile)
        .map_err(|e| format!("{} is not a profile perfhound reads: {e}", path.display()))?;
    if profile.total() == 0 {
        return Err(format!("{} holds no samples: was the service busy during the load?", path.display()));
    }
    Ok(profile)
}

/// Adds the profile to `run` (a source; the top frames on own-code findings) and returns
/// the report's view of it.
pub fn tie(run: &mut Run, profile: &Profile, description: &str) -> ProfileView {
    let top: Vec<ProfileHotspot> = hotspots(profile)
        .into_iter()
        .take(TOP)
        .map(|h| ProfileHotspot {
            location: h.location(),
            function: h.function.clone(),
            self_share: h.self_share,
            total_share: h.total_share,
        })
        .collect();
    let description = format!("{description}, {} samples", profile.total());
    run.sources.push(Source { kind: SourceKind::Profile, description: description.clone() });
    let note = frames_note(&top);
    for f in run.findings.iter_mut().filter(|f| f.rule.code == OWN_CODE_RULE) {
        f.evidence.notes.push(note.clone());
    }
    ProfileView { description, hotspots: top, flame_svg: flame_svg(profile), diff_svg: None }
}

/// `CPU profile of the service during the load, top functions by self time: …`.
fn frames_note(top: &[ProfileHotspot]) -> String {
    let mut s =
        String::from("CPU profile of the service during the load (whole process), top functions by self time: ");
    for (i, h) in top.iter().take(TOP_IN_FINDING).enumerate() {
        let at = h.location.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(
            s,
            "{sep}{}{at} {:.0} % self / {:.0} % total",
            h.function,
            h.self_share * 100.0,
            h.total_share * 100.0
        );
    }
    s
}

/// The profile as folded stacks (`root;…;leaf weight`, frames as `name (file:line)`), the
/// format every flame graph tool and `perfhound profile` read.
pub fn folded(profile: &Profile) -> String {
    let mut lines: Vec<String> = profile
        .stacks()
        .map(|(stack, weight)| {
            let frames: Vec<String> = stack.map(|id| frame_text(profile, id)).collect();
            format!("{} {weight}", frames.join(";"))
        })
        .collect();
    lines.sort();
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn frame_text(profile: &Profile, id: u32) -> String {
    let f = profile.function(id);
    let name = f.name.replace(';', ":");
    match (&f.file, f.line) {
        (Some(file), Some(line)) => format!("{name} ({file}:{line})"),
        (Some(file), None) => format!("{name} ({file})"),
        _ => name,
    }
}

/// Seam: the interactive flame graph of `profile` (perfhound-profile's renderer).
pub fn flame_svg(_profile: &Profile) -> Option<String> {
    None
}

/// Seam: the differential flame graph, `before` → `after`.
pub fn diff_svg(_before: &Profile, _after: &Profile) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_stacks_round_trip_and_a_baseline_finds_its_profile() {
        let text =
            "main (app.py:3);handle (app.py:9) 15\nmain (app.py:3);handle (app.py:9);find_similar (recs.py:12) 85\n";
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.folded");
        std::fs::write(&first, text).unwrap();
        let profile = read(&first).unwrap();
        assert_eq!(folded(&profile), text, "written as read, stacks sorted");
        std::fs::write(dir.path().join(crate::output::PROFILE_FILE), folded(&profile)).unwrap();
        let baseline =
            crate::output::baseline_profile(&dir.path().join("run.json")).expect("profile.folded next to run.json");
        assert_eq!(baseline.total(), 100);
        assert!(crate::output::baseline_profile(&dir.path().join("elsewhere/run.json")).is_none());
        std::fs::write(&first, "").unwrap();
        assert!(read(&first).unwrap_err().contains("first.folded"), "an empty capture names its file");
    }

    #[test]
    fn own_code_findings_get_the_top_frames() {
        let mut profile = Profile::default();
        let (a, b) = (profile.intern("handle (app.py:9)"), profile.intern("find_similar (recs.py:12)"));
        profile.add(&[a, b], 9);
        profile.add(&[a], 1);
        let mut run: Run = serde_json::from_value(serde_json::json!({"schema_version": 1, "id": "x",
            "tool": {"name": "perfhound", "version": "0"}, "started_at": "a", "ended_at": "b",
            "host": {"hostname": "h", "os": "linux", "arch": "x86_64", "cpus": 2}, "sources": [], "targets": [],
            "findings": [{"rule": {"code": "PH-TRACE017", "name": "cpu-bound-own-code"}, "severity": "warning",
                "title": "t", "target": "GET /x", "fingerprint": "f", "confidence": "high"}]}))
        .unwrap();
        let view = tie(&mut run, &profile, "py-spy record (2 s)");
        assert_eq!(view.description, "py-spy record (2 s), 10 samples");
        assert_eq!(view.hotspots[0].function, "find_similar");
        assert_eq!(run.sources.last().unwrap().kind, SourceKind::Profile);
        let note = &run.findings[0].evidence.notes[0];
        assert!(
            note.ends_with(
                "find_similar (recs.py:12) 90 % self / 90 % total, handle (app.py:9) 10 % self / 100 % total"
            ),
            "{note}"
        );
    }
}
