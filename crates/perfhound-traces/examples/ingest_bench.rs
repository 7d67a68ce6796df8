//! Runs what `perfhound traces FILE…` runs (ingest, assembly, detectors, the Run), without
//! the CLI and with the binary's allocator, so the trace engine can be timed and profiled
//! on its own:
//!
//! ```text
//! cargo build --release -p perfhound-traces --example ingest_bench
//! /usr/bin/time -v target/release/examples/ingest_bench traces.jsonl
//! perf record -g target/release/examples/ingest_bench traces.jsonl
//! ```

use perfhound_traces::{analyze_inputs, to_run, Config, Engine, Input, RunMeta};

/// The allocator of the `perfhound` binary, so the numbers are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let inputs: Vec<Input> = std::env::args()
        .skip(1)
        .map(|path| {
            let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
            Input { name: path, reader: Box::new(file) }
        })
        .collect();
    let mut engine = Engine::new(Config::default());
    let (reports, assembler) = analyze_inputs(&mut engine, inputs, None);
    let run = to_run(&engine, RunMeta::default(), &assembler.stats, &reports);
    let errors: usize = reports.iter().map(|r| r.errors.len()).sum();
    println!("spans {} findings {} errors {errors}", engine.counters.spans, run.findings.len());
}
