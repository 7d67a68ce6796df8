//! Profiles, pprof side: `perfhound_profile::pprof::read` on raw (decompressed) protobuf,
//! then hotspots. Nothing may panic; self weights must add up to the profile's total.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_profile::{hotspots, pprof, Profile};

fuzz_target!(|data: &[u8]| {
    let mut p = Profile::default();
    let _ = pprof::read(data, &mut p);
    let total: u64 = hotspots(&p).iter().map(|h| h.self_weight).sum();
    assert_eq!(total, p.total());
});
