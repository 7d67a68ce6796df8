//! The JSON and protobuf formats: real py-spy speedscope and `node --cpu-prof` files
//! (fixtures/hot.py and fixtures/hot.js), pprof written by pprof-rs, and bad input named
//! by line/column or byte offset.

use perfhound_profile::{hotspots, read, Format, Hotspot, Profile, Unit};

fn check(input: &[u8]) -> (Format, Profile) {
    let mut p = Profile::default();
    let format = read(input, &mut p).expect("profile reads");
    (format, p)
}

fn error(input: &[u8]) -> String {
    read(input, &mut Profile::default()).expect_err("input is rejected").to_string()
}

fn find<'a>(hs: &'a [Hotspot], name: &str) -> &'a Hotspot {
    hs.iter().find(|h| h.function == name).unwrap_or_else(|| panic!("{name} in {hs:?}"))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn py_spy_speedscope_puts_the_quadratic_function_first_with_its_file() {
    let (format, p) = check(include_bytes!("fixtures/pyspy.speedscope.json"));
    assert_eq!((format, p.unit()), (Format::Speedscope, Unit::Nanoseconds));
    let hs = hotspots(&p);
    assert_eq!(hs[0].function, "find_similar");
    assert_eq!(hs[0].file.as_deref(), Some("/tmp/pf/hot.py"));
    assert!(hs[0].self_share > 0.4, "{:?}", hs[0]);
    assert!(find(&hs, "handle").total_share > 0.9);
    assert!(find(&hs, "iterencode").self_share > 0.3);
}

#[test]
fn node_cpuprofile_names_functions_with_one_based_lines() {
    let (format, p) = check(include_bytes!("fixtures/node.cpuprofile"));
    assert_eq!((format, p.unit()), (Format::Cpuprofile, Unit::Samples));
    let hs = hotspots(&p);
    assert_eq!((hs[0].function.as_str(), hs[0].location().as_deref()), ("findSimilar", Some("/tmp/pf/hot.js:1")));
    assert_eq!(hs[0].self_weight, 290, "from `samples`, not `hitCount`");
    assert_eq!(find(&hs, "(garbage collector)").self_weight, 19);
    assert_eq!(find(&hs, "handle").total_weight, 12 + 290 + 52);
    assert!(hs.iter().all(|h| h.function != "(root)" && h.function != "(idle)"));
}

#[test]
fn gzipped_text_and_json_read_like_the_plain_files() {
    let (format, p) = check(&gzip(include_bytes!("fixtures/node.cpuprofile")));
    assert_eq!((format, p.total()), (Format::Cpuprofile, 380));
    let (format, p) = check(&gzip(b"main;work 3\n"));
    assert_eq!((format, p.total()), (Format::Folded, 3));
}

#[test]
fn speedscope_evented_profiles_weigh_the_time_between_events() {
    let doc = br#"{"shared":{"frames":[{"name":"main"},{"name":"work","file":"w.py","line":3}]},
      "profiles":[{"type":"evented","unit":"milliseconds","startValue":0,"endValue":10,
      "events":[{"type":"O","at":0,"frame":0},{"type":"O","at":2,"frame":1},
                {"type":"C","at":9,"frame":1},{"type":"C","at":10,"frame":0}]}]}"#;
    let (format, p) = check(doc);
    assert_eq!((format, p.unit(), p.total()), (Format::Speedscope, Unit::Nanoseconds, 10_000_000));
    let hs = hotspots(&p);
    assert_eq!((hs[0].function.as_str(), hs[0].self_weight), ("work", 7_000_000));
    assert_eq!(hs[0].location().as_deref(), Some("w.py:3"));
}

#[test]
fn speedscope_sampled_weights_pair_with_their_samples() {
    let doc = br#"{"profiles":[{"type":"sampled","unit":"none","samples":[[0,1],[0,1],[0]],"weights":[1,1,5]}],
      "shared":{"frames":[{"name":"main"},{"name":"work"}]}}"#;
    let hs = hotspots(&check(doc).1);
    assert_eq!((find(&hs, "main").self_weight, find(&hs, "work").self_weight), (5, 2));
}

#[test]
fn bad_json_names_the_line_and_column() {
    let e = error(b"{\"nodes\": [\n  {\"id\": \"one\"}]}");
    assert!(e.starts_with("line 2, column "), "{e}");
    assert!(e.contains("expected a Chrome/Node .cpuprofile or a speedscope JSON file"), "{e}");
    let e = error(br#"{"profiles":[{"samples":[[0]],"weights":[1,2]}]}"#);
    assert!(e.contains("1 samples but 2 weights"), "{e}");
    let e = error(br#"{"shared":{"frames":[]},"profiles":[{"samples":[[3]],"weights":[1]}]}"#);
    assert!(e.contains("refers to frame 3, but shared.frames has 0 entries"), "{e}");
    assert!(error(b"[{\"ph\":\"X\"}]").contains("trace events"));
    assert!(error(b"{\"x\": 1}").contains("neither `nodes`"));
}

#[test]
fn a_cpuprofile_whose_tree_loops_is_rejected() {
    let doc = br#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"children":[2]},
      {"id":2,"callFrame":{"functionName":"(root)"},"children":[1]}],"samples":[1]}"#;
    assert!(error(doc).contains("the node tree has a cycle"));
}

#[test]
fn a_truncated_pprof_names_the_byte_offset() {
    let e = error(&[0x0a, 0x04, 0x08, 0x01, 0x10]);
    assert_eq!(e, "byte 2: a field of 4 bytes but only 3 remain; the file is truncated (the file is binary, so it was read as pprof protobuf)");
    assert!(error(&gzip(&[0x0a, 0x04, 0x08])).starts_with("byte 2: "));
    assert!(error(&[0x1f, 0x8b, 0x08, 0x00]).contains("gzip"));
}

proptest::proptest! {
    #[test]
    fn arbitrary_json_and_protobuf_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        for prefix in [&b""[..], b"{\"nodes\":", b"{\"profiles\":[{\"samples\":", b"\x0a"] {
            let mut input = prefix.to_vec();
            input.extend_from_slice(&bytes);
            let mut p = Profile::default();
            let _ = read(&input[..], &mut p);
            let total: u64 = hotspots(&p).iter().map(|h| h.self_weight).sum();
            proptest::prop_assert_eq!(total, p.total());
        }
    }
}

#[test]
fn go_style_pprof_reads_sample_counts_with_inlined_frames_caller_first() {
    // fixtures/mkpprof.py writes this file byte by byte, as Go lays out a CPU profile.
    let (format, p) = check(include_bytes!("fixtures/go-handmade.pb.gz"));
    assert_eq!((format, p.unit(), p.total()), (Format::Pprof, Unit::Samples, 105));
    let hs = hotspots(&p);
    assert_eq!((hs[0].function.as_str(), hs[0].self_weight), ("main.findSimilar", 70));
    assert_eq!(hs[0].location().as_deref(), Some("/app/main.go:40"));
    assert_eq!(find(&hs, "main.handle").total_weight, 100, "the inlined caller counts");
    assert_eq!(find(&hs, "[server]").self_weight, 5, "unsymbolized frames name their binary");
    assert_eq!(find(&hs, "runtime.mallocgc").location().as_deref(), Some("/usr/lib/go/src/runtime/malloc.go:1000"));
}
