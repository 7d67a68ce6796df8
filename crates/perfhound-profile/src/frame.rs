//! One stack frame as profilers print it: a function name and, where the profiler wrote
//! it, the source file and line (`handler (app/views.py:42)`, py-spy's form).

use serde::Serialize;

/// A frame, parsed once per distinct frame text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Frame {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Frame {
    /// Parses `name (file:line)` or `name (file)`; anything else is a bare name.
    /// Control characters become U+FFFD so frame text is safe to print.
    pub fn parse(text: &str) -> Frame {
        let text = clean(text.trim());
        if let Some(f) = v8_perf_map(&text) {
            return f;
        }
        match split_location(&text) {
            Some((name, file, line)) => Frame { name: name.to_string(), file: Some(file.to_string()), line },
            None => Frame { name: text, file: None, line: None },
        }
    }

    /// `file:line`, `file`, or nothing.
    pub fn location(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => Some(format!("{f}:{l}")),
            (Some(f), None) => Some(f.clone()),
            _ => None,
        }
    }
}

/// `name (path:line)` → (name, path, line). The path must look like a file (contain a
/// `.` or `/`), so `foo (bar)` or C++ `operator()` stay names.
fn split_location(text: &str) -> Option<(&str, &str, Option<u32>)> {
    let inner = text.strip_suffix(')')?;
    let open = inner.rfind(" (")?;
    let (name, loc) = (&inner[..open], &inner[open + 2..]);
    if name.is_empty() || loc.is_empty() {
        return None;
    }
    let (file, line) = match loc.rsplit_once(':') {
        Some((f, l)) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => (f, l.parse().ok()),
        _ => (loc, None),
    };
    let looks_like_file = file.contains('/') || file.contains('.') || file.contains('\\');
    looks_like_file.then_some((name, file, line))
}

/// Node's `--perf-basic-prof` names: `JS:*findSimilar /app/hot.js:1:21` (also
/// `LazyCompile:`/`Function:` prefixes, `*` optimized, `~` interpreted, `^` baseline).
fn v8_perf_map(text: &str) -> Option<Frame> {
    let rest =
        ["JS:", "LazyCompile:", "Function:", "InterpretedFunction:"].iter().find_map(|p| text.strip_prefix(p))?;
    let rest = rest.trim_start_matches(['*', '~', '^']);
    let (name, loc) = rest.rsplit_once(' ').unwrap_or((rest, ""));
    let mut parts = loc.rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    let (file, line) = match (file, line.and_then(|l| l.parse().ok()), col.and_then(|c| c.parse::<u32>().ok())) {
        (Some(f), Some(l), Some(_)) if !f.is_empty() => (Some(f.to_string()), Some(l)),
        _ => (None, None),
    };
    let name = if name.is_empty() { "(anonymous)" } else { name };
    Some(Frame { name: name.to_string(), file, line })
}

pub(crate) fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_spy_frame_has_file_and_line() {
        let f = Frame::parse("find_similar (app/recs.py:42)");
        assert_eq!(f.name, "find_similar");
        assert_eq!(f.location().as_deref(), Some("app/recs.py:42"));
    }

    #[test]
    fn bare_names_and_parentheses_stay_names() {
        assert_eq!(Frame::parse("main").location(), None);
        assert_eq!(Frame::parse("Foo::operator() (inlined)").name, "Foo::operator() (inlined)");
    }

    #[test]
    fn node_perf_map_names_have_file_and_line() {
        let f = Frame::parse("JS:*findSimilar /app/hot.js:1:21");
        assert_eq!((f.name.as_str(), f.location().as_deref()), ("findSimilar", Some("/app/hot.js:1")));
        assert_eq!(Frame::parse("LazyCompile:~ node:internal/main:3:9").name, "(anonymous)");
    }

    #[test]
    fn control_characters_never_survive() {
        let f = Frame::parse("evil\u{1b}[31m (x.py:1)");
        assert!(!f.name.chars().any(char::is_control), "{:?}", f.name);
    }
}
