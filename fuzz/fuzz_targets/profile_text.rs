//! Profiles, detection and text side: `perfhound_profile::read` (gzip, format sniffing,
//! folded stacks, `perf script`), then hotspots. Nothing may panic; self weights must add
//! up to the profile's total, and no frame name may carry a control character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_profile::{hotspots, read, Profile};

fuzz_target!(|data: &[u8]| {
    let mut p = Profile::default();
    let _ = read(data, &mut p);
    let hs = hotspots(&p);
    assert_eq!(hs.iter().map(|h| h.self_weight).sum::<u64>(), p.total());
    assert!(hs.iter().all(|h| !h.function.chars().any(char::is_control)));
});
