//! Profiling harness for the log engine: what `perfhound logs FILE --format none -o OUT`
//! does, without the CLI around it, so `perf record` on the `profiling` profile builds
//! only this crate: `analyze_log FILE [OUT.json]`.

use perfhound_logs::{Analyzer, Config, Input};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: analyze_log FILE [OUT.json]");
        std::process::exit(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open {path}: {e}");
            std::process::exit(2);
        }
    };
    let mut analyzer = Analyzer::new(Config::default(), None, Vec::new());
    analyzer.read(Input { name: path.clone(), reader: Box::new(file) });
    let analysis = analyzer.finish();
    let run = perfhound_logs::to_model::to_run(&analysis, vec!["perfhound".into(), "logs".into()], String::new());
    let json = serde_json::to_vec_pretty(&run).unwrap_or_default();
    if let Some(out) = args.next() {
        if let Err(e) = std::fs::write(&out, json) {
            eprintln!("cannot write {out}: {e}");
            std::process::exit(2);
        }
    }
    println!(
        "{} lines, {} parsed, {} endpoints",
        analysis.counts.lines,
        analysis.counts.parsed,
        analysis.endpoints.len()
    );
}
