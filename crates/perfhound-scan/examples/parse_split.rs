//! Where a scan's CPU goes, single-threaded: ruff's parser alone, parsing and lowering into
//! perfhound's syntax tree, and parse + the one rule walk, over every `.py` file of a
//! directory (docs/benchmarks.md, "scan"); tree-sitter-python's parse time for comparison.
//! `cargo run --release -p perfhound-scan --example parse_split -- /usr/lib/python3.11`

use perfhound_scan::lang::Lang;
use perfhound_scan::Analyzer;
use std::time::Instant;

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| "/usr/lib/python3.11".into());
    let mut texts = Vec::new();
    for e in ignore::WalkBuilder::new(&root).require_git(false).build().flatten() {
        if e.path().extension().is_some_and(|x| x == "py") {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                texts.push(t);
            }
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_python::LANGUAGE.into()).unwrap();
    let t = Instant::now();
    for text in &texts {
        let _ = parser.parse(text, None);
    }
    let ts = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for text in &texts {
        let _ = ruff_python_parser::parse_module(text);
    }
    let ruff = t.elapsed().as_secs_f64();
    let mut parsers = perfhound_scan::syntax::Parsers::default();
    let t = Instant::now();
    for text in &texts {
        let _ = perfhound_scan::syntax::parse(&mut parsers, Lang::Python, text);
    }
    let parse = t.elapsed().as_secs_f64();
    let mut analyzer = Analyzer::new();
    let t = Instant::now();
    let mut hits = 0;
    for text in &texts {
        hits += analyzer.analyze(Lang::Python, text).map(|h| h.len()).unwrap_or(0);
    }
    let all = t.elapsed().as_secs_f64();
    println!(
        "{} files, {mb:.1} MB: tree-sitter parse {ts:.2}s ({:.1} MB/s); ruff parse {ruff:.2}s ({:.1} MB/s), \
         + lowering {parse:.2}s; parse+lower+rules {all:.2}s, rules {:.2}s, {hits} hits",
        texts.len(),
        mb / ts,
        mb / ruff,
        all - parse
    );
}
