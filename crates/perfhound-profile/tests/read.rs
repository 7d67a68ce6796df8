//! Reading folded stacks and `perf script` text into hotspots, and rejecting bad input
//! with the line and what was expected.

use perfhound_profile::{hotspots, read, Format, Hotspot, Profile};

fn check(input: &str) -> (Format, Profile) {
    let mut p = Profile::default();
    let format = read(input.as_bytes(), &mut p).expect("profile reads");
    (format, p)
}

fn error(input: &[u8]) -> String {
    read(input, &mut Profile::default()).expect_err("input is rejected").to_string()
}

fn find<'a>(hs: &'a [Hotspot], name: &str) -> &'a Hotspot {
    hs.iter().find(|h| h.function == name).unwrap_or_else(|| panic!("{name} in {hs:?}"))
}

#[test]
fn py_spy_raw_puts_the_planted_hot_function_first_with_its_file() {
    let (format, p) = check(include_str!("fixtures/pyspy-raw.folded"));
    assert_eq!(format, Format::Folded);
    let hs = hotspots(&p);
    assert_eq!(hs[0].function, "find_similar");
    assert_eq!(hs[0].location().as_deref(), Some("recs.py:12"));
    assert_eq!((hs[0].self_weight, p.total()), (850, 1000));
    let handle = find(&hs, "handle");
    assert_eq!((handle.self_weight, handle.total_weight), (50, 1000));
    assert!((find(&hs, "dumps").total_share - 0.10).abs() < 1e-9);
}

#[test]
fn perf_script_samples_become_stacks_rooted_at_the_command() {
    let (format, p) = check(include_str!("fixtures/python.perf"));
    assert_eq!(format, Format::PerfScript);
    let hs = hotspots(&p);
    assert_eq!((hs[0].function.as_str(), hs[0].self_weight), ("find_similar", 2));
    assert_eq!(find(&hs, "[libc.so.6]").self_weight, 1);
    assert_eq!(find(&hs, "python3").total_weight, 3);
    assert_eq!(find(&hs, "main").self_weight, 0);
}

#[test]
fn a_real_perf_recording_shows_the_quadratic_function_on_top() {
    let (format, p) = check(include_str!("fixtures/hot-rust.perf"));
    assert_eq!(format, Format::PerfScript);
    assert_eq!(p.total(), 136);
    let hs = hotspots(&p);
    assert_eq!(hs[0].function, "hot::find_similar");
    assert!(hs[0].self_share > 0.7, "{:?}", hs[0]);
    let handle = find(&hs, "hot::handle");
    assert!(handle.total_share >= hs[0].self_share, "{handle:?}");
}

#[test]
fn recursion_counts_once_in_total_time() {
    let (_, p) = check("main;fib;fib;fib 4\nmain;other 1\n");
    let hs = hotspots(&p);
    let fib = find(&hs, "fib");
    assert_eq!((fib.self_weight, fib.total_weight), (4, 4));
    assert!((fib.total_share - 0.8).abs() < 1e-9);
}

#[test]
fn py_spy_samples_without_python_frames_are_skipped() {
    let (_, p) = check("main;work 3\n 2\n");
    assert_eq!((p.total(), p.stack_count()), (3, 1));
}

#[test]
fn a_folded_line_without_a_count_names_its_line() {
    let e = error(b"main;work 3\nmain;work\n");
    assert!(e.starts_with("line 2: "), "{e}");
    assert!(e.contains("expected a folded stack"), "{e}");
}

#[test]
fn a_perf_frame_before_any_header_is_rejected() {
    let e = error(b"python3 1 [0] 1.0: 1 cycles:\n\tzz main (/bin/x)\n");
    assert!(e.starts_with("line 2: expected a hexadecimal address"), "{e}");
}

#[test]
fn formats_not_read_yet_get_a_clear_message() {
    assert!(error(b"{\"x\": []}").contains("JSON"));
    assert!(error(&[0x0a, 0x09]).contains("pprof"));
    assert!(error(b"\n\n").contains("empty"));
}

#[test]
fn input_text_never_carries_control_characters_out() {
    let e = error(b"main;w \x1b[31mred\n");
    assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
    let (_, p) = check("main;evil\x1b[2J 1\n");
    assert!(hotspots(&p).iter().all(|h| !h.function.chars().any(char::is_control)));
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
        let mut p = Profile::default();
        let _ = read(&bytes[..], &mut p);
        let total: u64 = hotspots(&p).iter().map(|h| h.self_weight).sum();
        proptest::prop_assert_eq!(total, p.total());
    }
}
