//! The "Empirical Complexity" section: per fitted request, the measured medians on a
//! log–log chart with the fitted line time = a·n^k, and the points as a table.
//!
//! On log–log axes a power law is a straight line whose slope is k, so a quadratic request
//! reads as a line twice as steep as a linear one. Same SVG conventions as [`super::charts`]:
//! `<svg class="chart">` with a `<title>`, grid, one `<polyline class="series">` per line
//! with `data-points`, and a circle with a tooltip per measured point.

use super::super::escape::html as esc;
use crate::human;
use perfhound_model::ComplexityFit;
use std::fmt::Write as _;

const W: f64 = 760.0;
const H: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 36.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 34.0;

/// The section, or nothing when no run carries a fit.
pub(super) fn section(out: &mut String, fits: &[ComplexityFit]) {
    if fits.is_empty() {
        return;
    }
    out.push_str("<section id=\"complexity\"><h2>Empirical Complexity</h2>\n<p>Median time per size on log–log axes: a power law time = a·n<sup>k</sup> is a straight line of slope k (0 constant, 1 linear, 2 quadratic). k is the Theil–Sen slope of the medians; its 95 % interval comes from a bootstrap over each size's samples.</p>\n");
    for f in fits {
        let _ = writeln!(
            out,
            "<figure class=\"complexity\"><figcaption>{}</figcaption>{}</figure>",
            esc(&f.headline()),
            chart(f)
        );
        table(out, f);
    }
    out.push_str("</section>\n");
}

fn table(out: &mut String, f: &ComplexityFit) {
    let _ = write!(
        out,
        "<details><summary>Measured points</summary><table><thead><tr><th class=\"num\">{}</th><th class=\"num\">Median</th><th class=\"num\">Samples</th></tr></thead><tbody>",
        esc(&f.parameter)
    );
    for p in &f.points {
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            p.n,
            esc(&human::duration_us(p.median_us as f64)),
            p.samples
        );
    }
    out.push_str("</tbody></table></details>\n");
}

/// Log10 bounds covering `values`, widened to whole decades.
fn decades(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| *v > 0.0).fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo.log10().floor(), hi.log10().ceil());
    (lo, if hi > lo { hi } else { lo + 1.0 })
}

fn chart(f: &ComplexityFit) -> String {
    let xs = decades(f.points.iter().map(|p| p.n as f64));
    let ys = decades(f.points.iter().map(|p| p.median_us.max(1) as f64));
    let px = |n: f64| LEFT + (W - LEFT - RIGHT) * (n.log10() - xs.0) / (xs.1 - xs.0);
    let py = |us: f64| H - BOTTOM - (H - TOP - BOTTOM) * (us.max(1.0).log10() - ys.0) / (ys.1 - ys.0);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(&format!("{}: time by {} (log–log)", f.target, f.parameter))
    );
    for d in ys.0 as i32..=ys.1 as i32 {
        let y = py(10f64.powi(d));
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            esc(&human::duration_us(10f64.powi(d)))
        );
    }
    for d in xs.0 as i32..=xs.1 as i32 {
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}={}</text>"#,
            px(10f64.powi(d)),
            H - BOTTOM + 16.0,
            esc(&f.parameter),
            10u64.pow(d.max(0) as u32)
        );
    }
    let measured: Vec<String> =
        f.points.iter().map(|p| format!("{:.1},{:.1}", px(p.n as f64), py(p.median_us as f64))).collect();
    let fitted: Vec<String> = [f.points.first(), f.points.last()]
        .into_iter()
        .flatten()
        .map(|p| format!("{:.1},{:.1}", px(p.n as f64), py(f.coefficient_us * (p.n as f64).powf(f.exponent))))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline class="series c1" data-series="measured" data-points="{}" points="{}"/><polyline class="series c2 dashed" data-series="fit" data-points="{}" points="{}"/>"#,
        measured.len(),
        measured.join(" "),
        fitted.len(),
        fitted.join(" ")
    );
    for p in &f.points {
        let _ = write!(
            svg,
            r#"<circle class="c1" cx="{:.1}" cy="{:.1}" r="3"><title>{}={}: {}</title></circle>"#,
            px(p.n as f64),
            py(p.median_us as f64),
            esc(&f.parameter),
            p.n,
            esc(&human::duration_us(p.median_us as f64))
        );
    }
    svg.push_str("</svg>");
    svg
}
