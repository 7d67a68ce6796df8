//! Profile findings: one snapshot per rule from a profile of the runtime it is most often
//! seen in (real py-spy and pprof-shaped fixtures, folded stacks for the rest), frame
//! recognition across Python, Node/V8, Go, Rust and the JVM, and no claim a profile does
//! not support.

use perfhound_model::Finding;
use perfhound_profile::{findings, read, rules, Profile};

fn check(input: &[u8]) -> Vec<Finding> {
    let mut p = Profile::default();
    read(input, &mut p).expect("profile reads");
    findings(&p)
}

fn codes(fs: &[Finding]) -> Vec<&str> {
    fs.iter().map(|f| f.rule.code.as_str()).collect()
}

fn snapshot(name: &str, fs: &[Finding]) {
    insta::assert_json_snapshot!(name, fs);
}

#[test]
fn hot_function_from_a_real_py_spy_profile() {
    let fs = check(include_bytes!("fixtures/pyspy.speedscope.json"));
    assert_eq!(codes(&fs), ["PH-PROF002", "PH-PROF001"], "{fs:#?}");
    assert!(fs[1].title.starts_with("find_similar holds 48 % of the profile in its own code"), "{}", fs[1].title);
    snapshot("prof001_hot_function_python", &fs[1..]);
    snapshot("prof002_serialization_python", &fs[..1]);
}

#[test]
fn serialization_in_a_go_pprof_names_encoding_json_and_its_caller() {
    let fs = check(include_bytes!("fixtures/go-handmade.pb.gz"));
    let s = fs.iter().find(|f| f.rule.code == "PH-PROF002").expect("serialization");
    assert_eq!(
        s.title,
        "JSON serialization takes 29 % of the profile (encoding/json.Marshal), called from main.handle"
    );
    snapshot("prof002_serialization_go", std::slice::from_ref(s));
}

#[test]
fn regex_compile_in_go() {
    let fs = check(include_bytes!("fixtures/rules/go-regex.folded"));
    assert_eq!(codes(&fs), ["PH-PROF001", "PH-PROF003"], "{fs:#?}");
    snapshot("prof003_regex_compile_go", &fs[1..]);
}

#[test]
fn logging_in_python() {
    let fs = check(include_bytes!("fixtures/rules/python-logging.folded"));
    let l = fs.iter().find(|f| f.rule.code == "PH-PROF004").expect("logging");
    assert!(l.title.contains("called from score"), "{}", l.title);
    snapshot("prof004_logging_python", std::slice::from_ref(l));
}

#[test]
fn allocation_in_rust() {
    let fs = check(include_bytes!("fixtures/rules/rust-alloc.folded"));
    assert_eq!(codes(&fs), ["PH-PROF001", "PH-PROF005"], "{fs:#?}");
    assert_eq!(fs[0].target, "app::build_rows", "allocator frames are not the hot function");
    snapshot("prof005_allocation_rust", &fs[1..]);
}

#[test]
fn lock_contention_and_serialization_on_the_jvm() {
    let fs = check(include_bytes!("fixtures/rules/jvm-lock.folded"));
    assert_eq!(codes(&fs), ["PH-PROF001", "PH-PROF006", "PH-PROF002"], "{fs:#?}");
    assert!(
        fs[1].title.ends_with("called from com.example.Cache.get"),
        "the lock() fast path is skipped: {}",
        fs[1].title
    );
    snapshot("prof006_lock_contention_jvm", &fs[1..2]);
}

#[test]
fn sleep_in_native_code() {
    let fs = check(include_bytes!("fixtures/rules/c-sleep.folded"));
    assert_eq!(codes(&fs), ["PH-PROF001", "PH-PROF007"], "{fs:#?}");
    assert_eq!(fs[0].target, "parse", "[libc.so.6] is no function to fix");
    snapshot("prof007_sleep_native", &fs[1..]);
}

#[test]
fn frames_are_recognised_across_runtimes() {
    let cases = [
        ("dumps (/usr/lib/python3.11/json/__init__.py:231)", "PH-PROF002"),
        ("iterencode (json/encoder.py:258)", "PH-PROF002"),
        ("Builtin:JsonStringify", "PH-PROF002"),
        ("v8::internal::JsonParser<unsigned char>::ParseJson", "PH-PROF002"),
        ("<serde_json::ser::Serializer<W> as serde::Serializer>::serialize_str", "PH-PROF002"),
        ("com.google.gson.Gson.toJson", "PH-PROF002"),
        ("_compile (/usr/lib/python3.11/re/_compiler.py:740)", "PH-PROF003"),
        ("regex::builders::Builder::build_one_string", "PH-PROF003"),
        ("java.util.regex.Pattern.compile", "PH-PROF003"),
        ("v8::internal::RegExpImpl::Compile", "PH-PROF003"),
        ("log (node:internal/console/constructor:377)", "PH-PROF004"),
        ("go.uber.org/zap.(*Logger).Info", "PH-PROF004"),
        ("ch.qos.logback.core.OutputStreamAppender.append", "PH-PROF004"),
        ("tracing_subscriber::fmt::Layer::on_event", "PH-PROF004"),
        ("(garbage collector)", "PH-PROF005"),
        ("runtime.mallocgc", "PH-PROF005"),
        ("G1ParScanThreadState::trim_queue", "PH-PROF005"),
        ("_PyObject_GC_Alloc", "PH-PROF005"),
        ("sync.(*Mutex).lockSlow", "PH-PROF006"),
        ("std::sys::sync::mutex::futex::Mutex::lock_contended", "PH-PROF006"),
        ("take_gil", "PH-PROF006"),
        ("wait (/usr/lib/python3.11/threading.py:320)", "PH-PROF006"),
        ("time.Sleep", "PH-PROF007"),
        ("java.lang.Thread.sleep", "PH-PROF007"),
        ("clock_nanosleep", "PH-PROF007"),
    ];
    for (frame, code) in cases {
        let text = format!("main;handler;{frame} 40\nmain;handler;work 60\n");
        let fs = check(text.as_bytes());
        assert!(codes(&fs).contains(&code), "{frame} → {code}: {fs:#?}");
        assert!(fs.iter().all(|f| f.rule.code == code || f.target != frame), "{frame} is left to its rule");
    }
}

#[test]
fn nothing_is_claimed_that_the_profile_does_not_show() {
    // node.cpuprofile: V8 inlines JSON.stringify into `encode`, GC is 5 %: only the hot function.
    let fs = check(include_bytes!("fixtures/node.cpuprofile"));
    assert_eq!(codes(&fs), ["PH-PROF001"], "{fs:#?}");
    assert_eq!(fs[0].target, "findSimilar (/tmp/pf/hot.js:1)");
    let flat = check(b"main;a 10\nmain;b 10\nmain;c 10\nmain;d 10\nmain;e 10\nmain;f 10\nmain;g 10\nmain;h 10\n");
    assert!(flat.is_empty(), "no function above 15 %: {flat:#?}");
    let rare = check(b"main;time.Sleep 1\nmain;work 999\n");
    assert!(!codes(&rare).contains(&"PH-PROF007"), "0.1 % sleep is below 1 %");
}

/// Calibration (docs/profile.md): a real py-spy profile of the Flask corpus app under its
/// audit load. Its one planted CPU cost, the O(n²) `similar_quadratic`, is the one finding;
/// the worker threads' `threading.py` entry frames under every stack are not lock waits,
/// and the next functions (ssl context 13 %, psycopg's socket wait 6 %) stay below 15 %.
#[test]
fn a_real_corpus_profile_finds_its_planted_loop_and_nothing_else() {
    let fs = check(include_bytes!("fixtures/rules/flask-corpus.folded.gz"));
    assert_eq!(codes(&fs), ["PH-PROF001"], "{fs:#?}");
    assert!(fs[0].title.starts_with("similar_quadratic holds "), "{}", fs[0].title);
    let waits = check(b"_bootstrap (threading.py:1002);_bootstrap_inner (threading.py:1045);run (threading.py:982);work (app.py:3) 90\n_bootstrap (threading.py:1002);wait (threading.py:320) 10\n");
    let lock = waits.iter().find(|f| f.rule.code == "PH-PROF006").expect("Condition.wait is a lock wait");
    assert_eq!(lock.impact.share_of_total, Some(0.1), "{lock:#?}");
}

#[test]
fn every_rule_has_a_snapshot_test_here() {
    let source = include_str!("rules.rs");
    for r in rules() {
        let tag = format!("\"{}_", r.code.to_lowercase().replace("ph-", ""));
        assert!(source.contains(&tag), "{} has no snapshot", r.code);
    }
}
