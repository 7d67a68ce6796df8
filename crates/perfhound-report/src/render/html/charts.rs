//! Hand-written inline SVG charts: latency and throughput over time, and the latency
//! percentile distribution on a logarithmic "HdrHistogram plot" axis.
//!
//! Every chart is an `<svg class="chart">` with a `<title>`, grid lines with labels and
//! one `<polyline class="series">` per series carrying `data-points`, so it reads without
//! JavaScript, prints, and tests can count what was drawn.

use super::super::escape::html as esc;
use crate::report::{Distribution, LoadInfo};
use std::fmt::Write as _;

const W: f64 = 760.0;
const H: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 36.0;
/// Space above the plot per legend row.
const LEGEND_ROW: f64 = 18.0;
const BOTTOM: f64 = 34.0;
/// Marker circles are drawn only for short series.
const MAX_MARKERS: usize = 120;

/// One line of a chart: `(x, y)` in data units.
struct Series {
    label: String,
    class: &'static str,
    dashed: bool,
    points: Vec<(f64, f64)>,
}

struct Frame {
    /// Top of the plot area (below the legend).
    top: f64,
    x_max: f64,
    y_max: f64,
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        LEFT + (W - LEFT - RIGHT) * if self.x_max > 0.0 { v / self.x_max } else { 0.0 }
    }
    fn y(&self, v: f64) -> f64 {
        H - BOTTOM - (H - self.top - BOTTOM) * if self.y_max > 0.0 { v / self.y_max } else { 0.0 }
    }
}

/// p50 and p99 per second, in ms.
pub fn latency_over_time(load: &LoadInfo) -> String {
    let ms = |us: u64| us as f64 / 1000.0;
    let series = [
        Series {
            label: "p50".into(),
            class: "c1",
            dashed: false,
            points: load.series.iter().map(|s| (f64::from(s.t_s), ms(s.p50_us))).collect(),
        },
        Series {
            label: "p99".into(),
            class: "c2",
            dashed: false,
            points: load.series.iter().map(|s| (f64::from(s.t_s), ms(s.p99_us))).collect(),
        },
    ];
    let x_ticks = time_ticks(&series);
    chart("Latency over time (ms)", &series, &x_ticks, ms_label)
}

/// Requests and errors per second.
pub fn throughput_over_time(load: &LoadInfo) -> String {
    let series = [
        Series {
            label: "requests/s".into(),
            class: "c1",
            dashed: false,
            points: load.series.iter().map(|s| (f64::from(s.t_s), s.requests as f64)).collect(),
        },
        Series {
            label: "errors/s".into(),
            class: "c2",
            dashed: false,
            points: load.series.iter().map(|s| (f64::from(s.t_s), s.errors as f64)).collect(),
        },
    ];
    let x_ticks = time_ticks(&series);
    chart("Throughput and errors over time (per second)", &series, &x_ticks, |v| format!("{v}"))
}

/// Latency by percentile; x is `log10(1 / (1 - p))`, so 90%, 99%, 99.9% are equally spaced.
pub fn distribution(dists: &[Distribution]) -> String {
    let x_of = |p: f64| (1.0 / (1.0 - (p / 100.0).min(0.99999))).log10();
    let mut series = Vec::new();
    let classes = ["c1", "c3", "c4", "c5", "c6", "c2"];
    for (d, class) in dists.iter().zip(classes) {
        let pts = |points: &[(f64, u64)]| points.iter().map(|(p, us)| (x_of(*p), *us as f64 / 1000.0)).collect();
        series.push(Series { label: d.target.clone(), class, dashed: false, points: pts(&d.points) });
        if let Some(base) = &d.baseline {
            series.push(Series { label: format!("{} (baseline)", d.target), class, dashed: true, points: pts(base) });
        }
    }
    let ticks: Vec<(f64, String)> =
        [(0.0, "0%"), (1.0, "90%"), (2.0, "99%"), (3.0, "99.9%"), (4.0, "99.99%"), (5.0, "99.999%")]
            .into_iter()
            .map(|(x, l)| (x, l.to_string()))
            .collect();
    chart("Latency by percentile (ms, HdrHistogram plot)", &series, &ticks, ms_label)
}

/// A value in ms as a duration: `26.96ms`, `1.2s`.
fn ms_label(v: f64) -> String {
    crate::human::duration_us(v * 1000.0)
}

fn time_ticks(series: &[Series]) -> Vec<(f64, String)> {
    let max = series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).fold(0.0, f64::max);
    nice_ticks(max).into_iter().map(|t| (t, format!("{t}s"))).collect()
}

fn chart(title: &str, series: &[Series], x_ticks: &[(f64, String)], y_label: impl Fn(f64) -> String) -> String {
    marked_chart(title, series, x_ticks, y_label, &[])
}

/// Latency (p50, p99) against offered load for a capacity search's steps, with the knee
/// and the max sustainable rate marked by vertical lines.
pub fn scalability(c: &perfhound_model::CapacitySection) -> String {
    use perfhound_model::StepPhase;
    let mut steps: Vec<&perfhound_model::CapacityStep> =
        c.steps.iter().filter(|s| matches!(s.phase, StepPhase::Ramp | StepPhase::Refine)).collect();
    steps.sort_by(|a, b| a.offered_rps.total_cmp(&b.offered_rps));
    let line = |label: &str, class, f: &dyn Fn(&perfhound_model::CapacityStep) -> u64| Series {
        label: label.into(),
        class,
        dashed: false,
        points: steps.iter().map(|s| (s.offered_rps, f(s) as f64 / 1000.0)).collect(),
    };
    let series = [line("p50", "c1", &|s| s.latency_us_p50), line("p99", "c2", &|s| s.latency_us_p99)];
    let max_x = steps.last().map_or(1.0, |s| s.offered_rps);
    let x_ticks: Vec<(f64, String)> = nice_ticks(max_x).into_iter().map(|t| (t, crate::human::rate(t))).collect();
    let mut marks = Vec::new();
    if let Some(k) = c.knee_rps {
        marks.push((k, format!("knee {}", crate::human::rate(k))));
    }
    if let Some(m) = c.max_sustainable_offered_rps {
        marks.push((m, format!("max under SLO {}", crate::human::rate(m))));
    }
    marked_chart("Latency against offered load (ms)", &series, &x_ticks, ms_label, &marks)
}

fn marked_chart(
    title: &str,
    series: &[Series],
    x_ticks: &[(f64, String)],
    y_label: impl Fn(f64) -> String,
    marks: &[(f64, String)],
) -> String {
    let y_data_max = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let y_ticks = nice_ticks(y_data_max);
    let x_max = x_ticks
        .last()
        .map_or(1.0, |t| t.0)
        .max(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).fold(0.0, f64::max));
    let top = 12.0 + LEGEND_ROW * legend_layout(series).last().map_or(1.0, |p| p.1 + 1.0);
    let frame =
        Frame { top, x_max: if x_max > 0.0 { x_max } else { 1.0 }, y_max: y_ticks.last().copied().unwrap_or(1.0) };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title)
    );
    for t in &y_ticks {
        let y = frame.y(*t);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            esc(&y_label(*t))
        );
    }
    for (x, label) in x_ticks {
        let px = frame.x(*x);
        let _ = write!(
            svg,
            r#"<text class="axis" x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            H - BOTTOM + 16.0,
            esc(label)
        );
    }
    for s in series {
        draw_series(&mut svg, &frame, s, &y_label);
    }
    for (i, (x, label)) in marks.iter().enumerate() {
        let px = frame.x(*x);
        let _ = write!(
            svg,
            r#"<line class="mark" data-mark="{}" x1="{px:.1}" x2="{px:.1}" y1="{:.1}" y2="{:.1}" stroke="gray" stroke-dasharray="4 3"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            esc(label),
            frame.top,
            H - BOTTOM,
            px - 4.0,
            frame.top + 12.0 + 14.0 * i as f64,
            esc(label)
        );
    }
    legend(&mut svg, series);
    svg.push_str("</svg>");
    svg
}

fn draw_series(svg: &mut String, frame: &Frame, s: &Series, y_label: &dyn Fn(f64) -> String) {
    let points: Vec<String> = s.points.iter().map(|(x, y)| format!("{:.1},{:.1}", frame.x(*x), frame.y(*y))).collect();
    let dashed = if s.dashed { " dashed" } else { "" };
    let _ = write!(
        svg,
        r#"<polyline class="series {}{dashed}" data-series="{}" data-points="{}" points="{}"/>"#,
        s.class,
        esc(&s.label),
        points.len(),
        points.join(" ")
    );
    if s.points.len() <= MAX_MARKERS {
        for (x, y) in &s.points {
            let _ = write!(
                svg,
                r#"<circle class="{}" cx="{:.1}" cy="{:.1}" r="2.5"><title>{}: {}</title></circle>"#,
                s.class,
                frame.x(*x),
                frame.y(*y),
                esc(&s.label),
                esc(&y_label(round3(*y)))
            );
        }
    }
}

/// `(x, row)` of each legend entry: entries flow left to right and wrap.
fn legend_layout(series: &[Series]) -> Vec<(f64, f64)> {
    let (mut x, mut row) = (LEFT, 0.0);
    let mut out = Vec::new();
    for s in series {
        let width = legend_width(s);
        if x + width > W - RIGHT && x > LEFT {
            (x, row) = (LEFT, row + 1.0);
        }
        out.push((x, row));
        x += width;
    }
    out
}

fn legend_label(s: &Series) -> String {
    s.label.chars().take(32).collect()
}

fn legend_width(s: &Series) -> f64 {
    28.0 + 7.0 * legend_label(s).chars().count() as f64
}

fn legend(svg: &mut String, series: &[Series]) {
    for (s, (x, row)) in series.iter().zip(legend_layout(series)) {
        let y = 10.0 + row * LEGEND_ROW;
        let dash = if s.dashed { " dashed" } else { "" };
        let _ = write!(
            svg,
            r#"<line class="series {}{dash}" x1="{x:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            s.class,
            x + 14.0,
            x + 18.0,
            y + 4.0,
            esc(&legend_label(s))
        );
    }
}

/// 0 and 4–6 round steps covering `max`.
fn nice_ticks(max: f64) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| round3(i as f64 * step)).collect()
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_max() {
        assert_eq!(nice_ticks(9.6), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_ticks(0.0), vec![0.0, 1.0]);
        assert!(*nice_ticks(1234.0).last().unwrap() >= 1234.0);
    }
}
