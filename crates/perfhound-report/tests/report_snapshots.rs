//! Markdown and JSON of the fixture report, as insta snapshots; Markdown stays inert with
//! hostile input (rendered by a CommonMark renderer that passes raw HTML through).

mod common;

use common::fixture_report;
use perfhound_report::render;
use scraper::{Html, Selector};

#[test]
fn markdown_snapshot() {
    let md = render::markdown::render(&fixture_report(common::fixture_run()));
    insta::assert_snapshot!("report_md", md);
}

#[test]
fn json_snapshot() {
    let report = fixture_report(common::fixture_run());
    let json: serde_json::Value = serde_json::from_str(&render::json(&report)).unwrap();
    insta::assert_json_snapshot!("report_json", json);
}

#[test]
fn report_judgements_follow_the_documented_rules() {
    let report = fixture_report(common::fixture_run());
    let s = &report.summary;
    assert_eq!(serde_json::to_value(s.status).unwrap(), "critical", "a critical finding makes the run critical");
    assert_eq!(s.key_bottlenecks, 3);
    // n+1: 400ms × 1800 requests over the total measured time; missing index: 12% given.
    let first = &report.bottlenecks[0];
    assert_eq!(first.finding.rule.code, "PH-TRACE001", "ranked by estimated share");
    assert!(first.share.unwrap() > 0.12, "{:?}", first.share);
    assert_eq!(report.bottlenecks[1].finding.rule.code, "PH-DB001");
    let potential = s.potential_improvement.unwrap();
    assert!((potential - (first.share.unwrap() + 0.12)).abs() < 1e-9, "sum of shares: {potential}");
    let c = report.comparison.as_ref().unwrap();
    assert_eq!(c.new_findings.len(), 1, "missing-index is new");
    assert_eq!(c.resolved_findings.len(), 1, "serial calls were fixed");
    assert!(c.improvements > 0, "the after run is faster: {c:?}");
    let horizons: Vec<usize> = report.recommendations.iter().map(|g| g.items.len()).collect();
    assert_eq!(horizons, [1, 2, 1], "quick win: index; medium: n+1, compression; long: quadratic loop");
}

#[test]
fn markdown_with_hostile_strings_renders_no_html_elements() {
    let md = render::markdown::render(&fixture_report(common::hostile_run()));
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
    let doc = Html::parse_fragment(&html);
    for tag in ["script", "img", "iframe", "svg"] {
        let found = doc.select(&Selector::parse(tag).unwrap()).count();
        assert_eq!(found, 0, "<{tag}> got through Markdown escaping:\n{html}");
    }
    let any = Selector::parse("*").unwrap();
    assert!(doc.select(&any).all(|e| e.value().attrs().all(|(name, _)| !name.starts_with("on"))));
    let text: String = doc.root_element().text().collect();
    assert!(text.contains(common::HOSTILE_SCRIPT), "the hostile name is shown as text");
    assert!(text.contains(common::HOSTILE_IMG), "the hostile name is shown as text");
}

#[test]
fn runs_without_load_or_targets_still_report() {
    let mut run = common::fixture_run();
    run.targets.clear();
    run.load = None;
    run.resources = None;
    run.budget_results.clear();
    run.sources =
        vec![perfhound_model::Source { kind: perfhound_model::SourceKind::Traces, description: "traces.json".into() }];
    let report = perfhound_report::build_report(&perfhound_report::RunSet::new(vec![run]), &Default::default());
    assert!(report.summary.headline.is_none());
    assert_eq!(report.bottlenecks.len(), 4, "findings are ranked without measurements");
    assert_eq!(report.bottlenecks[0].finding.rule.code, "PH-DB001", "only the engine's own share is known");
    let md = render::markdown::render(&report);
    assert!(
        md.contains("_No endpoints of the service were measured._") && md.contains("## Bottleneck Analysis"),
        "{md}"
    );
    let html = render::html::render(&report);
    assert!(html.contains("No time series or latency histograms in these runs."), "{html}");
}

#[test]
fn a_server_wide_finding_is_listed_once_with_the_endpoints_it_affects() {
    const KEEP_ALIVE: perfhound_model::Rule = perfhound_model::Rule {
        code: "PH-HTTP003",
        name: "keep-alive-not-honored",
        severity: perfhound_model::Severity::Warning,
        summary: "",
        why: "",
        fix: "Keep connections open.",
    };
    let mut run = common::fixture_run();
    let mut f = perfhound_model::Finding::new(&KEEP_ALIVE, "http://127.0.0.1:8080", "server closes keep-alive");
    f.affected = vec!["GET /api/products".into(), "POST /api/orders".into()];
    run.findings.push(f);
    let report = fixture_report(run);
    assert_eq!(report.bottlenecks.iter().filter(|b| b.finding.rule.code == "PH-HTTP003").count(), 1);
    let md = render::markdown::render(&report);
    assert!(md.contains("- **Affects**: `GET /api/products`, `POST /api/orders` (2)"), "{md}");
    let html = Html::parse_document(&render::html::render(&report));
    let dd: Vec<String> =
        html.select(&Selector::parse("article.finding dd").unwrap()).map(|d| d.text().collect()).collect();
    assert!(dd.iter().any(|d| d == "GET /api/products, POST /api/orders (2)"), "{dd:?}");
}
