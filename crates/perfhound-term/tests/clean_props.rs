//! Property tests of [`perfhound_term::clean`]: whatever the input, nothing a terminal
//! interprets survives, and text without controls passes through unchanged.

use perfhound_term::clean::{clean, clip, is_unsafe, one_line};
use proptest::prelude::*;

/// Strings mixing printable text with control characters and ANSI sequence fragments.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 /{}_.;:=-]{0,8}",
        "\\PC{0,4}",
        Just("\u{1b}[".to_string()),
        Just("\u{1b}]0;".to_string()),
        Just("\u{1b}\\".to_string()),
        Just("\u{9b}".to_string()),
        Just("\u{9d}".to_string()),
        Just("\u{7}".to_string()),
        Just("\r\n\t".to_string()),
        prop::char::range('\u{0}', '\u{a0}').prop_map(String::from),
        prop::char::range('\u{2060}', '\u{2070}').prop_map(String::from),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn no_control_character_survives(s in hostile()) {
        let out = clean(&s);
        prop_assert!(!out.chars().any(is_unsafe), "{out:?}");
        prop_assert!(!out.contains(['\u{1b}', '\r']), "{:?}", out);
    }

    #[test]
    fn clean_is_idempotent(s in hostile()) {
        let once = clean(&s).into_owned();
        prop_assert_eq!(clean(&once), once.as_str());
    }

    #[test]
    fn text_without_controls_is_unchanged(s in "\\PC*") {
        let s: String = s.chars().filter(|c| !is_unsafe(*c)).collect();
        prop_assert_eq!(clean(&s), s.as_str());
    }

    #[test]
    fn a_wrapped_sequence_leaves_exactly_the_text_around_it(
        before in "[a-zA-Z0-9 ]{0,10}",
        params in "[0-9;]{0,6}",
        end in prop::char::range('@', '~'),
        after in "[a-zA-Z0-9 ]{0,10}",
    ) {
        let s = format!("{before}\u{1b}[{params}{end}{after}");
        prop_assert_eq!(clean(&s), format!("{before}{after}"));
        let osc = format!("{before}\u{1b}]8;;{params}\u{7}{after}");
        prop_assert_eq!(clean(&osc), format!("{before}{after}"));
    }

    #[test]
    fn one_line_and_clip_stay_on_one_line(s in hostile(), max in 0usize..40) {
        prop_assert!(!one_line(&s).contains(['\n', '\t']));
        let c = clip(&s, max);
        prop_assert!(c.chars().count() <= max, "{c:?}");
        prop_assert!(!c.chars().any(|c| is_unsafe(c) || c == '\n'));
    }
}
