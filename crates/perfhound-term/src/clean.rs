//! Control-character stripping for text that came from input.
//!
//! A span name, a SQL statement or a URL may carry bytes a terminal interprets: `ESC [2J`
//! clears the screen, `ESC ]0;…BEL` sets the window title, OSC 8 makes links whose text
//! lies about their target, `\r` overwrites what was printed before. [`clean`] removes:
//!
//! - ANSI escape sequences, whole: CSI (`ESC [` params final), OSC/DCS/SOS/PM/APC strings
//!   up to their terminator (BEL or ST), and two-character escapes (`ESC c`, `ESC ( B`);
//!   the 8-bit C1 forms (U+009B CSI, U+009D OSC, …) the same way;
//! - every other C0 control except `\n` and `\t`, DEL (U+007F) and the C1 range
//!   U+0080–U+009F;
//! - Unicode bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
//!   reorder what a reader sees ("Trojan Source").
//!
//! Everything else, including any non-ASCII text, is kept as is. [`one_line`] also turns
//! `\n`, `\t` into spaces for one-line fields; [`clip`] then truncates with `…`.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
/// C1 String Terminator (8-bit form of `ESC \`).
const ST: char = '\u{9c}';

/// `s` without control characters and escape sequences; `\n` and `\t` kept. Borrows
/// when nothing had to be removed (the common case).
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`clean`], with `\n`, `\r\n` and `\t` turned into single spaces: for a value printed
/// inside one line (a table cell, a finding title).
pub fn one_line(s: &str) -> Cow<'_, str> {
    match clean(s) {
        Cow::Borrowed(b) if !b.contains(['\n', '\t']) => Cow::Borrowed(b),
        c => Cow::Owned(c.replace(['\n', '\t'], " ")),
    }
}

/// [`one_line`], cut to at most `max` characters; a cut text ends in `…` (counted).
pub fn clip(s: &str, max: usize) -> String {
    let line = one_line(s);
    match line.char_indices().nth(max) {
        None => line.into_owned(),
        Some(_) if max == 0 => String::new(),
        Some(_) => {
            let (cut, _) = line.char_indices().nth(max - 1).unwrap_or((0, ' '));
            format!("{}…", &line[..cut])
        }
    }
}

/// True for every character [`clean`] removes (on its own or as part of a sequence).
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After `ESC`: drops the rest of the sequence it starts.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        Some(_) => {
            // nF escapes: intermediates 0x20–0x2F, then one final 0x30–0x7E (`ESC ( B`);
            // Fp/Fe/Fs escapes are just the final (`ESC c`, `ESC 7`).
            while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
            chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
        }
        None => {}
    }
}

/// After a CSI introducer: parameter and intermediate bytes (0x20–0x3F), then the final
/// byte (0x40–0x7E) if present. Anything else ends the sequence and is kept.
fn skip_csi(chars: &mut Chars<'_>) {
    while chars.next_if(|c| ('\u{20}'..='\u{3f}').contains(c)).is_some() {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// After an OSC/DCS/SOS/PM/APC introducer: the payload up to BEL or ST (`ESC \` or
/// U+009C). Another control character ends the payload and is handled normally, so an
/// unterminated sequence cannot swallow the text after the next line break.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        match c {
            BEL | ST => {
                chars.next();
                return;
            }
            ESC => {
                chars.next();
                if chars.next_if_eq(&'\\').is_none() {
                    skip_escape(chars);
                }
                return;
            }
            c if c.is_control() => return,
            _ => {
                chars.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check() {
        let cases = [
            ("plain text", "plain text"),
            ("GET /users/{id}\tok\n", "GET /users/{id}\tok\n"),
            ("red \u{1b}[31mALERT\u{1b}[0m done", "red ALERT done"),
            ("\u{1b}[2J\u{1b}[H cleared", " cleared"),
            ("title\u{1b}]0;owned\u{7} after", "title after"),
            ("link \u{1b}]8;;http://evil\u{1b}\\text\u{1b}]8;;\u{1b}\\ end", "link text end"),
            ("csi8 \u{9b}31mred", "csi8 red"),
            ("osc8 \u{9d}0;t\u{9c}x", "osc8 x"),
            ("charset \u{1b}(Bx \u{1b}cy", "charset x y"),
            ("over\rwrite\u{8}\u{7f}\u{0}", "overwrite"),
            ("bidi \u{202e}txt.exe\u{2069}", "bidi txt.exe"),
            ("unterminated \u{1b}]0;title\nnext", "unterminated \nnext"),
            ("lone escape at end \u{1b}", "lone escape at end "),
            ("naïve Ünïcode — ok", "naïve Ünïcode — ok"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn one_line_and_clip() {
        assert_eq!(one_line("SELECT *\n  FROM t\twhere"), "SELECT *   FROM t where");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abcd", 4), "abcd");
        assert_eq!(clip("żółćx", 3), "żó…");
        assert_eq!(clip("abc", 0), "");
        assert_eq!(clip("a\u{1b}[1mbcdef", 3), "ab…");
    }
}
