//! CSV data files (`perfhound_load::data::DataSource::parse`), arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = perfhound_load::data::DataSource::parse(Path::new("f.csv"), data) {
        // `flexible(false)`: every row has exactly as many fields as the header.
        assert!(src.rows.iter().all(|r| r.len() == src.columns.len()));
    }
});
