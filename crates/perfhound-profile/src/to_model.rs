//! A profile as a model [`Run`]: one source per file read and the PH-PROF findings, so
//! `perfhound profile --out` writes a run file and the history store keeps profile runs
//! like any other command's.

use crate::profile::Profile;
use perfhound_model::{Run, Source, SourceKind};

/// What the run records besides the profile: the command line, when it started, and one
/// description per profile file read (`before: a.folded (folded)`).
#[derive(Clone, Debug, Default)]
pub struct RunMeta {
    pub command: Vec<String>,
    pub started_at: String,
    pub sources: Vec<String>,
}

/// The run of `profile`: its findings, its sources, and its weight in the last source.
pub fn to_run(profile: &Profile, meta: RunMeta) -> Run {
    let mut sources: Vec<Source> =
        meta.sources.into_iter().map(|description| Source { kind: SourceKind::Profile, description }).collect();
    if let Some(last) = sources.last_mut() {
        last.description += &format!(
            ", {}, {} distinct stacks",
            crate::flamegraph::weight(profile.unit(), profile.total()),
            profile.stack_count()
        );
    }
    Run { sources, findings: crate::findings(profile), ..Run::begun(meta.command, meta.started_at) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hot_profile_becomes_a_run_with_its_finding_and_source() {
        let mut p = Profile::default();
        let (main, hot) = (p.intern("main"), p.intern("find_similar (recs.py:12)"));
        p.add(&[main, hot], 90);
        p.add(&[main], 10);
        let meta = RunMeta { sources: vec!["app.folded (folded)".into()], ..Default::default() };
        let run = to_run(&p, meta);
        assert_eq!(run.sources.len(), 1);
        assert!(run.sources[0].description.starts_with("app.folded (folded), 100 samples"), "{:?}", run.sources);
        assert!(run.findings.iter().any(|f| f.rule.code == "PH-PROF001"), "{:?}", run.findings);
        assert!(Run::from_json(&serde_json::to_string(&run).unwrap()).is_ok());
    }
}
