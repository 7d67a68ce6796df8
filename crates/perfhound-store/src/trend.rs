//! A metric's series with its change points, and the regressions among them — what
//! `history --metric`, `history --regressions` and the dashboard's trend charts show.

use crate::changepoint::{self, ChangePoint, Config};
use crate::record::{Filter, Point};
use crate::store::{Store, StoreError};
use perfhound_model::Metric;

/// The latency metrics whose change points are checked for regressions.
pub const REGRESSION_METRICS: [Metric; 3] = [Metric::P50, Metric::P95, Metric::P99];

/// One target's series of one metric and where it moved.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Trend {
    pub target: String,
    pub metric: &'static str,
    pub points: Vec<Point>,
    pub change_points: Vec<ChangePoint>,
}

/// A change point that made a metric worse, named by the run and commit where it began.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Regression {
    pub target: String,
    pub metric: &'static str,
    /// The first run after the change.
    pub run_id: String,
    pub git_commit: String,
    pub started_at: String,
    #[serde(flatten)]
    pub change: ChangePoint,
}

/// `target`'s `metric` across the runs of `filter`, with change points.
pub fn trend(store: &mut Store, target: &str, metric: Metric, filter: &Filter) -> Result<Trend, StoreError> {
    let points = store.series(target, metric, filter)?;
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let change_points = changepoint::detect(&values, &Config::default());
    Ok(Trend { target: target.to_string(), metric: metric.as_str(), points, change_points })
}

/// Every regression of the latency metrics over the targets of `filter`'s runs,
/// the largest change first.
pub fn regressions(store: &mut Store, filter: &Filter) -> Result<Vec<Regression>, StoreError> {
    let mut out = Vec::new();
    for metric in REGRESSION_METRICS {
        for target in store.series_targets(metric, filter)? {
            let t = trend(store, &target, metric, filter)?;
            out.extend(worse(&t, metric));
        }
    }
    out.sort_by(|a, b| b.change.change.total_cmp(&a.change.change));
    Ok(out)
}

fn worse(t: &Trend, metric: Metric) -> Vec<Regression> {
    let higher_is_worse = !metric.higher_is_better();
    t.change_points
        .iter()
        .filter(|c| (c.change > 0.0) == higher_is_worse)
        .map(|c| {
            let p = &t.points[c.index];
            Regression {
                target: t.target.clone(),
                metric: t.metric,
                run_id: p.run_id.clone(),
                git_commit: p.git_commit.clone(),
                started_at: p.started_at.clone(),
                change: c.clone(),
            }
        })
        .collect()
}
