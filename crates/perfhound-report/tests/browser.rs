//! End to end: the HTML report opened in headless Chromium (Debian's `chromium`).
//!
//! Asserts what a person would see: the page's script ran without console errors, the
//! charts have data points, and the injected payloads in the run never executed. A PNG
//! screenshot is written to target/test-artifacts/report.png for a person to look at.

mod common;

use perfhound_report::render;
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium(profile: &Path, args: &[&str], page: &Path) -> std::process::Output {
    let out = Command::new(CHROMIUM)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| {
            panic!("{CHROMIUM} could not start ({e}); run ./test.sh (it installs Debian's `chromium`)")
        });
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn report_opens_in_chromium_without_errors_and_injected_script_never_runs() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let mut report = common::fixture_report(common::hostile_run());
    report.title = "perfhound e2e".into();
    std::fs::write(&page, render::html::render(&report)).unwrap();

    let out = chromium(&dir.path().join("profile-dom"), &["--enable-logging=stderr", "--v=0", "--dump-dom"], &page);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");

    let dom = Html::parse_document(&String::from_utf8_lossy(&out.stdout));
    let root = dom.root_element();
    assert_eq!(root.value().attr("data-js"), Some("ready"), "the page's own script ran (CSP hash ok)");
    assert_eq!(root.value().attr("data-js-error"), None);
    assert_eq!(root.value().attr("data-pwned"), None, "injected script ran");
    let title: String = dom.select(&Selector::parse("head > title").unwrap()).flat_map(|t| t.text()).collect();
    assert_eq!(title, "perfhound e2e", "injected script changed the title");
    assert_eq!(dom.select(&Selector::parse("img").unwrap()).count(), 0, "injected <img> became an element");
    let points: usize = dom
        .select(&Selector::parse("svg.chart polyline.series").unwrap())
        .map(|p| p.value().attr("data-points").unwrap_or("0").parse::<usize>().unwrap())
        .sum();
    assert!(points > 100, "charts have data points: {points}");
    assert!(dom.select(&Selector::parse("svg.chart circle").unwrap()).count() > 0);
    let count = |css: &str| dom.select(&Selector::parse(css).unwrap()).count();
    // The hostile run names two endpoints alike, so they merge: overall and 2 endpoints.
    assert_eq!(count("table#targets > tbody > tr"), 3, "Response Times: overall and the endpoints only");
    assert_eq!(count("table#sql-table > tbody > tr"), 1, "the SQL statement has its own table");
    let cache: String = dom.select(&Selector::parse("#resources p.cache").unwrap()).flat_map(|p| p.text()).collect();
    assert!(cache.contains("application cache") && cache.contains("45%"), "{cache}");
    let gain: String = dom.select(&Selector::parse("ul.potential li").unwrap()).flat_map(|p| p.text()).collect();
    assert!(gain.contains("up to ") && gain.contains("per request"), "per-endpoint potential shown: {gain}");
    let sortable = Selector::parse("table.sortable th[data-sortable]").unwrap();
    assert!(dom.select(&sortable).count() > 0, "tables became sortable");

    let shot = artifacts_dir().join("report.png");
    let _ = std::fs::remove_file(&shot);
    let arg = format!("--screenshot={}", shot.display());
    chromium(&dir.path().join("profile-shot"), &[&arg, "--window-size=1280,2000"], &page);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.len() > 10_000 && png.starts_with(b"\x89PNG"), "a real PNG: {} bytes", png.len());
}
