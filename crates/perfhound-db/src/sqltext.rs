//! Token-level SQL text handling: splitting a file into statements, counting `$n`
//! parameters, rewriting pg_stat_statements' `interval $1` forms, redacting literals and
//! binding logged parameters.
//!
//! Splitting, placeholders and the typed-literal rewrite work on sqlparser's tokenizer (what
//! the server will parse); what people see ([`display`]) and fingerprints (`perfhound-sql`'s
//! shapes, see [`crate::statements::Statement::shape`]) use the shared `perfhound-sql`
//! lexer, so `db`, `traces` and `logs` name the same statement the same way. String
//! literals, quoted identifiers, comments and dollar quoting are never mistaken for
//! structure, and nothing here fails: text the tokenizer rejects is passed through (and is
//! later reported as unexplainable).

use perfhound_sql::lexer::{lex_into, Flavor, Lexed, TokKind, Token as LexToken};
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

/// The text shown to people: whitespace runs and comments collapsed to one space, and
/// (unless `show_literals`) literals replaced by `$n` placeholders numbered after the
/// statement's own, the way pg_stat_statements shows statements. Built on the shared
/// `perfhound-sql` lexer, which never fails: any input gives a printable result.
pub fn display(sql: &str, show_literals: bool) -> String {
    let mut lexed = Lexed::default();
    lex_into(sql, Flavor::default(), &mut lexed);
    let mut next = lexed.tokens.iter().filter_map(|t| dollar_number(sql, t)).max().unwrap_or(0);
    let mut out = String::with_capacity(sql.len());
    let mut prev_end = 0;
    for t in &lexed.tokens {
        let (start, end) = source_span(sql, t);
        if start > prev_end && !out.is_empty() {
            out.push(' ');
        }
        if t.kind == (TokKind::Param { literal: true }) && !show_literals {
            next += 1;
            out.push_str(&format!("${next}"));
        } else {
            out.push_str(&sql[start..end]);
        }
        prev_end = end;
    }
    out
}

/// The bytes of a token in the source, quotes of quoted identifiers included.
fn source_span(sql: &str, t: &LexToken) -> (usize, usize) {
    if t.kind != TokKind::QuotedIdent {
        return (t.start, t.end);
    }
    let open = sql.as_bytes()[t.start - 1];
    let close = if open == b'[' { b']' } else { open };
    let end = if sql.as_bytes().get(t.end) == Some(&close) { t.end + 1 } else { t.end };
    (t.start - 1, end)
}

/// `n` of a `$n` placeholder token.
fn dollar_number(sql: &str, t: &LexToken) -> Option<usize> {
    if t.kind != (TokKind::Param { literal: false }) {
        return None;
    }
    sql[t.start..t.end].strip_prefix('$')?.parse().ok()
}

/// Replaces the `$n` placeholders of `sql` with the logged parameter values (already SQL
/// literals: `'…'` or `NULL`); placeholders without a value are kept.
pub fn bind_parameters(sql: &str, values: &[String]) -> String {
    let mut lexed = Lexed::default();
    lex_into(sql, Flavor::default(), &mut lexed);
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    for t in &lexed.tokens {
        let value = dollar_number(sql, t).and_then(|n| values.get(n.checked_sub(1)?));
        if let Some(v) = value {
            out.push_str(&sql[copied..t.start]);
            out.push_str(v);
            copied = t.end;
        }
    }
    out.push_str(&sql[copied..]);
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
    fn display_redacts_literals_but_not_identifiers() {
        assert_eq!(
            display("SELECT \"x\", [y] FROM t WHERE email = 'a@b.c' AND id = $1 AND n > -42", false),
            "SELECT \"x\", [y] FROM t WHERE email = $2 AND id = $1 AND n > -$3"
        );
        assert_eq!(
            display("SELECT E'it''s', $$a$$, 1.5e3 FROM \"a\"\"b\"", false),
            "SELECT $1, $2, $3 FROM \"a\"\"b\""
        );
        assert_eq!(display("SELECT  a -- c\n FROM\tt WHERE b = 'x'", true), "SELECT a FROM t WHERE b = 'x'");
        assert_eq!(display("SELECT \"unterminated", false), "SELECT \"unterminated");
        assert_eq!(first_keyword("/* x */ ( SELECT 1)"), Some("SELECT".into()));
    }

    #[test]
    fn binds_logged_parameters() {
        let values = ["'5'".to_string(), "NULL".to_string()];
        assert_eq!(bind_parameters("SELECT $1, '$2', $2, $3, $10", &values), "SELECT '5', '$2', NULL, $3, $10");
    }
}
