//! A byte-level SQL lexer that never fails: every input, even truncated or binary, becomes
//! a token list.
//!
//! It recognizes just enough SQL to fingerprint a statement: words, quoted identifiers,
//! literals (strings, numbers, dollar-quoted bodies, hex/bit strings), bind placeholders
//! (`?`, `$1`, `:name`, `%s`, `%(name)s`, `@p1`), punctuation and operators. Comments are
//! dropped. Literals and placeholders both become [`TokKind::Param`]; literal text is
//! hashed so callers can tell "same statement, same parameters" apart from "same
//! statement, other parameters".

/// What kind of SQL the text is, as far as lexing differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flavor {
    /// `\'` escapes a quote inside strings (MySQL, MariaDB).
    pub backslash_escapes: bool,
    /// `"…"` is a string, not an identifier (MySQL, MariaDB).
    pub double_quote_strings: bool,
    /// `# …` starts a comment (MySQL, MariaDB).
    pub hash_comments: bool,
}

impl Flavor {
    pub const MYSQL: Flavor = Flavor { backslash_escapes: true, double_quote_strings: true, hash_comments: true };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokKind {
    /// Unquoted word: keyword or identifier.
    Word,
    /// `"x"`, `` `x` `` or `[x]`; the range excludes the quotes.
    QuotedIdent,
    /// A literal (`literal = true`) or a bind placeholder.
    Param { literal: bool },
    /// One of `( ) , ; .`
    Punct(u8),
    /// Any other run of operator characters (`=`, `<>`, `::`, `||`, `-`).
    Op,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
}

/// The lexed statement.
#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    /// FNV-1a over the literal texts in order; 0 when there are no literals.
    pub literal_hash: u64,
    pub literals: u32,
    pub placeholders: u32,
    /// The text ended inside a string, quoted identifier or comment.
    pub unterminated: bool,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a, continuing from `hash`.
pub fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    let mut h = hash;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

pub fn fnv1a_str(s: &str) -> u64 {
    fnv1a(FNV_OFFSET, s.as_bytes())
}

/// Lexes `sql` into `out` (cleared first), reusing its allocation.
pub fn lex_into(sql: &str, flavor: Flavor, out: &mut Lexed) {
    out.tokens.clear();
    out.literal_hash = 0;
    out.literals = 0;
    out.placeholders = 0;
    out.unterminated = false;
    let mut lx = Lexer { b: sql.as_bytes(), i: 0, flavor, out, lit_hash: FNV_OFFSET };
    lx.run();
    let hash = lx.lit_hash;
    if out.literals > 0 {
        out.literal_hash = hash;
    }
}

struct Lexer<'a, 'o> {
    b: &'a [u8],
    i: usize,
    flavor: Flavor,
    out: &'o mut Lexed,
    lit_hash: u64,
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// A UTF-8 continuation byte (never the start of a character).
fn is_continuation(c: u8) -> bool {
    c & 0xC0 == 0x80
}

fn is_op_char(c: u8) -> bool {
    matches!(c, b'=' | b'<' | b'>' | b'!' | b'+' | b'-' | b'*' | b'/' | b'%' | b'|' | b'&' | b'^' | b'~' | b':' | b'@')
}

impl Lexer<'_, '_> {
    fn peek(&self, off: usize) -> u8 {
        self.b.get(self.i + off).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokKind, start: usize, end: usize) {
        if let TokKind::Param { literal } = kind {
            if literal {
                self.out.literals += 1;
                self.lit_hash = fnv1a(self.lit_hash, &self.b[start..end]);
                self.lit_hash = fnv1a(self.lit_hash, &[0x1f]);
            } else {
                self.out.placeholders += 1;
            }
        }
        self.out.tokens.push(Token { kind, start, end });
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let start = self.i;
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.i += 1,
                b'-' if self.peek(1) == b'-' => self.skip_line(),
                b'#' if self.flavor.hash_comments => self.skip_line(),
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'\'' => {
                    self.quoted(b'\'', self.flavor.backslash_escapes);
                    self.push(TokKind::Param { literal: true }, start, self.i);
                }
                b'"' if self.flavor.double_quote_strings => {
                    self.quoted(b'"', true);
                    self.push(TokKind::Param { literal: true }, start, self.i);
                }
                b'"' | b'`' => {
                    self.quoted(c, false);
                    let end = if self.out.unterminated { self.i } else { self.i - 1 };
                    self.push(TokKind::QuotedIdent, start + 1, end.max(start + 1));
                }
                b'[' if self.looks_like_bracket_ident() => {
                    self.quoted(b']', false);
                    let end = if self.out.unterminated { self.i } else { self.i - 1 };
                    self.push(TokKind::QuotedIdent, start + 1, end.max(start + 1));
                }
                b'0'..=b'9' => self.number(start),
                b'.' if self.peek(1).is_ascii_digit() => self.number(start),
                b'?' => self.simple_placeholder(start),
                b'$' => self.dollar(start),
                b'%' if self.peek(1) == b's' || self.peek(1) == b'd' => {
                    self.i += 2;
                    self.push(TokKind::Param { literal: false }, start, self.i);
                }
                b'%' if self.peek(1) == b'(' => self.pyformat(start),
                b':' if is_word_start(self.peek(1)) && self.prev_is_not_colon() => {
                    self.i += 1;
                    self.word_tail();
                    self.push(TokKind::Param { literal: false }, start, self.i);
                }
                b'@' if is_word_start(self.peek(1)) => {
                    self.i += 1;
                    self.word_tail();
                    self.push(TokKind::Param { literal: false }, start, self.i);
                }
                b'(' | b')' | b',' | b';' | b'.' => {
                    self.i += 1;
                    self.push(TokKind::Punct(c), start, self.i);
                }
                c if is_word_start(c) => self.word(start),
                c if is_op_char(c) => {
                    while self.i < self.b.len() && is_op_char(self.b[self.i]) {
                        if self.b[self.i] == b'-' && self.peek(1) == b'-' && self.i > start {
                            break;
                        }
                        self.i += 1;
                    }
                    self.push(TokKind::Op, start, self.i);
                }
                _ => {
                    // Anything else (braces, stray bytes) is kept as a one-byte operator.
                    self.i += 1;
                    while self.i < self.b.len() && is_continuation(self.b[self.i]) {
                        self.i += 1;
                    }
                    self.push(TokKind::Op, start, self.i);
                }
            }
        }
    }

    fn prev_is_not_colon(&self) -> bool {
        self.i == 0 || self.b[self.i - 1] != b':'
    }

    fn looks_like_bracket_ident(&self) -> bool {
        // `[name]` (SQL Server) vs. `arr[1]` (Postgres arrays): an identifier follows `[`.
        is_word_start(self.peek(1)) && self.i > 0 && !is_word_char(self.b[self.i - 1])
    }

    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        self.i += 2;
        while self.i < self.b.len() {
            if self.b[self.i] == b'*' && self.peek(1) == b'/' {
                self.i += 2;
                return;
            }
            self.i += 1;
        }
        self.out.unterminated = true;
    }

    /// Consumes a quoted run starting at the opening quote; doubled quotes escape.
    fn quoted(&mut self, close: u8, backslash: bool) {
        self.i += 1;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if backslash && c == b'\\' {
                self.i += 2;
                continue;
            }
            if c == close {
                if self.peek(1) == close && close != b']' {
                    self.i += 2;
                    continue;
                }
                self.i += 1;
                return;
            }
            self.i += 1;
        }
        self.i = self.b.len();
        self.out.unterminated = true;
    }

    fn number(&mut self, start: usize) {
        if self.b[self.i] == b'0' && matches!(self.peek(1), b'x' | b'X') {
            self.i += 2;
            while self.i < self.b.len() && self.b[self.i].is_ascii_hexdigit() {
                self.i += 1;
            }
        } else {
            while self.i < self.b.len() {
                let c = self.b[self.i];
                let exp_sign = matches!(c, b'+' | b'-') && matches!(self.b[self.i - 1], b'e' | b'E');
                if c.is_ascii_digit() || c == b'.' || c == b'e' || c == b'E' || exp_sign {
                    self.i += 1;
                } else {
                    break;
                }
            }
        }
        // `1abc` is not a number followed by a word: swallow identifier characters.
        self.word_tail();
        self.push(TokKind::Param { literal: true }, start, self.i);
    }

    fn simple_placeholder(&mut self, start: usize) {
        self.i += 1;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        self.push(TokKind::Param { literal: false }, start, self.i);
    }

    fn dollar(&mut self, start: usize) {
        if self.peek(1).is_ascii_digit() {
            return self.simple_placeholder(start);
        }
        // Dollar-quoted string: $tag$ … $tag$ (tag may be empty).
        let mut j = self.i + 1;
        while j < self.b.len() && is_word_char(self.b[j]) && self.b[j] != b'$' {
            j += 1;
        }
        if j < self.b.len() && self.b[j] == b'$' {
            let tag = &self.b[self.i..=j];
            self.i = j + 1;
            match find(&self.b[self.i..], tag) {
                Some(pos) => self.i += pos + tag.len(),
                None => {
                    self.i = self.b.len();
                    self.out.unterminated = true;
                }
            }
            self.push(TokKind::Param { literal: true }, start, self.i);
        } else {
            self.i += 1;
            self.push(TokKind::Op, start, self.i);
        }
    }

    fn pyformat(&mut self, start: usize) {
        match self.b[self.i..].iter().position(|&c| c == b')') {
            Some(close) if self.b.get(self.i + close + 1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                self.i += close + 2;
                self.push(TokKind::Param { literal: false }, start, self.i);
            }
            _ => {
                self.i += 1;
                self.push(TokKind::Op, start, self.i);
            }
        }
    }

    fn word(&mut self, start: usize) {
        // String prefixes: E'…', N'…', X'…', B'…', U&'…'.
        let c = self.b[self.i].to_ascii_uppercase();
        if matches!(c, b'E' | b'N' | b'X' | b'B') && self.peek(1) == b'\'' {
            self.i += 1;
            self.quoted(b'\'', c == b'E' || self.flavor.backslash_escapes);
            return self.push(TokKind::Param { literal: true }, start, self.i);
        }
        if c == b'U' && self.peek(1) == b'&' && self.peek(2) == b'\'' {
            self.i += 2;
            self.quoted(b'\'', false);
            return self.push(TokKind::Param { literal: true }, start, self.i);
        }
        self.i += 1;
        self.word_tail();
        self.push(TokKind::Word, start, self.i);
    }

    fn word_tail(&mut self) {
        while self.i < self.b.len() && is_word_char(self.b[self.i]) {
            self.i += 1;
        }
        while self.i < self.b.len() && is_continuation(self.b[self.i]) {
            self.i += 1;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<TokKind> {
        let mut l = Lexed::default();
        lex_into(sql, Flavor::default(), &mut l);
        l.tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn literals_and_placeholders() {
        let mut l = Lexed::default();
        lex_into("select 'a''b', 1.5e-3, $1, ?, :id, %s, %(x)s, @p1, $$body$$ -- c", Flavor::default(), &mut l);
        assert_eq!(l.literals, 3);
        assert_eq!(l.placeholders, 6);
        assert!(!l.unterminated);
    }

    #[test]
    fn casts_are_not_placeholders() {
        assert_eq!(kinds("a::int"), vec![TokKind::Word, TokKind::Op, TokKind::Word]);
    }

    #[test]
    fn unterminated_is_flagged_not_fatal() {
        let mut l = Lexed::default();
        lex_into("select 'abc", Flavor::default(), &mut l);
        assert!(l.unterminated);
        assert_eq!(l.tokens.len(), 2);
        lex_into("/* open", Flavor::default(), &mut l);
        assert!(l.unterminated);
    }

    #[test]
    fn literal_hash_depends_on_values() {
        let mut a = Lexed::default();
        let mut b = Lexed::default();
        lex_into("x = 1", Flavor::default(), &mut a);
        lex_into("x = 2", Flavor::default(), &mut b);
        assert_ne!(a.literal_hash, b.literal_hash);
    }
}
