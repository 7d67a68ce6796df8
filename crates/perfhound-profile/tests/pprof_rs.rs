//! A real pprof profile: pprof-rs samples this test while it burns CPU in a named
//! function, writes the protobuf (plain and gzipped, as Go serves it), and perfhound
//! must put that function on top.

use perfhound_profile::{hotspots, read, Format, Profile, Unit};
use protobuf::Message;
use std::io::Write;

#[inline(never)]
fn quadratic_hot_loop(n: u64) -> u64 {
    // Plain loops and operators: a debug build calls no helper in the inner loop.
    let (mut acc, mut a) = (0u64, 0u64);
    while a < n {
        let mut b = 0u64;
        while b < n {
            acc ^= a * 31 + b;
            b += 1;
        }
        a += 1;
    }
    acc
}

fn record() -> Vec<u8> {
    let guard = pprof::ProfilerGuardBuilder::default().frequency(1000).build().expect("profiler starts");
    let start = std::time::Instant::now();
    let mut samples = 0;
    // Bounded: stop after enough CPU samples or 20 s, whichever comes first.
    while samples < 100 && start.elapsed().as_secs() < 20 {
        std::hint::black_box(quadratic_hot_loop(3000));
        samples = guard.report().build().map(|r| r.data.values().sum::<isize>()).unwrap_or(0);
    }
    let profile = guard.report().build().expect("report").pprof().expect("pprof");
    profile.write_to_bytes().expect("encode")
}

#[test]
fn pprof_rs_profile_puts_the_burning_function_on_top_plain_and_gzipped() {
    let bytes = record();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    for input in [bytes.clone(), gz.finish().unwrap()] {
        let mut p = Profile::default();
        assert_eq!(read(&input[..], &mut p).expect("pprof reads"), Format::Pprof);
        assert!(p.total() >= 50, "{} samples", p.total());
        let hs = hotspots(&p);
        let hot = hs.iter().find(|h| h.function.ends_with("quadratic_hot_loop")).unwrap_or_else(|| panic!("{hs:#?}"));
        assert!(hot.self_share > 0.8, "{hot:?}");
        assert_eq!(hs[0].function, hot.function, "{:?}", &hs[..3]);
        assert!(matches!(p.unit(), Unit::Samples | Unit::Nanoseconds));
    }
}
