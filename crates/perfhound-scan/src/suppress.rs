//! Suppression comments: `# perfhound: ignore[PH-SCAN001, query-in-loop]` (Python) and
//! `// perfhound-ignore query-in-loop` (JavaScript/TypeScript). Without a rule list, every
//! rule is suppressed. A comment at the end of a line applies to that line; a comment
//! alone on its line applies to the next line as well.

use perfhound_model::Rule;
use std::collections::HashMap;

/// Which rules are suppressed on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Suppressed {
    All,
    Rules(Vec<String>),
}

impl Suppressed {
    pub fn covers(&self, rule: &Rule) -> bool {
        match self {
            Suppressed::All => true,
            Suppressed::Rules(names) => names.iter().any(|n| n.eq_ignore_ascii_case(rule.code) || n == rule.name),
        }
    }
}

/// Line (1-based) → suppression, for every suppression comment in `text`.
pub fn parse(text: &str) -> HashMap<usize, Suppressed> {
    let mut out = HashMap::new();
    if memchr_perfhound(text).is_none() {
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        let Some(s) = parse_line(line) else { continue };
        let own_line = line.trim_start().starts_with('#') || line.trim_start().starts_with("//");
        if own_line {
            out.insert(i + 2, s.clone());
        }
        out.insert(i + 1, s);
    }
    out
}

fn memchr_perfhound(text: &str) -> Option<usize> {
    text.find("perfhound")
}

/// The suppression a single line carries, if any.
pub fn parse_line(line: &str) -> Option<Suppressed> {
    if let Some(at) = line.find("# perfhound: ignore") {
        let rest = &line[at + "# perfhound: ignore".len()..];
        return Some(match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((list, _)) => names(list.split(',')),
            None if rest.starts_with('[') => return None,
            None => Suppressed::All,
        });
    }
    let at = line.find("// perfhound-ignore")?;
    let rest = &line[at + "// perfhound-ignore".len()..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t', ':'])) {
        return None;
    }
    let rest = rest.trim_start_matches(':');
    Some(names(rest.split(|c: char| c == ',' || c.is_whitespace())))
}

fn names<'a>(parts: impl Iterator<Item = &'a str>) -> Suppressed {
    let v: Vec<String> = parts.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
    if v.is_empty() {
        Suppressed::All
    } else {
        Suppressed::Rules(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse_line("x = 1  # perfhound: ignore"), Some(Suppressed::All));
        assert_eq!(
            parse_line("q()  # perfhound: ignore[PH-SCAN001, query-in-loop]"),
            Some(Suppressed::Rules(vec!["PH-SCAN001".into(), "query-in-loop".into()]))
        );
        assert_eq!(parse_line("# perfhound: ignore[unclosed"), None);
        assert_eq!(
            parse_line("f() // perfhound-ignore query-in-loop"),
            Some(Suppressed::Rules(vec!["query-in-loop".into()]))
        );
        assert_eq!(parse_line("f() // perfhound-ignore"), Some(Suppressed::All));
        assert_eq!(parse_line("f() // perfhound-ignored"), None);
        assert_eq!(parse_line("plain line"), None);
    }

    #[test]
    fn own_line_comment_covers_the_next_line() {
        let map = parse("a()\n# perfhound: ignore\nb()\nc()  # perfhound: ignore[x]\nd()\n");
        assert_eq!(map.get(&2), Some(&Suppressed::All));
        assert_eq!(map.get(&3), Some(&Suppressed::All));
        assert!(map.contains_key(&4) && !map.contains_key(&5));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,200}") {
            let _ = parse(&s);
        }
    }
}
