//! The HTML report parsed with an HTML parser: structure, self-containment, CSP, escaping.

mod common;

use base64::Engine as _;
use perfhound_report::render;
use perfhound_report::render::html::{SCRIPT, SCRIPT_SHA256, STYLE, STYLE_SHA256};
use scraper::{ElementRef, Html, Selector};
use sha2::{Digest, Sha256};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn page(run: perfhound_model::Run) -> Html {
    Html::parse_document(&render::html::render(&common::fixture_report(run)))
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&sel(css)).count()
}

#[test]
fn csp_hashes_match_the_inline_blocks() {
    let hash =
        |text: &str| format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text)));
    assert_eq!(hash(STYLE), STYLE_SHA256, "update STYLE_SHA256 in render/html/assets.rs");
    assert_eq!(hash(SCRIPT), SCRIPT_SHA256, "update SCRIPT_SHA256 in render/html/assets.rs");
}

#[test]
fn has_every_section_of_the_seed_report() {
    let doc = page(common::fixture_run());
    for id in ["summary", "metrics", "charts", "resources", "budgets", "bottlenecks", "recommendations", "before-after"]
    {
        assert_eq!(count(&doc, &format!("section#{id}")), 1, "section #{id}");
    }
    assert_eq!(count(&doc, "span.status[data-status=critical]"), 1);
    assert_eq!(count(&doc, "table#targets > tbody > tr"), 4, "overall and 3 endpoints: the service's own");
    assert_eq!(count(&doc, "h3#sql"), 1, "SQL statements have their own section");
    assert_eq!(count(&doc, "table#sql-table > tbody > tr"), 1, "1 query");
    assert_eq!(count(&doc, "article.finding"), 4);
    let first = doc.select(&sel("article.finding h3")).next().unwrap().text().collect::<String>();
    assert!(first.starts_with("1. N+1 queries"), "{first}");
    assert!(count(&doc, "article.finding pre[data-lang=python] code") >= 2, "current and optimized code");
    let horizons: Vec<String> = doc.select(&sel("#recommendations h3")).map(|h| h.text().collect()).collect();
    assert_eq!(
        horizons,
        ["Immediate Actions (Quick Wins)", "Medium-term Improvements", "Long-term Architectural Changes"]
    );
    assert!(count(&doc, "#before-after tr.improvement") > 0, "the after run is faster");
    assert!(count(&doc, "#budgets td.fail") > 0 && count(&doc, "#budgets td.pass") > 0);
}

#[test]
fn charts_are_inline_svg_with_data_points() {
    let doc = page(common::fixture_run());
    assert_eq!(count(&doc, "figure svg.chart"), 3, "latency over time, throughput, distribution");
    for figure in ["latency-time", "throughput-time", "distribution"] {
        let lines: Vec<ElementRef> = doc.select(&sel(&format!("figure.{figure} polyline.series"))).collect();
        assert!(!lines.is_empty(), "{figure} has series");
        for line in lines {
            let n: usize = line.value().attr("data-points").unwrap().parse().unwrap();
            let points = line.value().attr("points").unwrap().split_whitespace().count();
            assert!(n > 0 && n == points, "{figure}: data-points {n}, points {points}");
        }
    }
    let time_points: usize = doc
        .select(&sel("figure.latency-time polyline"))
        .next()
        .unwrap()
        .value()
        .attr("data-points")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(time_points, 60, "one point per second of the run");
    assert!(count(&doc, "figure.distribution polyline.dashed") > 0, "baseline distribution drawn dashed");
}

#[test]
fn is_self_contained_and_works_without_network() {
    let doc = page(common::fixture_run());
    assert_eq!(count(&doc, "script"), 1);
    assert_eq!(count(&doc, "script[src], link, img, iframe, object, embed"), 0);
    let csp = doc.select(&sel("meta[http-equiv=Content-Security-Policy]")).next().unwrap();
    assert!(csp.value().attr("content").unwrap().starts_with("default-src 'none'"));
    assert!(STYLE.contains("@media (prefers-color-scheme:dark)"), "dark mode");
    assert!(STYLE.contains("@media print"), "print rules");
    for a in doc.select(&sel("a[href]")) {
        assert!(a.value().attr("href").unwrap().starts_with('#'), "only in-page links");
    }
}

#[test]
fn hostile_strings_render_as_text() {
    let html = render::html::render(&common::fixture_report(common::hostile_run()));
    let doc = Html::parse_document(&html);
    assert_eq!(count(&doc, "script"), 1, "only perfhound's own script");
    assert_eq!(count(&doc, "img"), 0);
    let any = sel("*");
    assert!(
        doc.select(&any).all(|e| e.value().attrs().all(|(name, _)| !name.starts_with("on"))),
        "no event handler attribute"
    );
    let title: String = doc.select(&sel("head > title")).next().unwrap().text().collect();
    assert_eq!(title, "Performance Analysis Report");
    let codes: Vec<String> = doc.select(&sel("table#targets code")).map(|c| c.text().collect()).collect();
    assert!(codes.iter().any(|c| c == common::HOSTILE_SCRIPT), "{codes:?}");
    assert!(codes.iter().any(|c| c == common::HOSTILE_IMG), "{codes:?}");
    let legend: String = doc.select(&sel("svg text.legend")).flat_map(|t| t.text()).collect();
    assert!(legend.contains("<script>"), "chart labels escaped, shown as text: {legend}");
}

/// The complexity and CPU profile sections: a log–log chart with the measured points and the
/// fit, a hotspot table; every input-derived string (target, parameter, function, location,
/// capture description) rendered as text.
#[test]
fn complexity_and_profile_sections_plot_and_escape() {
    use perfhound_model::{ComplexityFit, ComplexityPoint};
    let mut run = common::hostile_run();
    let points = [(100, 4_000), (200, 16_500), (400, 64_000), (800, 260_000)]
        .map(|(n, median_us)| ComplexityPoint { n, median_us, samples: 7 })
        .to_vec();
    run.complexity.push(ComplexityFit {
        target: common::HOSTILE_SCRIPT.into(),
        parameter: common::HOSTILE_IMG.into(),
        exponent: 2.0,
        exponent_low: 1.9,
        exponent_high: 2.1,
        coefficient_us: 0.4,
        class: "quadratic".into(),
        points,
    });
    let mut report = common::fixture_report(run);
    report.profile = Some(perfhound_report::ProfileView {
        description: common::HOSTILE_SCRIPT.into(),
        hotspots: vec![perfhound_report::ProfileHotspot {
            function: common::HOSTILE_SCRIPT.into(),
            location: Some(common::HOSTILE_IMG.into()),
            self_share: 0.8,
            total_share: 0.9,
        }],
        flame_svg: None,
        diff_svg: None,
    });
    let doc = Html::parse_document(&render::html::render(&report));
    assert_eq!(count(&doc, "script"), 1, "only perfhound's own script");
    assert_eq!(count(&doc, "img"), 0);
    assert_eq!(count(&doc, "section#complexity svg polyline[data-series='measured'][data-points='4']"), 1);
    assert_eq!(count(&doc, "section#complexity svg polyline[data-series='fit'][data-points='2']"), 1);
    assert_eq!(count(&doc, "section#complexity svg circle"), 4);
    let caption: String = doc.select(&sel("section#complexity figcaption")).flat_map(|t| t.text()).collect();
    assert!(
        caption.starts_with("<script>") && caption.ends_with(": time grows as n^2.0 (95 % CI 1.9–2.1): quadratic"),
        "{caption}"
    );
    let cells: Vec<String> = doc.select(&sel("section#profile td")).map(|c| c.text().collect()).collect();
    assert_eq!(cells, [common::HOSTILE_SCRIPT, common::HOSTILE_IMG, "80%", "90%"]);
    let md = render::markdown::render(&report);
    assert!(md.contains("## Empirical Complexity") && md.contains("## CPU Profile"), "{md}");
    assert!(md.contains("**&lt;script&gt;document.title="), "the headline as escaped text: {md}");
    assert!(md.contains(&format!("| `{}` |", common::HOSTILE_SCRIPT)), "a function in a code span: {md}");
}
