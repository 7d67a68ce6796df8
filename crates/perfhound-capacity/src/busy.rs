//! DB statements in flight during a step, from the DB spans' start and end times: the mean
//! (DB time per second of wall time — how many connections were running a statement on
//! average) and the most at one instant (a lower bound of the connections the service
//! has). A pool of K connections that is the limit shows a peak of K and a mean close to K.

use perfhound_model::capacity::{DbBusy, SpanGroupSample};

/// The busy connections of one step lasting `wall_s`, and the statement holding most of
/// the DB time (from the step's span groups). `None` without DB spans.
pub fn db_busy(intervals: &[(u64, u64)], wall_s: f64, groups: &[SpanGroupSample]) -> Option<DbBusy> {
    if intervals.is_empty() || wall_s <= 0.0 {
        return None;
    }
    let total_ns: u64 = intervals.iter().map(|(s, e)| e.saturating_sub(*s)).sum();
    let time = |g: &SpanGroupSample| g.calls as f64 * g.mean_us;
    let db: Vec<&SpanGroupSample> = groups.iter().filter(|g| g.kind == "db").collect();
    let all: f64 = db.iter().map(|g| time(g)).sum();
    let top = db.iter().max_by(|a, b| time(a).total_cmp(&time(b)));
    Some(DbBusy {
        mean: (total_ns as f64 / 1e9 / wall_s * 100.0).round() / 100.0,
        peak: peak(intervals),
        top_statement: top.map(|g| g.name.clone()).unwrap_or_default(),
        top_share: top.filter(|_| all > 0.0).map_or(0.0, |g| (time(g) / all * 100.0).round() / 100.0),
    })
}

/// The most intervals overlapping at one instant (an interval ending when another starts
/// does not overlap it).
pub fn peak(intervals: &[(u64, u64)]) -> u32 {
    let mut events: Vec<(u64, i32)> = intervals.iter().flat_map(|&(s, e)| [(s, 1), (e.max(s), -1)]).collect();
    events.sort_unstable();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, d) in events {
        now += d;
        most = most.max(now);
    }
    most.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_counts_overlaps_and_the_mean_is_time_per_wall_second() {
        let ms = |a: u64, b: u64| (a * 1_000_000, b * 1_000_000);
        let spans = [ms(0, 100), ms(50, 150), ms(100, 200), ms(120, 130), ms(400, 500)];
        assert_eq!(peak(&spans), 3, "50–150, 100–200 and 120–130 overlap at 120");
        assert_eq!(peak(&[ms(0, 10), ms(10, 20)]), 1, "back to back is one connection");
        let group =
            |name: &str, calls, mean_us| SpanGroupSample { kind: "db".into(), name: name.into(), calls, mean_us };
        let groups = [group("SELECT a", 3, 100_000.0), group("SELECT b", 2, 50_000.0)];
        let b = db_busy(&spans, 0.5, &groups).unwrap();
        assert_eq!((b.mean, b.peak), (0.82, 3), "410 ms of DB time in 0.5 s");
        assert_eq!((b.top_statement.as_str(), b.top_share), ("SELECT a", 0.75));
        assert!(db_busy(&[], 1.0, &groups).is_none());
    }
}
