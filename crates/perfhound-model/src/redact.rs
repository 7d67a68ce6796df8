//! Secrets stay secret: the one redaction pass every output goes through.
//!
//! A user hands perfhound secrets in many shapes — `-H 'Authorization: Bearer …'`, a URL
//! with `user:password@`, `?token=…`, a PostgreSQL URL or libpq `password=` conninfo. None
//! of them may reach a run file, a report, SARIF, JUnit or the terminal. This module owns
//! the rules; [`Run::redact_secrets`] applies them to every free-text field of a run, and the
//! binary applies [`text`] to error messages and [`command`] to the recorded command line.
//!
//! Redaction is idempotent (`text(text(s)) == text(s)`) and errs on the side of masking:
//! a value that merely *looks* sensitive is masked too. Bind placeholders (`?`, `$1`) are
//! left alone so redacted SQL keeps its shape.

use crate::run::Run;

/// What replaces a secret.
pub const MASK: &str = "***";

/// Whether a header, query-parameter, conninfo or flag name names a secret
/// (`Authorization`, `Cookie`, `X-Api-Key`, `access_token`, `client-secret`, `password`…).
pub fn is_sensitive_name(name: &str) -> bool {
    const EXACT: &[&str] = &["pass", "pwd", "sid", "jwt"];
    const PARTS: &[&str] = &["auth", "token", "secret", "key", "cookie", "session", "passw", "credential", "signature"];
    let n = name.trim().to_ascii_lowercase().replace('-', "_");
    EXACT.contains(&n.as_str()) || PARTS.iter().any(|p| n.contains(p))
}

/// Free text with every secret masked: URL userinfo passwords, sensitive `key=value`
/// pairs (query parameters, libpq conninfo) and sensitive `Name: value` header lines.
pub fn text(s: &str) -> String {
    header_values(&key_values(&userinfo(s)))
}

/// Masks in place (see [`text`]).
pub fn in_place(s: &mut String) {
    if might_hold_secret(s) {
        *s = text(s);
    }
}

/// Cheap pre-check: every rule needs one of these characters.
fn might_hold_secret(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b'@' | b'=' | b':'))
}

/// A command line with header values, bodies and sensitive flag values masked, and
/// [`text`] applied to every other argument. Understands `-H X`, `-HX`, clustered short
/// flags (`-kH X`), `--header X`, `--header=X`, `-b`/`--body` and `--<sensitive-name>[=]X`.
pub fn command<I, S>(args: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut out = Vec::new();
    let mut pending: Option<Value> = None;
    for arg in args {
        let arg: String = arg.into();
        match pending.take() {
            Some(kind) => out.push(kind.mask(&arg)),
            None => {
                let (shown, next) = flag(&arg);
                out.push(shown);
                pending = next;
            }
        }
    }
    out
}

/// How a flag's value is masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value {
    /// `Name: value` → `Name: ***`.
    Header,
    /// The whole value.
    Whole,
}

impl Value {
    fn mask(self, value: &str) -> String {
        match (self, value.split_once(':')) {
            (Value::Header, Some((name, _))) => format!("{}: {MASK}", name.trim()),
            _ => MASK.to_string(),
        }
    }
}

/// One argument as shown, and how the next argument is masked if the flag takes it.
fn flag(arg: &str) -> (String, Option<Value>) {
    if let Some(long) = arg.strip_prefix("--") {
        let (name, attached) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (long, None),
        };
        let kind = match name {
            "header" => Some(Value::Header),
            "body" => Some(Value::Whole),
            n if is_sensitive_name(n) => Some(Value::Whole),
            _ => None,
        };
        return match (kind, attached) {
            (Some(k), Some(v)) => (format!("--{name}={}", k.mask(v)), None),
            (Some(k), None) => (arg.to_string(), Some(k)),
            (None, _) => (text(arg), None),
        };
    }
    if let Some(cluster) = arg.strip_prefix('-').filter(|c| c.starts_with(|ch: char| ch.is_ascii_alphabetic())) {
        if let Some(i) = cluster.find(['H', 'b']) {
            let kind = if cluster.as_bytes()[i] == b'H' { Value::Header } else { Value::Whole };
            let (head, rest) = cluster.split_at(i + 1);
            if head.bytes().all(|b| b.is_ascii_alphabetic()) {
                return if rest.is_empty() {
                    (arg.to_string(), Some(kind))
                } else {
                    (format!("-{head}{}", kind.mask(rest)), None)
                };
            }
        }
    }
    (text(arg), None)
}

/// `scheme://user:password@host` → `scheme://user:***@host`, for every URL in `s`.
fn userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let start = i + 3;
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find(|c: char| "/?#\"'<>`".contains(c) || c.is_whitespace()).unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@').and_then(|at| authority[..at].find(':').map(|c| (c, at))) {
            Some((colon, at)) => {
                out.push_str(&authority[..=colon]);
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Characters a `key=value` value or `Name: value` name never contains.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Bind placeholders (`?`, `$1`, `:name`) are shapes, not secrets.
/// `{uuid}`, `{id}`, `{hash}`…: the placeholders URL and key templates use.
fn starts_with_template_placeholder(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('{') else { return false };
    let word = rest.split_once('}').map_or("", |(w, _)| w);
    (1..=16).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

fn is_placeholder(v: &str) -> bool {
    v == "?" || v == MASK || (v.len() > 1 && v.starts_with('$') && v[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// Masks the value of every sensitive `key=value` pair (`?token=…&`, `password='a b'`).
fn key_values(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = s[i..].find('=') {
        let eq = i + off;
        i = eq + 1;
        let key_start = (0..eq).rev().find(|&k| !is_name_byte(bytes[k])).map_or(0, |k| k + 1);
        let key = &s[key_start..eq];
        let bounded = key_start == 0 || b" \t\n?&;,'\"({[".contains(&bytes[key_start - 1]);
        if key.is_empty() || key.len() > 64 || !bounded || !is_sensitive_name(key) {
            continue;
        }
        let end = value_end(s, eq + 1, b" \t\r\n&;,'\")#<>");
        if end == eq + 1 || bytes[eq + 1] == b'=' || is_placeholder(s[eq + 1..end].trim_matches('\'')) {
            continue;
        }
        out.push_str(&s[copied..eq + 1]);
        out.push_str(MASK);
        copied = end;
        i = end;
    }
    out.push_str(&s[copied..]);
    out
}

/// End of a value starting at `start`: a quoted value runs to its closing quote,
/// anything else to the first stop byte.
fn value_end(s: &str, start: usize, stops: &[u8]) -> usize {
    let bytes = s.as_bytes();
    match bytes.get(start) {
        Some(&q @ (b'\'' | b'"')) => s[start + 1..].find(q as char).map_or(s.len(), |e| start + e + 2),
        _ => (start..s.len()).find(|&k| stops.contains(&bytes[k])).unwrap_or(s.len()),
    }
}

/// Masks the value of every sensitive `Name: value` (header lines, `"name": "value"`),
/// up to the end of the line or the closing quote.
fn header_values(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = s[i..].find(':') {
        let colon = i + off;
        i = colon + 1;
        let name_end = if colon > 0 && bytes[colon - 1] == b'"' { colon - 1 } else { colon };
        let name_start = (0..name_end).rev().find(|&k| !is_name_byte(bytes[k])).map_or(0, |k| k + 1);
        let bounded = name_start == 0 || b" \t\n\"'{(,[=".contains(&bytes[name_start - 1]);
        if name_start == name_end || !bounded || s[colon + 1..].starts_with("//") {
            continue;
        }
        if !is_sensitive_name(&s[name_start..name_end]) {
            continue;
        }
        let value_start = (colon + 1..s.len()).find(|&k| !matches!(bytes[k], b' ' | b'\t')).unwrap_or(s.len());
        // A key template (`session:{uuid}`) names a class of keys, not a secret.
        if starts_with_template_placeholder(&s[value_start..]) {
            continue;
        }
        let end = match bytes.get(value_start) {
            Some(b'"') => s[value_start + 1..].find('"').map_or(s.len(), |e| value_start + 1 + e),
            _ => s[value_start..].find(['\n', '\r']).map_or(s.len(), |e| value_start + e),
        };
        let value = s[value_start..end].trim_start_matches('"');
        if value.is_empty() || is_placeholder(value.trim()) {
            continue;
        }
        let masked_from = if bytes.get(value_start) == Some(&b'"') { value_start + 1 } else { value_start };
        out.push_str(&s[copied..masked_from]);
        out.push_str(MASK);
        copied = end;
        i = end.max(i);
    }
    out.push_str(&s[copied..]);
    out
}

impl Run {
    /// Masks every secret in the run's free text (see the module docs). Idempotent; call it
    /// before a run is written or rendered, and on every run that is read.
    pub fn redact_secrets(&mut self) {
        self.tool.command = command(std::mem::take(&mut self.tool.command));
        self.sources.iter_mut().for_each(|s| in_place(&mut s.description));
        for t in &mut self.targets {
            in_place(&mut t.name);
            t.group.iter_mut().for_each(in_place);
        }
        for f in &mut self.findings {
            in_place(&mut f.title);
            in_place(&mut f.target);
            f.affected.iter_mut().for_each(in_place);
            let e = &mut f.evidence;
            e.examples.iter_mut().chain(e.notes.iter_mut()).for_each(in_place);
            e.query.iter_mut().chain(e.location.iter_mut()).chain(e.code.iter_mut()).for_each(in_place);
            in_place(&mut f.recommendation.text);
            f.recommendation.snippet.iter_mut().for_each(in_place);
        }
        for b in &mut self.budget_results {
            in_place(&mut b.expression);
            in_place(&mut b.target);
        }
        self.warnings.iter_mut().for_each(in_place);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords_and_secret_parameters() {
        assert_eq!(text("postgres://app:s3cret@db:5432/shop"), "postgres://app:***@db:5432/shop");
        assert_eq!(text("postgres://app@db/shop"), "postgres://app@db/shop");
        assert_eq!(text("postgresql://u:p%40ss@h/d?sslmode=disable"), "postgresql://u:***@h/d?sslmode=disable");
        assert_eq!(text("postgres://h/d?user=u&password=pw&x=1"), "postgres://h/d?user=u&password=***&x=1");
        assert_eq!(text("http://127.0.0.1:8080/a?token=abc&page=2"), "http://127.0.0.1:8080/a?token=***&page=2");
        assert_eq!(text("http://h/a?api_key=abc#frag"), "http://h/a?api_key=***#frag");
        assert_eq!(text("see http://u:pw@h:1/x and https://v:q@i/"), "see http://u:***@h:1/x and https://v:***@i/");
    }

    #[test]
    fn conninfo_passwords_are_masked_quoted_or_not() {
        assert_eq!(text("host=h user=u password=pw dbname=d"), "host=h user=u password=*** dbname=d");
        assert_eq!(text("host=h password='a b' dbname=d"), "host=h password=*** dbname=d");
        assert_eq!(text("host=h mypassword=x"), "host=h mypassword=***", "errs on the side of masking");
    }

    #[test]
    fn header_lines_and_json_fields_are_masked() {
        assert_eq!(text("Authorization: Bearer abc.def"), "Authorization: ***");
        assert_eq!(text("bad header\nCookie: sid=1; x=2\nAccept: */*"), "bad header\nCookie: ***\nAccept: */*");
        assert_eq!(text(r#"{"access_token": "abc", "n": 1}"#), r#"{"access_token": "***", "n": 1}"#);
        assert_eq!(text("GET /users/{id}: 12 ms"), "GET /users/{id}: 12 ms");
        // Key templates are not secrets; a real session key still is.
        assert_eq!(text("session:{uuid}: 48% of memory"), "session:{uuid}: 48% of memory");
        assert_eq!(text("big session:6f1c-42"), "big session:***");
        assert_eq!(text(r#"Cookie: {"sid": 1}"#), "Cookie: ***");
    }

    #[test]
    fn sql_placeholders_and_plain_text_are_kept() {
        let sql = "SELECT * FROM users WHERE token=$1 AND api_key = ? AND password=?";
        assert_eq!(text(sql), sql);
        assert_eq!(text("p95 < 300ms"), "p95 < 300ms");
        assert_eq!(text("Accept: text/html"), "Accept: text/html");
    }

    #[test]
    fn every_header_flag_form_is_masked() {
        let args = [
            "perfhound",
            "load",
            "http://u:pw@127.0.0.1/?token=t1",
            "-H",
            "Authorization: Bearer a1",
            "-HCookie: c1",
            "--header",
            "X-Api-Key: k1",
            "--header=Proxy-Authorization: p1",
            "-kHX-Token:x1",
            "-b",
            "{\"pw\":1}",
            "--body={}",
            "--password",
            "pw2",
            "--api-key=k2",
            "-c",
            "5",
        ];
        assert_eq!(
            command(args),
            [
                "perfhound",
                "load",
                "http://u:***@127.0.0.1/?token=***",
                "-H",
                "Authorization: ***",
                "-HCookie: ***",
                "--header",
                "X-Api-Key: ***",
                "--header=Proxy-Authorization: ***",
                "-kHX-Token: ***",
                "-b",
                "***",
                "--body=***",
                "--password",
                "***",
                "--api-key=***",
                "-c",
                "5",
            ]
        );
    }

    #[test]
    fn redaction_is_idempotent() {
        for s in ["Authorization: ***", "http://u:***@h/?token=***", "password=*** x", "-HCookie: ***"] {
            assert_eq!(text(s), s);
        }
    }
}
