//! The run document of one database analysis: the model's [`Run`] with one source, an
//! overall target and one target per statement, each counted in calls over the
//! statistics window.

use perfhound_model::{Extras, Finding, Measurements, Run, Source, SourceKind, Target, TargetKind};

/// What every database analysis concludes, whichever the engine: its findings, the
/// database-level measurements (cache hit ratios, sizes…), the warnings about what could
/// not be done, and when it ran. Each engine's `Analysis` adds what is its own (server,
/// statements, plans, advice, catalog).
#[derive(Debug, Default)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    pub metrics: Extras,
    pub warnings: Vec<String>,
    /// RFC 3339.
    pub started_at: String,
    pub ended_at: String,
}

/// The run document (source kind `db`) of an analysis described as `description` (e.g.
/// `app.db (SQLite 3.46.0)`).
pub fn run(description: String, command: Vec<String>, d: &Diagnosis, targets: Vec<Target>) -> Run {
    Run {
        ended_at: d.ended_at.clone(),
        sources: vec![Source { kind: SourceKind::Db, description }],
        targets,
        findings: d.findings.clone(),
        warnings: d.warnings.clone(),
        ..Run::begun(command, d.started_at.clone())
    }
}

/// A target measured in calls: `calls` requests, all ok, at `calls / window_s` per second
/// (0 without a positive window), with the engine's `extra` measurements.
pub fn counted_target(
    name: String,
    kind: TargetKind,
    group: Option<String>,
    calls: u64,
    window_s: Option<f64>,
    extra: Extras,
) -> Target {
    let rps = window_s.filter(|w| *w > 0.0).map_or(0.0, |w| calls as f64 / w);
    Target {
        name,
        kind,
        group,
        measurements: Measurements { requests: calls, ok: calls, rps, extra, ..Default::default() },
    }
}

/// Indices of the top `n` items by `key`, descending (ties keep their order).
pub fn top_by<T>(items: &[T], n: usize, key: impl Fn(&T) -> f64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by(|&a, &b| key(&items[b]).total_cmp(&key(&items[a])));
    idx.truncate(n);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_lists_are_descending_and_stable() {
        assert_eq!(top_by(&[3.0, 9.0, 3.0, 1.0], 3, |x| *x), [1, 0, 2]);
        assert_eq!(top_by::<f64>(&[], 3, |x| *x), Vec::<usize>::new());
    }

    #[test]
    fn rates_need_a_positive_window() {
        let t = |w| counted_target("q".into(), TargetKind::Query, None, 120, w, Extras::default()).measurements.rps;
        assert_eq!((t(Some(60.0)), t(Some(0.0)), t(None)), (2.0, 0.0, 0.0));
    }

    #[test]
    fn one_db_source_and_a_fresh_id() {
        let d = Diagnosis {
            warnings: vec!["w".into()],
            started_at: "a".into(),
            ended_at: "b".into(),
            ..Default::default()
        };
        let run = || run("app.db (SQLite 3)".into(), vec!["perfhound".into()], &d, Vec::new());
        let (a, b) = (run(), run());
        assert_eq!(serde_json::to_value(&a.sources[0]).unwrap()["kind"], "db");
        assert_eq!(a.warnings, ["w"]);
        assert_eq!((a.started_at.as_str(), a.ended_at.as_str()), ("a", "b"));
        assert_ne!(a.id, b.id);
        assert_eq!(a.id.len(), 32);
    }
}
