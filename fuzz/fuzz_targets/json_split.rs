//! The memchr JSON array splitter (`ingest::split::for_each_element`, what reads Jaeger
//! and Zipkin files) against itself and against serde_json: the same input read whole and
//! read in small chunks of fuzzer-chosen sizes (every refill and buffer move) must give
//! the same elements, lines and error; when the input is a valid JSON array of objects,
//! the elements must be exactly serde_json's. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_traces::ingest::split;
use std::io::Read;

#[path = "../common/chunked.rs"]
mod chunked;
use chunked::Chunked;

type Outcome = (Vec<(String, u64)>, Option<String>);

fn split_all(reader: impl Read, key: Option<&str>, max: usize) -> Outcome {
    let mut out = Vec::new();
    let result = split::for_each_element(reader, key, max, |el, line| {
        out.push((el.to_string(), line));
        Ok::<(), ()>(())
    });
    (out, result.err().map(|e| format!("{e:?}")))
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, data)) = input.split_first() else { return };
    let key = (control & 1 == 1).then_some("data");
    let max = if control & 2 == 2 { 48 } else { 1 << 20 };
    let sizes: Vec<usize> = input.iter().take(4).map(|b| usize::from(b >> 2) + 1).collect();
    let whole = split_all(data, key, max);
    let chunked = split_all(Chunked { data, sizes, n: 0 }, key, max);
    assert_eq!(whole, chunked, "whole vs chunked reads differ");
    let (elements, error) = whole;
    for (el, _) in &elements {
        assert!(el.starts_with(['{', '[']) && el.ends_with(['}', ']']), "not a container: {el:?}");
    }
    // A valid top-level array of objects: exactly serde_json's elements.
    if key.is_none() && max == 1 << 20 {
        if let Ok(serde_json::Value::Array(values)) = serde_json::from_slice::<serde_json::Value>(data) {
            if values.iter().all(serde_json::Value::is_object) {
                assert_eq!(error, None, "valid array rejected");
                let parsed: Vec<serde_json::Value> =
                    elements.iter().map(|(e, _)| serde_json::from_str(e).expect("element is JSON")).collect();
                assert_eq!(parsed, values, "elements differ from serde_json's");
            }
        }
    }
});
