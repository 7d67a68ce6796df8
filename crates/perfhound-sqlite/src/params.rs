//! Placeholders as SQLite numbers them: `?`, `?NNN`, `:name`, `@name`, `$name` (and so
//! `$1`). [`number`] rewrites every one to the explicit `?N` SQLite would give it, so the
//! parsed statement says which bind slot each comparison uses and values can be bound by
//! index. The scanner follows SQLite's tokenizer for strings, quoted identifiers
//! (`"…"`, `` `…` ``, `[…]`) and comments, and never fails.

/// A statement with explicit `?N` placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Numbered {
    pub text: String,
    /// Highest slot number (SQLite's `sqlite3_bind_parameter_count`).
    pub slots: usize,
}

fn is_id_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// End of the quoted token starting at `i` (closing quote doubled to escape, except `]`).
fn skip_quoted(s: &[u8], i: usize, close: u8) -> usize {
    let mut j = i + 1;
    while j < s.len() {
        if s[j] == close {
            if close != b']' && s.get(j + 1) == Some(&close) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    s.len()
}

/// Rewrites the placeholders of `sql` to `?N`.
pub fn number(sql: &str) -> Numbered {
    let s = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut names: Vec<(String, usize)> = Vec::new();
    let mut max = 0usize;
    let (mut i, mut copied) = (0usize, 0usize);
    while i < s.len() {
        let b = s[i];
        let next = s.get(i + 1).copied();
        let end = match b {
            b'\'' | b'"' | b'`' => skip_quoted(s, i, b),
            b'[' => skip_quoted(s, i, b']'),
            b'-' if next == Some(b'-') => s[i..].iter().position(|&c| c == b'\n').map_or(s.len(), |p| i + p),
            b'/' if next == Some(b'*') => sql[i + 2..].find("*/").map_or(s.len(), |p| i + 2 + p + 2),
            b'?' => {
                let digits = s[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                let slot = match sql[i + 1..i + 1 + digits].parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => max + 1,
                };
                max = max.max(slot);
                out.push_str(&sql[copied..i]);
                out.push_str(&format!("?{slot}"));
                copied = i + 1 + digits;
                copied
            }
            b':' | b'@' | b'$' if next.is_some_and(is_id_char) => {
                let len = s[i + 1..].iter().take_while(|&&c| is_id_char(c)).count();
                let name = &sql[i..i + 1 + len];
                let slot = match names.iter().find(|(n, _)| n == name) {
                    Some((_, slot)) => *slot,
                    None => {
                        max += 1;
                        names.push((name.to_string(), max));
                        max
                    }
                };
                out.push_str(&sql[copied..i]);
                out.push_str(&format!("?{slot}"));
                copied = i + 1 + len;
                copied
            }
            b if is_id_start(b) => i + s[i..].iter().take_while(|&&c| is_id_char(c)).count(),
            b if b.is_ascii_digit() => i + s[i..].iter().take_while(|&&c| is_id_char(c) || c == b'.').count(),
            _ => i + 1,
        };
        i = end.max(i + 1);
    }
    out.push_str(&sql[copied.min(sql.len())..]);
    Numbered { text: out, slots: max }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_like_sqlite() {
        let n = number("SELECT * FROM t WHERE a = ? AND b = ?5 AND c = ? AND d = :x AND e = :x AND f = $1 AND g = @y");
        assert_eq!(
            n.text,
            "SELECT * FROM t WHERE a = ?1 AND b = ?5 AND c = ?6 AND d = ?7 AND e = ?7 AND f = ?8 AND g = ?9"
        );
        assert_eq!(n.slots, 9);
    }

    #[test]
    fn strings_identifiers_and_comments_are_not_placeholders() {
        let sql = "SELECT '?', \"a?\", [b:c], `d$e`, x$y -- ? :z\n/* ?1 */ FROM t WHERE a = $1 AND b = 'it''s ?'";
        let n = number(sql);
        assert_eq!(n.slots, 1);
        assert_eq!(n.text, sql.replace("a = $1", "a = ?1"));
        assert_eq!(number("SELECT 1").text, "SELECT 1");
        assert_eq!(number("SELECT '").slots, 0, "unterminated input never fails");
        assert_eq!(number("SELECT ?").text, "SELECT ?1");
    }
}
