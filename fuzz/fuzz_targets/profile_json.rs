//! Profiles, JSON side: `perfhound_profile::json::read` (Chrome/Node `.cpuprofile` and
//! speedscope, sampled and evented), then hotspots. Nothing may panic; self weights must
//! add up to the profile's total.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_profile::{hotspots, json, Profile};

fuzz_target!(|data: &[u8]| {
    let mut p = Profile::default();
    let _ = json::read(data, &mut p);
    let total: u64 = hotspots(&p).iter().map(|h| h.self_weight).sum();
    assert_eq!(total, p.total());
});
