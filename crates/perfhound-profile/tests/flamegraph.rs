//! Flame graphs: the SVG's frames, escaping and CSP hashes; the differential graph and
//! movers on a planted change; and the graph in headless Chromium (Debian's `chromium`):
//! standalone, inside a page whose CSP allows the script by hash, and with the script
//! blocked, where every frame must still be drawn with its label.

use perfhound_profile::{
    diff_flamegraph_svg, flamegraph_svg, movers, read, FlameOptions, Profile, FLAME_SCRIPT, FLAME_SCRIPT_SHA256,
    FLAME_STYLE, FLAME_STYLE_SHA256,
};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

fn profile(text: &str) -> Profile {
    let mut p = Profile::default();
    read(text.as_bytes(), &mut p).expect("profile reads");
    p
}

fn frame<'a>(svg: &'a str, name: &str) -> &'a str {
    let start = svg.find(&format!("<title>{name}\n")).unwrap_or_else(|| panic!("no frame {name} in {svg}"));
    let end = start + svg[start..].find("</g>").unwrap();
    &svg[start..end]
}

fn hash(text: &str) -> String {
    use base64::Engine;
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())))
}

#[test]
fn csp_hashes_match_the_script_and_style() {
    assert_eq!(FLAME_SCRIPT_SHA256, hash(FLAME_SCRIPT), "update FLAME_SCRIPT_SHA256");
    assert_eq!(FLAME_STYLE_SHA256, hash(FLAME_STYLE), "update FLAME_STYLE_SHA256");
}

#[test]
fn frames_are_as_wide_as_their_weight_and_names_are_escaped() {
    let p = profile("main;<module>;work 75\nmain;idle 25\n");
    let svg = flamegraph_svg(&p, &FlameOptions { title: "t & <b>".into(), ..Default::default() });
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">t &amp; &lt;b&gt;</text>"));
    assert_eq!(svg.matches("<g class=\"f\"").count(), 5, "all, main, <module>, work, idle");
    let module = frame(&svg, "&lt;module&gt;");
    assert!(module.contains("75 samples (75.00 %)") && module.contains("width=\"885.00\""), "{module}");
    assert!(frame(&svg, "idle").contains("width=\"295.00\""));
    assert!(svg.contains("<script><![CDATA[") && !svg.contains("<script>(function"));
}

#[test]
fn the_diff_graph_and_movers_show_the_planted_change() {
    let before = profile("main;handle;find_similar 50\nmain;handle;encode 50\n");
    let after = profile("main;handle;find_similar 240\nmain;handle;encode 60\n");
    let svg = diff_flamegraph_svg(&before, &after, &FlameOptions::default());
    let grew = frame(&svg, "find_similar");
    assert!(
        grew.contains("before 50.00 % → after 80.00 % (+30.00 pts)") && grew.contains("fill=\"rgb(225,60,50)\""),
        "{grew}"
    );
    let shrank = frame(&svg, "encode");
    assert!(shrank.contains("(-30.00 pts)") && shrank.contains("fill=\"rgb(50,100,225)\""), "{shrank}");
    assert!(frame(&svg, "handle").contains("fill=\"rgb(220,220,220)\""), "unchanged share is grey");
    let ms = movers(&before, &after);
    let mut top: Vec<(&str, f64)> =
        ms[..2].iter().map(|m| (m.function.as_str(), (m.self_change * 100.0).round())).collect();
    top.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(top, [("encode", -30.0), ("find_similar", 30.0)]);
    assert!(ms[2..].iter().all(|m| m.self_change.abs() < 1e-9), "{ms:?}");
}

fn chromium(dir: &Path, url: &str) -> String {
    let out = Command::new("/usr/bin/chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", dir.join("chromium").display()))
        .args(["--dump-dom", url])
        .output()
        .unwrap_or_else(|e| {
            panic!("/usr/bin/chromium could not start ({e}); run ./test.sh (it installs Debian's chromium)")
        });
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("Uncaught")).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page(svg: &str, script_hash: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         script-src '{script_hash}'; style-src '{FLAME_STYLE_SHA256}'\"></head><body>{svg}</body></html>"
    )
}

#[test]
fn in_chromium_search_works_standalone_and_under_a_strict_csp_and_frames_show_without_script() {
    let dir = tempfile::tempdir().unwrap();
    let p = profile(include_str!("fixtures/pyspy-raw.folded"));
    let svg = flamegraph_svg(&p, &FlameOptions::default());
    let file = dir.path().join("flame.svg");
    std::fs::write(&file, &svg).unwrap();
    let dom = chromium(dir.path(), &format!("file://{}?s=^find_sim", file.display()));
    assert!(dom.contains("data-ready=\"1\"") && dom.contains("data-matched=\"850\""), "{}", &dom[..600.min(dom.len())]);

    let allowed = dir.path().join("allowed.html");
    std::fs::write(&allowed, page(&svg, FLAME_SCRIPT_SHA256)).unwrap();
    let dom = chromium(dir.path(), &format!("file://{}?s=dumps", allowed.display()));
    assert!(
        dom.contains("data-ready=\"1\"") && dom.contains("data-matched=\"100\""),
        "the CSP allowed the script by hash"
    );

    let blocked = dir.path().join("blocked.html");
    std::fs::write(&blocked, page(&svg, "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).unwrap();
    let dom = chromium(dir.path(), &format!("file://{}?s=dumps", blocked.display()));
    assert!(!dom.contains("data-ready=\"1\""), "the CSP blocked the script");
    assert_eq!(dom.matches("<g class=\"f\"").count(), svg.matches("<g class=\"f\"").count());
    assert!(dom.contains(">find_similar</text>"), "labels are drawn without script");
}
