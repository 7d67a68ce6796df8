//! Escaping for every output format. Every string that came from a run — target names,
//! URLs, SQL, file paths, finding texts — goes through one of these before it is written.

/// Text for HTML element content and double-quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Inline Markdown text (paragraphs, list items, table cells): HTML is neutralized with
/// entities, Markdown syntax characters are backslash-escaped, newlines become spaces and
/// `|` is escaped so a table cell cannot be split.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span that shows `text` literally, e.g. a target name. `|` is escaped
/// (GitHub splits table cells on it even inside code spans) and the backtick fence is
/// longer than any backtick run inside.
pub fn md_code(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = clean.replace('|', "\\|");
    let fence = "`".repeat(longest_run(&clean, '`') + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') || clean.is_empty() { " " } else { "" };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// A fenced Markdown code block; the fence is longer than any backtick run inside, and the
/// info string (language) is reduced to safe characters.
pub fn md_block(code: &str, lang: Option<&str>) -> String {
    let fence = "`".repeat(longest_run(code, '`').max(2) + 1);
    let lang: String =
        lang.unwrap_or("").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '+').collect();
    let body = code.trim_end_matches('\n');
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

/// Inline Markdown where `` `spans` `` of the text become code spans and the rest is
/// escaped text: finding titles written as ``server closes keep-alive on `GET /` ``.
pub fn md_spans(text: &str) -> String {
    spans(text, md, md_code)
}

/// The HTML counterpart of [`md_spans`]: `` `x` `` → `<code>x</code>`, everything escaped.
pub fn html_spans(text: &str) -> String {
    spans(text, html, |code| format!("<code>{}</code>", html(code)))
}

fn spans(text: &str, plain: impl Fn(&str) -> String, code: impl Fn(&str) -> String) -> String {
    if text.matches('`').count() % 2 != 0 {
        return plain(text);
    }
    text.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { code(part) } else { plain(part) }).collect()
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in text.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_stay_text() {
        assert_eq!(html("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(html("\"><img src=x onerror=alert(1)>"), "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(md("<b>|x|</b>"), "&lt;b&gt;\\|x\\|&lt;/b&gt;");
        assert_eq!(md_code("GET /a|b"), "`GET /a\\|b`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_spans("on `<b>` now"), "on `<b>` now");
        assert_eq!(html_spans("on `<b>` <i>"), "on <code>&lt;b&gt;</code> &lt;i&gt;");
        assert_eq!(md_spans("odd ` tick"), "odd \\` tick");
        assert_eq!(md_block("x ``` y", Some("sql\"><")), "````sql\nx ``` y\n````\n");
    }
}
