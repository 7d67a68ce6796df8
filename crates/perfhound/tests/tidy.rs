//! Tidy: the invariants ARCHITECTURE.md promises, checked on every test run.
//!
//! - the crate dependency graph is layered (model and yaml are leaves, engines never
//!   depend on each other, report and store never depend on engines);
//! - every rule defined in the source is registered in `perfhound rules`, with a unique
//!   code and name and non-empty doc sections;
//! - `docs/rules.md` is generated from those same rules and is not stale.

use assert_cmd::Command;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where a workspace crate sits in the layering. A new crate must be given a layer here
/// (and in ARCHITECTURE.md) before the test passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    /// serde types and config values: depend on no perfhound crate.
    Leaf,
    /// Shared helpers every engine may use (SQL fingerprints, terminal text, TLS clients).
    Shared,
    /// One analysis or load engine each; never depend on each other.
    Engine,
    /// Consumers of runs (report, store): never depend on engines.
    Consumer,
    /// Adapters that feed an engine (the OTLP receiver feeds the trace engine).
    Adapter,
    /// Orchestration and the binary: may use everything.
    Top,
    /// Dev-only test servers and fixtures.
    Dev,
}

fn layer(name: &str) -> Option<Layer> {
    Some(match name {
        "perfhound-model" | "perfhound-yaml" => Layer::Leaf,
        "perfhound-sql" | "perfhound-term" | "perfhound-net" => Layer::Shared,
        "perfhound-load" | "perfhound-traces" | "perfhound-db" | "perfhound-sqlite" | "perfhound-profile"
        | "perfhound-scan" | "perfhound-cache" | "perfhound-logs" | "perfhound-demo" => Layer::Engine,
        "perfhound-report" | "perfhound-store" => Layer::Consumer,
        "perfhound-server" => Layer::Adapter,
        "perfhound-audit" | "perfhound-capacity" | "perfhound" => Layer::Top,
        "perfhound-testkit" | "perfhound-fuzz" => Layer::Dev,
        _ => return None,
    })
}

/// External crates the model may use: serde types and histogram encoding only.
const MODEL_DEPS: &[&str] = &["serde", "serde_json", "hdrhistogram", "base64", "flate2"];
const YAML_DEPS: &[&str] = &["serde", "serde-saphyr", "serde_json"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Workspace crate → its normal and build dependencies (not dev-dependencies).
fn dependency_graph() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(workspace_root())
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut graph = BTreeMap::new();
    for p in meta["packages"].as_array().unwrap() {
        let deps = p["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].as_str() != Some("dev"))
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect();
        graph.insert(p["name"].as_str().unwrap().to_string(), deps);
    }
    graph
}

/// The reason `from → to` breaks the layering, if it does.
fn violation(from: &str, from_layer: Layer, to: &str, to_layer: Layer) -> Option<String> {
    use Layer::*;
    let allowed = match from_layer {
        Leaf => false,
        Shared => matches!(to_layer, Leaf | Shared),
        Engine => matches!(to_layer, Leaf | Shared),
        Consumer => matches!(to_layer, Leaf | Shared),
        Adapter => matches!(to_layer, Leaf | Shared | Engine | Consumer),
        Top => to_layer != Dev,
        Dev => matches!(to_layer, Leaf | Shared),
    };
    (!allowed).then(|| format!("{from} ({from_layer:?}) must not depend on {to} ({to_layer:?})"))
}

#[test]
fn crate_layering_holds() {
    let graph = dependency_graph();
    let mut problems = Vec::new();
    for (name, deps) in &graph {
        let Some(from_layer) = layer(name) else {
            problems.push(format!(
                "{name}: new crate without a layer: add it to `layer()` in tidy.rs and to ARCHITECTURE.md"
            ));
            continue;
        };
        for dep in deps.iter().filter(|d| graph.contains_key(*d)) {
            let to_layer = layer(dep).unwrap_or(Layer::Top);
            problems.extend(violation(name, from_layer, dep, to_layer));
        }
    }
    let leaf_rules = [("perfhound-model", MODEL_DEPS), ("perfhound-yaml", YAML_DEPS)];
    for (leaf, allowed) in leaf_rules {
        for dep in graph.get(leaf).into_iter().flatten() {
            if !allowed.contains(&dep.as_str()) {
                problems.push(format!("{leaf} must stay a leaf: {dep} is not in its allowed list {allowed:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "dependency invariants broken:\n  {}", problems.join("\n  "));
}

#[test]
fn layering_rejects_an_engine_depending_on_an_engine() {
    assert!(violation("perfhound-traces", Layer::Engine, "perfhound-db", Layer::Engine).is_some());
    assert!(violation("perfhound-report", Layer::Consumer, "perfhound-load", Layer::Engine).is_some());
    assert!(violation("perfhound-model", Layer::Leaf, "perfhound-sql", Layer::Shared).is_some());
    assert!(violation("perfhound-audit", Layer::Top, "perfhound-db", Layer::Engine).is_none());
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `code: "PH-…"` literal in a crate's `src/` (rule constants are the only place
/// that writes one).
fn rule_codes_in_source() -> BTreeMap<String, PathBuf> {
    let mut files = Vec::new();
    for krate in std::fs::read_dir(workspace_root().join("crates")).unwrap().flatten() {
        let src = krate.path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let mut codes = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("code: \"PH-") {
            let rest = &text[at + "code: \"".len()..];
            let code = &rest[..rest.find('"').unwrap()];
            codes.insert(code.to_string(), file.clone());
        }
    }
    codes
}

fn registered_rules() -> Vec<serde_json::Value> {
    let out = Command::cargo_bin("perfhound").unwrap().args(["rules", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
}

#[test]
fn every_rule_is_registered_unique_and_documented() {
    let rules = registered_rules();
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in &rules {
        let code = r["code"].as_str().unwrap();
        let name = r["name"].as_str().unwrap();
        assert!(codes.insert(code.to_string()), "rule code {code} registered twice");
        // One problem may have a rule per backend (PH-DB001 and PH-SQLITE001 are both
        // `missing-index`); within one area a name means one rule.
        let area = code.trim_end_matches(|c: char| c.is_ascii_digit());
        assert!(names.insert((area.to_string(), name.to_string())), "rule name {name} registered twice in {area}");
        let is_code = code.starts_with("PH-")
            && code[3..].trim_end_matches(|c: char| c.is_ascii_digit()).chars().all(|c| c.is_ascii_uppercase())
            && code.ends_with(|c: char| c.is_ascii_digit());
        assert!(is_code, "{code}: codes look like PH-AREA123");
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{code}: name {name:?} must be kebab-case"
        );
        for section in ["summary", "why", "fix"] {
            let text = r[section].as_str().unwrap_or("");
            assert!(text.trim().len() >= 10, "{code}: doc section `{section}` is missing or too short");
        }
    }
    let unregistered: Vec<_> = rule_codes_in_source().into_iter().filter(|(code, _)| !codes.contains(code)).collect();
    assert!(
        unregistered.is_empty(),
        "rules defined but not registered in `perfhound rules` (add them to their engine's rule list): {unregistered:?}"
    );
}

#[test]
fn rules_reference_is_generated_and_fresh() {
    let out = Command::cargo_bin("perfhound").unwrap().args(["rules", "--format", "md"]).output().unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = workspace_root().join("docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -p perfhound -- rules --format md > docs/rules.md`"
    );
}
