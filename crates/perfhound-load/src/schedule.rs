//! Schedule math: when the i-th arrival is due, and how many VUs a ramp wants.
//!
//! Rates and VU counts are piecewise-linear functions of time. Arrivals are the points
//! where the integral of the rate crosses an integer: arrival `i` is due at the `t` where
//! `∫₀ᵗ rate = i`. That closed form is what lets every worker compute its own share of a
//! schedule (`i ≡ w mod W`) with no coordination, and lets accounting count exactly how
//! many iterations were due by any instant.

use crate::plan::Stage;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
struct Segment {
    start_s: f64,
    len_s: f64,
    from: f64,
    to: f64,
    /// Cumulative integral (arrivals) at `start_s`.
    before: f64,
}

impl Segment {
    fn integral_at(&self, x: f64) -> f64 {
        let slope = if self.len_s > 0.0 { (self.to - self.from) / self.len_s } else { 0.0 };
        self.before + self.from * x + 0.5 * slope * x * x
    }
}

/// A piecewise-linear shape over time (arrivals/s or VUs).
#[derive(Clone, Debug)]
pub struct Shape {
    segments: Vec<Segment>,
    end_s: f64,
}

impl Shape {
    /// Constant `value` for `duration`.
    pub fn constant(value: f64, duration: Duration) -> Shape {
        Shape::ramp(value, &[Stage { duration, target: value }])
    }

    /// Starts at `start`, then moves linearly to each stage's target over its duration.
    pub fn ramp(start: f64, stages: &[Stage]) -> Shape {
        let mut segments = Vec::with_capacity(stages.len());
        let (mut t, mut from, mut before) = (0.0, start, 0.0);
        for stage in stages {
            let len_s = stage.duration.as_secs_f64();
            let seg = Segment { start_s: t, len_s, from, to: stage.target, before };
            before = seg.integral_at(len_s);
            segments.push(seg);
            t += len_s;
            from = stage.target;
        }
        Shape { segments, end_s: t }
    }

    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.end_s)
    }

    /// The shape's value at `t_s` seconds (0 after the end).
    pub fn value_at(&self, t_s: f64) -> f64 {
        for seg in &self.segments {
            if t_s < seg.start_s + seg.len_s {
                let x = (t_s - seg.start_s).max(0.0);
                let frac = if seg.len_s > 0.0 { x / seg.len_s } else { 1.0 };
                return seg.from + (seg.to - seg.from) * frac;
            }
        }
        0.0
    }

    /// Arrivals due in `[0, t_s)`: the number of indices `i` with `time_of(i) < t_s`.
    pub fn arrivals_before(&self, t_s: f64) -> u64 {
        let t = t_s.min(self.end_s);
        if t <= 0.0 {
            return 0;
        }
        let integral = self.integral_at(t);
        // i is due before t iff i < integral; tolerate float noise at exact integers.
        let n = (integral - 1e-9).ceil();
        if n <= 0.0 {
            0
        } else {
            n as u64
        }
    }

    /// Total arrivals of the whole shape.
    pub fn total_arrivals(&self) -> u64 {
        self.arrivals_before(self.end_s)
    }

    fn integral_at(&self, t_s: f64) -> f64 {
        let mut last = 0.0;
        for seg in &self.segments {
            if t_s <= seg.start_s + seg.len_s {
                return seg.integral_at(t_s - seg.start_s);
            }
            last = seg.integral_at(seg.len_s);
        }
        last
    }

    /// When arrival `index` is due, in seconds from the start; `None` past the end.
    pub fn time_of(&self, index: u64) -> Option<f64> {
        let target = index as f64;
        for seg in &self.segments {
            let after = seg.integral_at(seg.len_s);
            if target >= after || seg.len_s <= 0.0 {
                continue;
            }
            let x = solve_offset(seg, target - seg.before)?;
            let t = seg.start_s + x.clamp(0.0, seg.len_s);
            return (t < self.end_s).then_some(t);
        }
        None
    }

    /// The earliest time `>= now_s` at which the shape's value reaches `level`,
    /// or `None` if it never does before the end.
    pub fn first_time_at_least(&self, level: f64, now_s: f64) -> Option<f64> {
        for seg in &self.segments {
            let seg_end = seg.start_s + seg.len_s;
            if seg_end <= now_s {
                continue;
            }
            let x0 = (now_s - seg.start_s).max(0.0);
            let at_x0 = seg.from + (seg.to - seg.from) * if seg.len_s > 0.0 { x0 / seg.len_s } else { 1.0 };
            if at_x0 >= level {
                return Some(seg.start_s + x0);
            }
            if seg.to >= level && seg.to > seg.from {
                let x = (level - seg.from) / (seg.to - seg.from) * seg.len_s;
                return Some(seg.start_s + x.max(x0));
            }
        }
        None
    }
}

/// Solves `from·x + slope/2·x² = need` for the smallest x ≥ 0.
fn solve_offset(seg: &Segment, need: f64) -> Option<f64> {
    let slope = (seg.to - seg.from) / seg.len_s;
    let (a, b, c) = (0.5 * slope, seg.from, -need);
    if a.abs() < 1e-12 {
        return (b > 0.0).then(|| need / b);
    }
    let disc = b * b - 4.0 * a * c;
    if disc < 0.0 {
        return None;
    }
    let sq = disc.sqrt();
    // Numerically stable root selection.
    let x = if b >= 0.0 { (2.0 * c) / (-b - sq) } else { (-b + sq) / (2.0 * a) };
    (x.is_finite() && x >= -1e-9).then_some(x.max(0.0))
}

/// How many of the first `n` indices belong to worker `w` of `workers` (`i ≡ w mod W`).
pub fn share_of(n: u64, w: u64, workers: u64) -> u64 {
    if n <= w {
        0
    } else {
        (n - w).div_ceil(workers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn constant_rate_spaces_arrivals_evenly() {
        let s = Shape::constant(10.0, secs(1.0));
        assert_eq!(s.total_arrivals(), 10);
        assert_eq!(s.time_of(0), Some(0.0));
        assert!((s.time_of(3).unwrap() - 0.3).abs() < 1e-9);
        assert_eq!(s.time_of(10), None);
        assert_eq!(s.arrivals_before(0.35), 4);
    }

    #[test]
    fn ramp_integrates_to_the_area() {
        // 0 → 100/s over 10 s: 500 arrivals; then 100/s for 5 s: 500 more.
        let s = Shape::ramp(
            0.0,
            &[Stage { duration: secs(10.0), target: 100.0 }, Stage { duration: secs(5.0), target: 100.0 }],
        );
        assert_eq!(s.total_arrivals(), 1000);
        for i in [1, 10, 499, 500, 999] {
            let t = s.time_of(i).unwrap();
            assert_eq!(s.arrivals_before(t + 1e-6), i + 1, "index {i} at {t}");
        }
        // Arrivals get denser as the rate grows.
        let gap_early = s.time_of(2).unwrap() - s.time_of(1).unwrap();
        let gap_late = s.time_of(401).unwrap() - s.time_of(400).unwrap();
        assert!(gap_early > gap_late);
    }

    #[test]
    fn zero_rate_stage_produces_nothing() {
        let s =
            Shape::ramp(0.0, &[Stage { duration: secs(2.0), target: 0.0 }, Stage { duration: secs(1.0), target: 0.0 }]);
        assert_eq!(s.total_arrivals(), 0);
        assert_eq!(s.time_of(0), None);
    }

    #[test]
    fn worker_shares_add_up() {
        for n in 0..50 {
            let total: u64 = (0..4).map(|w| share_of(n, w, 4)).sum();
            assert_eq!(total, n);
        }
    }

    #[test]
    fn vu_ramp_activation_times() {
        // 0 → 10 VUs over 10 s: VU level 5 is reached at 5 s.
        let s = Shape::ramp(
            0.0,
            &[Stage { duration: secs(10.0), target: 10.0 }, Stage { duration: secs(10.0), target: 0.0 }],
        );
        assert!((s.first_time_at_least(5.0, 0.0).unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(s.first_time_at_least(5.0, 7.0), Some(7.0));
        assert_eq!(s.first_time_at_least(11.0, 0.0), None);
        assert!((s.value_at(15.0) - 5.0).abs() < 1e-9);
    }
}
