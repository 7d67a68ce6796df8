//! From tokens to a statement *shape*: the normalized text two executions of the same code
//! path share.
//!
//! Rules: literals and placeholders become `?`; `IN (…)` lists and `VALUES (…), (…)` rows
//! collapse to one element (their size is kept as [`ShapeExtras::batch_items`]); `t.col`
//! qualifiers are dropped; keywords are upper-cased and identifiers lower-cased; quoted
//! identifiers lose their quotes; whitespace and comments disappear.

use crate::lexer::{Lexed, TokKind, Token};

/// Per-execution facts found while shaping (they differ between executions of one shape).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShapeExtras {
    /// Rows of a `VALUES` list, or items of the largest `IN (…)` list; 1 when neither.
    pub batch_items: u32,
    /// Parentheses were still open at the end (text probably truncated).
    pub unbalanced: bool,
}

/// Keywords printed in upper case. Everything else that is a word is an identifier.
const KEYWORDS: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CALL",
    "CASE",
    "CAST",
    "COMMIT",
    "CONFLICT",
    "CREATE",
    "CROSS",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "DUPLICATE",
    "ELSE",
    "END",
    "EXCEPT",
    "EXEC",
    "EXECUTE",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FETCH",
    "FIRST",
    "FOR",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "ILIKE",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOCKED",
    "MERGE",
    "NATURAL",
    "NEXT",
    "NOT",
    "NOTHING",
    "NOWAIT",
    "NULL",
    "OFFSET",
    "ON",
    "ONLY",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "RECURSIVE",
    "RELEASE",
    "REPLACE",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "SHARE",
    "SHOW",
    "SKIP",
    "START",
    "TABLE",
    "THEN",
    "TOP",
    "TRANSACTION",
    "TRUE",
    "TRUNCATE",
    "UNION",
    "UPDATE",
    "UPSERT",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WITH",
];

/// Longest keyword, in bytes.
const MAX_KEYWORD: usize = 11;

/// `word` (at most 16 bytes) upper-cased and packed big-endian into an integer, zero-padded.
const fn pack_upper(word: &[u8]) -> u128 {
    let mut packed = 0u128;
    let mut i = 0;
    while i < 16 {
        let c = if i < word.len() { word[i].to_ascii_uppercase() } else { 0 };
        packed = packed << 8 | c as u128;
        i += 1;
    }
    packed
}

/// True when `word` is one of [`KEYWORDS`], in any case.
pub fn is_keyword(word: &str) -> bool {
    // Cheap rejections first: keywords are 2-11 ASCII letters.
    let b = word.as_bytes();
    if b.len() < 2 || b.len() > MAX_KEYWORD || !b[0].is_ascii_alphabetic() {
        return false;
    }
    let Some(packed) = pack_upper_ascii(b) else { return false };
    let mut slot = keyword_slot(packed);
    loop {
        match KEYWORD_TABLE[slot] {
            0 => return false,
            k if k == packed => return true,
            _ => slot = (slot + 1) % KEYWORD_TABLE.len(),
        }
    }
}

/// [`pack_upper`] for an ASCII word of at most 16 bytes, all bytes at once (`None` when a
/// byte is not ASCII: no keyword has one).
fn pack_upper_ascii(word: &[u8]) -> Option<u128> {
    const ONES: u128 = u128::MAX / 0xFF;
    const HIGH: u128 = ONES * 0x80;
    let mut buf = [0u8; 16];
    buf.get_mut(..word.len())?.copy_from_slice(word);
    let v = u128::from_be_bytes(buf);
    if v & HIGH != 0 {
        return None;
    }
    // Per byte (each < 0x80, so no carries): high bit set when ≥ b'a', and when > b'z'.
    let at_least_a = v + ONES * u128::from(0x80 - b'a');
    let above_z = v + ONES * u128::from(0x80 - b'z' - 1);
    let lower = at_least_a & !above_z & HIGH;
    Some(v - (lower >> 2))
}

/// Home slot of a packed word in [`KEYWORD_TABLE`] (multiplicative hashing).
const fn keyword_slot(packed: u128) -> usize {
    let folded = (packed >> 64) as u64 ^ packed as u64;
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
}

/// [`KEYWORDS`] packed by [`pack_upper`] in an open-addressing table of 256 slots (0 is
/// empty; less than half full): a lookup is about one probe. A binary search over the
/// packed list was 3 % of an OTLP/JSON ingest profile (unpredictable branches).
const KEYWORD_TABLE: [u128; 256] = {
    assert!(KEYWORDS.len() * 2 <= 256);
    let mut table = [0u128; 256];
    let mut i = 0;
    while i < KEYWORDS.len() {
        let packed = pack_upper(KEYWORDS[i].as_bytes());
        let mut slot = keyword_slot(packed);
        while table[slot] != 0 {
            slot = (slot + 1) % 256;
        }
        table[slot] = packed;
        i += 1;
    }
    table
};

/// A token after shaping: text is produced on output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    Keyword(usize, usize),
    Ident(usize, usize),
    Param,
    Punct(u8),
    /// `(` written directly after a word: a function call, printed without a space.
    Call,
    Op(usize, usize),
}

/// Working memory of [`shape_into`], kept between calls so shaping allocates nothing once
/// it has seen a statement as long as the current one.
#[derive(Debug, Default)]
pub struct Scratch(Vec<Out>);

/// Writes the shape of `lexed` (over `sql`) into `buf` (cleared first).
pub fn shape_into(sql: &str, lexed: &Lexed, buf: &mut String, scratch: &mut Scratch) -> ShapeExtras {
    buf.clear();
    let toks = &lexed.tokens;
    let outs = &mut scratch.0;
    outs.clear();
    let mut extras = ShapeExtras { batch_items: 1, unbalanced: false };
    let mut depth: i32 = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        match t.kind {
            TokKind::Word | TokKind::QuotedIdent if is_qualifier(toks, i) => {
                i += 2; // drop `t.`
                continue;
            }
            TokKind::Word if is_keyword(&sql[t.start..t.end]) => {
                outs.push(Out::Keyword(t.start, t.end));
                let word = &sql[t.start..t.end];
                if word.eq_ignore_ascii_case("in") || word.eq_ignore_ascii_case("values") {
                    if let Some((next, items)) = collapse_list(toks, i + 1, word.eq_ignore_ascii_case("values")) {
                        extras.batch_items = extras.batch_items.max(items);
                        emit_group(toks, i + 1, outs, sql);
                        i = next;
                        continue;
                    }
                }
            }
            TokKind::Word | TokKind::QuotedIdent => outs.push(Out::Ident(t.start, t.end)),
            TokKind::Param { .. } => {
                // `= -5` → `= ?`: a unary minus before a literal belongs to the literal.
                if matches!(outs.last(), Some(Out::Op(s, e)) if &sql[*s..*e] == "-") && is_unary_context(outs, sql) {
                    outs.pop();
                }
                outs.push(Out::Param);
            }
            TokKind::Punct(c) => {
                if c == b'(' {
                    depth += 1;
                } else if c == b')' {
                    depth -= 1;
                }
                let tight = c == b'(' && i > 0 && toks[i - 1].end == t.start && toks[i - 1].kind == TokKind::Word;
                if tight && !matches!(outs.last(), Some(Out::Keyword(..))) {
                    outs.push(Out::Call);
                } else if c != b';' || i + 1 < toks.len() {
                    outs.push(Out::Punct(c));
                }
            }
            TokKind::Op => outs.push(Out::Op(t.start, t.end)),
        }
        i += 1;
    }
    extras.unbalanced = depth > 0;
    render(sql, outs, buf);
    extras
}

fn is_qualifier(toks: &[Token], i: usize) -> bool {
    matches!(toks.get(i + 1).map(|t| t.kind), Some(TokKind::Punct(b'.')))
        && matches!(toks.get(i + 2).map(|t| t.kind), Some(TokKind::Word | TokKind::QuotedIdent | TokKind::Op))
}

fn is_unary_context(outs: &[Out], sql: &str) -> bool {
    match outs.len().checked_sub(2).map(|k| outs[k]) {
        None => true,
        Some(Out::Op(..) | Out::Keyword(..)) => true,
        Some(Out::Punct(c)) => c == b'(' || c == b',',
        Some(Out::Call) => true,
        Some(Out::Ident(s, e)) => is_keyword(&sql[s..e]),
        Some(Out::Param) => false,
    }
}

/// If `toks[at..]` is `( item, item … )` where items are params (or, for VALUES,
/// parenthesized groups `(…), (…)`), returns the index after the list and the item count.
fn collapse_list(toks: &[Token], at: usize, values: bool) -> Option<(usize, u32)> {
    if toks.get(at)?.kind != TokKind::Punct(b'(') {
        return None;
    }
    if values {
        // VALUES (…), (…), …: count balanced groups separated by commas.
        let mut i = at;
        let mut rows = 0u32;
        loop {
            let end = matching_paren(toks, i)?;
            rows += 1;
            i = end + 1;
            if toks.get(i).map(|t| t.kind) == Some(TokKind::Punct(b','))
                && toks.get(i + 1).map(|t| t.kind) == Some(TokKind::Punct(b'('))
            {
                i += 1;
                continue;
            }
            return Some((i, rows));
        }
    }
    // IN (?, ?, ?) or IN ((?, ?), (?, ?)): only params, commas and parentheses inside.
    let end = matching_paren(toks, at)?;
    let inner = &toks[at + 1..end];
    if inner.is_empty()
        || !inner.iter().all(|t| matches!(t.kind, TokKind::Param { .. } | TokKind::Punct(b',' | b'(' | b')')))
    {
        return None;
    }
    let mut items = 1u32;
    let mut d = 0;
    for t in inner {
        match t.kind {
            TokKind::Punct(b'(') => d += 1,
            TokKind::Punct(b')') => d -= 1,
            TokKind::Punct(b',') if d == 0 => items += 1,
            _ => {}
        }
    }
    Some((end + 1, items))
}

fn matching_paren(toks: &[Token], open: usize) -> Option<usize> {
    let mut d = 0i32;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            TokKind::Punct(b'(') => d += 1,
            TokKind::Punct(b')') => {
                d -= 1;
                if d == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Emits the first group of a collapsed list: `(?)` for IN lists, the first row for VALUES.
fn emit_group(toks: &[Token], open: usize, outs: &mut Vec<Out>, sql: &str) {
    let Some(end) = matching_paren(toks, open) else { return };
    let inner = &toks[open + 1..end];
    let only_params = inner.iter().all(|t| matches!(t.kind, TokKind::Param { .. } | TokKind::Punct(b',')));
    let is_in = matches!(outs.last(), Some(Out::Keyword(s, e)) if sql[*s..*e].eq_ignore_ascii_case("in"));
    if is_in {
        outs.extend([Out::Punct(b'('), Out::Param, Out::Punct(b')')]);
        return;
    }
    outs.push(Out::Punct(b'('));
    for t in inner {
        outs.push(match t.kind {
            TokKind::Param { .. } => Out::Param,
            TokKind::Punct(c) => Out::Punct(c),
            TokKind::Word if !only_params && is_keyword(&sql[t.start..t.end]) => Out::Keyword(t.start, t.end),
            TokKind::Word | TokKind::QuotedIdent => Out::Ident(t.start, t.end),
            TokKind::Op => Out::Op(t.start, t.end),
        });
    }
    outs.push(Out::Punct(b')'));
}

fn render(sql: &str, outs: &[Out], buf: &mut String) {
    let mut prev: Option<Out> = None;
    for &o in outs {
        let glue = match (prev, o) {
            (None, _) => true,
            (Some(Out::Punct(b'(') | Out::Call), _) | (_, Out::Punct(b')' | b',' | b';') | Out::Call) => true,
            (Some(Out::Op(s, e)), _) if &sql[s..e] == "::" => true,
            (_, Out::Op(s, e)) if &sql[s..e] == "::" => true,
            _ => false,
        };
        if !glue {
            buf.push(' ');
        }
        match o {
            Out::Keyword(s, e) => push_upper(buf, &sql[s..e]),
            Out::Ident(s, e) => push_lower(buf, &sql[s..e]),
            Out::Param => buf.push('?'),
            Out::Punct(c) => buf.push(char::from(c)),
            Out::Call => buf.push('('),
            Out::Op(s, e) => buf.push_str(&sql[s..e]),
        }
        prev = Some(o);
    }
}

fn push_upper(buf: &mut String, s: &str) {
    let at = buf.len();
    buf.push_str(s);
    buf[at..].make_ascii_uppercase();
}

fn push_lower(buf: &mut String, s: &str) {
    let at = buf.len();
    buf.push_str(s);
    buf[at..].make_ascii_lowercase();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::{lex_into, Flavor};

    fn shape(sql: &str) -> (String, ShapeExtras) {
        let mut l = Lexed::default();
        lex_into(sql, Flavor::default(), &mut l);
        let mut buf = String::new();
        let x = shape_into(sql, &l, &mut buf, &mut Scratch::default());
        (buf, x)
    }

    #[test]
    fn keywords_sorted_and_unique() {
        let mut sorted = KEYWORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, KEYWORDS);
    }

    #[test]
    fn packing_all_bytes_at_once_matches_byte_by_byte() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for len in 0..=16usize {
            for _ in 0..5_000 {
                let word: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        (x % 0x80) as u8
                    })
                    .collect();
                assert_eq!(pack_upper_ascii(&word), Some(pack_upper(&word)), "{word:?}");
            }
        }
        assert_eq!(pack_upper_ascii("wählen".as_bytes()), None);
        assert_eq!(pack_upper_ascii(&[b'a'; 17]), None);
    }

    #[test]
    fn keywords_in_any_case_and_nothing_else() {
        assert!(KEYWORDS.iter().all(|k| k.len() <= MAX_KEYWORD));
        for k in KEYWORDS {
            assert!(is_keyword(k) && is_keyword(&k.to_ascii_lowercase()), "{k}");
            assert!(!is_keyword(&format!("{k}S")) || KEYWORDS.contains(&format!("{k}S").as_str()), "{k}S");
        }
        for w in ["", "x", "users", "selects", "SELEC", "in_", "ändern", "FROM1", "fromm", "transactions"] {
            assert!(!is_keyword(w), "{w}");
        }
    }

    #[test]
    fn in_list_and_values_collapse() {
        let (s, x) = shape("SELECT * FROM t WHERE id IN (1, 2, 3)");
        assert_eq!(s, "SELECT * FROM t WHERE id IN (?)");
        assert_eq!(x.batch_items, 3);
        let (s, x) = shape("insert into t (a, b) values (1, 'x'), (2, 'y')");
        assert_eq!(s, "INSERT INTO t (a, b) VALUES (?, ?)");
        assert_eq!(x.batch_items, 2);
    }

    #[test]
    fn qualifiers_and_unary_minus() {
        assert_eq!(shape("select u.id from public.users u where u.x = -5").0, "SELECT id FROM users u WHERE x = ?");
        assert_eq!(shape("select a - 1 from t").0, "SELECT a - ? FROM t");
    }

    #[test]
    fn calls_glue() {
        assert_eq!(shape("SELECT COUNT( * ) FROM t").0, "SELECT count(*) FROM t");
        assert_eq!(shape("SELECT EXISTS(SELECT 1)").0, "SELECT EXISTS (SELECT ?)");
    }
}
