//! Token-level SQL text handling: splitting a file into statements, counting `$n`
//! parameters, rewriting pg_stat_statements' `interval $1` forms, redacting literals.
//!
//! Everything works on sqlparser's tokenizer, so string literals, quoted identifiers,
//! comments and dollar quoting are never mistaken for structure. Nothing here fails:
//! text the tokenizer rejects is passed through (and is later reported as unexplainable).
//!
//! Later: literal redaction and fingerprints should come from the shared `perfhound-sql`
//! crate so that `db`, `traces` and `logs` name the same statement the same way.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

fn tokens(sql: &str) -> Option<Vec<Token>> {
    Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize().ok()
}

fn render(tokens: &[Token]) -> String {
    tokens.iter().map(|t| t.to_string()).collect()
}

fn is_trivia(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

/// Splits a SQL file into statements on top-level semicolons; comment-only pieces are dropped.
pub fn split_statements(text: &str) -> Vec<String> {
    let Some(tokens) = tokens(text) else {
        return text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    };
    let mut out = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    for t in tokens {
        if t == Token::SemiColon {
            push_statement(&mut out, &current);
            current.clear();
        } else {
            current.push(t);
        }
    }
    push_statement(&mut out, &current);
    out
}

fn push_statement(out: &mut Vec<String>, tokens: &[Token]) {
    let first = tokens.iter().position(|t| !is_trivia(t));
    let last = tokens.iter().rposition(|t| !is_trivia(t));
    if let (Some(a), Some(b)) = (first, last) {
        out.push(render(&tokens[a..=b]));
    }
}

/// True when the text is exactly one statement (an optional trailing `;` aside).
pub fn is_single_statement(sql: &str) -> bool {
    let Some(tokens) = tokens(sql) else { return false };
    match tokens.iter().position(|t| *t == Token::SemiColon) {
        None => tokens.iter().any(|t| !is_trivia(t)),
        Some(i) => tokens[i + 1..].iter().all(is_trivia),
    }
}

/// The first keyword, upper-cased (`SELECT`, `WITH`, `UPDATE`…), skipping comments and parentheses.
pub fn first_keyword(sql: &str) -> Option<String> {
    tokens(sql)?.into_iter().find_map(|t| match t {
        Token::Word(w) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    })
}

/// The highest `$n` placeholder number in the statement (0 when there is none).
pub fn placeholder_count(sql: &str) -> usize {
    let Some(tokens) = tokens(sql) else { return 0 };
    tokens.iter().filter_map(placeholder_number).max().unwrap_or(0)
}

fn placeholder_number(t: &Token) -> Option<usize> {
    match t {
        Token::Placeholder(p) => p.strip_prefix('$')?.parse().ok(),
        _ => None,
    }
}

/// Type names pg_stat_statements leaves in front of a normalized literal (`interval $1`),
/// longest first. A typed literal `interval '1 day'` becomes `interval $1`, which does not
/// parse; `$1::interval` does.
const TYPED_LITERAL_TYPES: &[&[&str]] = &[
    &["timestamp", "with", "time", "zone"],
    &["timestamp", "without", "time", "zone"],
    &["time", "with", "time", "zone"],
    &["time", "without", "time", "zone"],
    &["double", "precision"],
    &["character", "varying"],
    &["interval"],
    &["timestamptz"],
    &["timestamp"],
    &["timetz"],
    &["time"],
    &["date"],
    &["inet"],
    &["cidr"],
    &["uuid"],
    &["json"],
    &["jsonb"],
    &["numeric"],
    &["decimal"],
    &["bigint"],
    &["int8"],
    &["integer"],
    &["int"],
    &["int4"],
    &["smallint"],
    &["int2"],
    &["real"],
    &["float8"],
    &["float4"],
    &["boolean"],
    &["bool"],
    &["text"],
    &["varchar"],
    &["bytea"],
    &["money"],
];

/// Rewrites `interval $1` / `timestamptz $2` / `timestamp with time zone $3` into
/// `$1::interval` … so that the statement can be prepared.
pub fn rewrite_typed_placeholders(sql: &str) -> String {
    let Some(mut tokens) = tokens(sql) else { return sql.to_string() };
    let mut i = 0;
    while i < tokens.len() {
        if placeholder_number(&tokens[i]).is_some() {
            if let Some((start, ty)) = typed_prefix(&tokens, i) {
                let placeholder = tokens[i].to_string();
                let replacement = Token::Placeholder(format!("{placeholder}::{ty}"));
                tokens.splice(start..=i, [replacement]);
                i = start;
            }
        }
        i += 1;
    }
    render(&tokens)
}

/// If the words right before `tokens[at]` spell a type name, its first token index and the name.
fn typed_prefix(tokens: &[Token], at: usize) -> Option<(usize, String)> {
    // Collect up to four preceding words (nearest first), separated only by whitespace.
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut j = at;
    while j > 0 && words.len() < 4 {
        j -= 1;
        match &tokens[j] {
            Token::Whitespace(Whitespace::Space | Whitespace::Newline | Whitespace::Tab) => continue,
            Token::Word(w) if w.quote_style.is_none() => words.push((j, w.value.to_ascii_lowercase())),
            _ => break,
        }
    }
    if words.is_empty() || !matches!(tokens[at - 1], Token::Whitespace(_)) {
        return None;
    }
    for ty in TYPED_LITERAL_TYPES {
        if ty.len() > words.len() {
            continue;
        }
        let matches = ty.iter().rev().zip(words.iter()).all(|(a, (_, b))| a == b);
        if matches {
            let start = words[ty.len() - 1].0;
            return Some((start, ty.join(" ")));
        }
    }
    None
}

/// Replaces string and number literals with `$n` placeholders (numbered after the
/// statement's own), the way pg_stat_statements shows statements.
pub fn redact_literals(sql: &str) -> String {
    let Some(mut tokens) = tokens(sql) else { return "<unparseable statement, redacted>".into() };
    let mut next = tokens.iter().filter_map(placeholder_number).max().unwrap_or(0);
    for t in tokens.iter_mut() {
        let literal = matches!(
            t,
            Token::Number(..)
                | Token::SingleQuotedString(_)
                | Token::DollarQuotedString(_)
                | Token::EscapedStringLiteral(_)
                | Token::NationalStringLiteral(_)
                | Token::UnicodeStringLiteral(_)
                | Token::HexStringLiteral(_)
                | Token::SingleQuotedByteStringLiteral(_)
        );
        if literal {
            next += 1;
            *t = Token::Placeholder(format!("${next}"));
        }
    }
    render(&tokens)
}

/// Collapses whitespace runs and drops comments: the form shown to people and used in
/// fingerprints of statements read from files.
pub fn squash(sql: &str) -> String {
    let Some(tokens) = tokens(sql) else { return sql.split_whitespace().collect::<Vec<_>>().join(" ") };
    let mut out = String::with_capacity(sql.len());
    let mut pending_space = false;
    for t in &tokens {
        if is_trivia(t) {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push_str(&t.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_top_level_semicolons_only() {
        let s = split_statements("SELECT ';' ; -- c;\n SELECT $$a;b$$;\n\n-- only a comment\n");
        assert_eq!(s, vec!["SELECT ';'", "SELECT $$a;b$$"]);
    }

    #[test]
    fn single_statement_check() {
        assert!(is_single_statement("SELECT 1;"));
        assert!(is_single_statement("SELECT ';'"));
        assert!(!is_single_statement("SELECT 1; DROP TABLE x"));
        assert!(!is_single_statement("  "));
        assert!(!is_single_statement("SELECT 'unterminated"));
    }

    #[test]
    fn rewrites_pg_stat_statements_typed_literals() {
        assert_eq!(
            rewrite_typed_placeholders("SELECT * FROM t WHERE a > now() - interval $1 AND b < timestamptz $2"),
            "SELECT * FROM t WHERE a > now() - $1::interval AND b < $2::timestamptz"
        );
        assert_eq!(
            rewrite_typed_placeholders("SELECT timestamp with time zone $1, x AT TIME ZONE $2"),
            "SELECT $1::timestamp with time zone, x AT TIME ZONE $2"
        );
        assert_eq!(rewrite_typed_placeholders("SELECT $1::int, a = $2"), "SELECT $1::int, a = $2");
        assert_eq!(rewrite_typed_placeholders("SELECT \"date\" $1"), "SELECT \"date\" $1");
    }

    #[test]
    fn counts_placeholders() {
        assert_eq!(placeholder_count("SELECT $1, $12, '$99'"), 12);
        assert_eq!(placeholder_count("SELECT 1"), 0);
    }

    #[test]
    fn redacts_literals_but_not_identifiers() {
        assert_eq!(
            redact_literals("SELECT \"x\" FROM t WHERE email = 'a@b.c' AND id = $1 AND n > 42"),
            "SELECT \"x\" FROM t WHERE email = $2 AND id = $1 AND n > $3"
        );
        assert_eq!(squash("SELECT  a -- c\n FROM\tt"), "SELECT a FROM t");
        assert_eq!(first_keyword("/* x */ ( SELECT 1)"), Some("SELECT".into()));
    }
}
