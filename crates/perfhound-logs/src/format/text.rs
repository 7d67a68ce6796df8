//! Text access logs described by an nginx `log_format` string, compiled once into a list
//! of literals and variables and matched left to right: each variable's value runs up to
//! the next literal. nginx/Apache `combined` and `common` are such strings too.

use crate::record::{self, absent, Record};

/// nginx's and Apache's `combined` format.
pub const COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
/// `combined` followed by `$request_time` (what `bench/logs.sh` and GoAccess's `%T` read).
pub const COMBINED_RT: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time"#;
/// The `main` format of nginx's default nginx.conf.
pub const MAIN: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#;
/// Apache's and nginx's `common` format.
pub const COMMON: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#;

/// What a variable feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Client,
    User,
    Time,
    Request,
    Method,
    Uri,
    Status,
    Bytes,
    RequestTime,
    UpstreamTime,
    SetCookie,
    Credentials,
    Ignored,
}

impl Field {
    fn of(var: &str) -> Field {
        match var {
            "remote_addr" | "realip_remote_addr" => Field::Client,
            "remote_user" => Field::User,
            "time_local" | "time_iso8601" | "msec" => Field::Time,
            "request" => Field::Request,
            "request_method" => Field::Method,
            "request_uri" | "uri" | "document_uri" => Field::Uri,
            "status" => Field::Status,
            "body_bytes_sent" | "bytes_sent" => Field::Bytes,
            "request_time" => Field::RequestTime,
            "upstream_response_time" => Field::UpstreamTime,
            "sent_http_set_cookie" | "upstream_http_set_cookie" => Field::SetCookie,
            "http_authorization" | "http_cookie" => Field::Credentials,
            _ => Field::Ignored,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Lit(String),
    Var(Field, String),
}

/// A compiled `log_format`.
#[derive(Clone, Debug)]
pub struct TextFormat {
    tokens: Vec<Token>,
    /// For each token, a searcher for the literal that follows it (built once).
    finders: Vec<Option<Next>>,
    /// The last `$time_local` text and its value: a busy log repeats each second.
    last_time: std::cell::RefCell<(String, i64)>,
    /// Text after the last token is ignored instead of being an error.
    pub lenient_tail: bool,
    records_cookies: bool,
    records_credentials: bool,
}

impl TextFormat {
    /// Compiles an nginx `log_format` string (`$var` and `${var}`; quotes as in the
    /// config are expected to be removed by the shell).
    pub fn compile(fmt: &str) -> Result<TextFormat, String> {
        let tokens = tokenize(fmt)?;
        for pair in tokens.windows(2) {
            if let [Token::Var(_, a), Token::Var(_, b)] = pair {
                return Err(format!("`${a}` and `${b}` have no text between them, so they cannot be told apart"));
            }
        }
        let has = |f: Field| tokens.iter().any(|t| matches!(t, Token::Var(x, _) if *x == f));
        if !has(Field::Request) && !has(Field::Uri) {
            return Err("the format has neither `$request` nor `$request_uri`/`$uri`: no endpoint can be read".into());
        }
        if !has(Field::Status) {
            return Err("the format has no `$status`".into());
        }
        let (records_cookies, records_credentials) = (has(Field::SetCookie), has(Field::Credentials));
        let finders = (0..tokens.len())
            .map(|i| match tokens.get(i + 1) {
                Some(Token::Lit(l)) => Some(Next::new(l)),
                _ => None,
            })
            .collect();
        let last_time = std::cell::RefCell::new((String::new(), 0));
        Ok(TextFormat { tokens, finders, last_time, lenient_tail: false, records_cookies, records_credentials })
    }

    /// Reads one line. The error says what was expected where.
    pub fn parse<'a>(&self, line: &'a str) -> Result<Record<'a>, String> {
        let mut rec = Record {
            set_cookie: self.records_cookies.then_some(false),
            authorized: self.records_credentials.then_some(false),
            ..Record::default()
        };
        let mut pos = 0;
        for (i, tok) in self.tokens.iter().enumerate() {
            match tok {
                Token::Lit(l) => {
                    if !starts_with_at(line.as_bytes(), pos, l.as_bytes()) {
                        return Err(format!("expected `{}` at column {}", l.escape_debug(), pos + 1));
                    }
                    pos += l.len();
                }
                Token::Var(field, name) => {
                    let end = match (self.tokens.get(i + 1), &self.finders[i]) {
                        (Some(Token::Lit(next)), Some(finder)) => match finder.find(&line.as_bytes()[pos..]) {
                            Some(off) => pos + off,
                            None => {
                                return Err(format!(
                                    "`${name}` at column {} is not followed by `{}`",
                                    pos + 1,
                                    next.escape_debug()
                                ))
                            }
                        },
                        _ if self.lenient_tail => line[pos..].find(' ').map_or(line.len(), |o| pos + o),
                        _ => line.len(),
                    };
                    let value = &line[pos..end];
                    if *field == Field::Time {
                        rec.time_s =
                            Some(self.time(value).ok_or_else(|| {
                                format!("`${name}` `{}` is not a time", perfhound_term::clip(value, 40))
                            })?);
                    } else {
                        assign(&mut rec, *field, value).map_err(|why| format!("`${name}` {why}"))?;
                    }
                    pos = end;
                }
            }
        }
        if pos < line.len() && !self.lenient_tail {
            return Err(format!("unexpected text after the last field at column {}", pos + 1));
        }
        Ok(rec)
    }
}

/// A searcher for the literal after a variable: its first byte's position checked for
/// the rest (memchr; the values between literals are short, so this beats a two-byte
/// packed-pair search).
#[derive(Clone, Debug)]
struct Next {
    first: u8,
    rest: Box<[u8]>,
}

impl Next {
    fn new(lit: &str) -> Next {
        let b = lit.as_bytes();
        Next { first: b[0], rest: b[1..].into() }
    }

    #[inline]
    fn find(&self, hay: &[u8]) -> Option<usize> {
        let mut from = 0;
        while let Some(i) = memchr::memchr(self.first, &hay[from..]) {
            let at = from + i;
            if starts_with_at(hay, at + 1, &self.rest) {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }
}

/// `hay[pos..]` starts with `lit` (a byte loop: the literals are a few bytes, where a
/// `memcmp` call costs more than the comparison).
#[inline]
fn starts_with_at(hay: &[u8], pos: usize, lit: &[u8]) -> bool {
    match hay.get(pos..pos + lit.len()) {
        Some(h) => {
            let mut i = 0;
            while i < lit.len() {
                if h[i] != lit[i] {
                    return false;
                }
                i += 1;
            }
            true
        }
        None => false,
    }
}

impl TextFormat {
    /// A time value, from the cache when it repeats the previous line's.
    fn time(&self, v: &str) -> Option<i64> {
        let mut last = self.last_time.borrow_mut();
        if last.0 == v {
            return Some(last.1);
        }
        let t = crate::timefmt::parse(v)?;
        last.0.clear();
        last.0.push_str(v);
        last.1 = t;
        Some(t)
    }
}

fn assign<'a>(rec: &mut Record<'a>, field: Field, v: &'a str) -> Result<(), String> {
    let bad = |what: &str| format!("`{}` is not {what}", perfhound_term::clip(v, 40));
    match field {
        Field::Client => rec.client = v,
        Field::User => rec.user = v,
        Field::Time => rec.time_s = Some(crate::timefmt::parse(v).ok_or_else(|| bad("a time"))?),
        Field::Request => {
            if let Some((m, t)) = record::split_request(v) {
                (rec.method, rec.target) = (m, t);
            }
        }
        Field::Method => rec.method = v,
        Field::Uri => rec.target = v,
        Field::Status => {
            rec.status = record::uint(v).and_then(|s| u16::try_from(s).ok()).ok_or_else(|| bad("a status"))?
        }
        Field::Bytes => rec.bytes = record::uint(v).ok_or_else(|| bad("a byte count"))?,
        Field::RequestTime => {
            rec.request_us =
                if absent(v) { None } else { Some(record::seconds_to_us(v).ok_or_else(|| bad("seconds"))?) }
        }
        Field::UpstreamTime => rec.upstream_us = record::upstream_list_us(v),
        Field::SetCookie => rec.set_cookie = Some(!absent(v)),
        Field::Credentials => rec.authorized = Some(rec.authorized == Some(true) || !absent(v)),
        Field::Ignored => {}
    }
    Ok(())
}

fn tokenize(fmt: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut rest = fmt;
    while let Some(c) = rest.chars().next() {
        if c != '$' {
            lit.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let (name, after) = if let Some(braced) = rest.strip_prefix("${") {
            let close = braced.find('}').ok_or("`${` without a closing `}`")?;
            (&braced[..close], &braced[close + 1..])
        } else {
            let body = &rest[1..];
            let n = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
            (&body[..n], &body[n..])
        };
        if name.is_empty() {
            return Err("a `$` is not followed by a variable name".into());
        }
        if !lit.is_empty() {
            tokens.push(Token::Lit(std::mem::take(&mut lit)));
        }
        tokens.push(Token::Var(Field::of(name), name.to_string()));
        rest = after;
    }
    if !lit.is_empty() {
        tokens.push(Token::Lit(lit));
    }
    if tokens.is_empty() {
        return Err("the format is empty".into());
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str =
        r#"10.0.0.7 - - [06/Dec/2026:01:40:21 +0000] "GET /api/products/42?x=1 HTTP/1.1" 200 5120 "-" "curl/8" 0.041"#;

    #[test]
    fn combined_with_request_time() {
        let f = TextFormat::compile(COMBINED_RT).unwrap();
        let r = f.parse(LINE).unwrap();
        assert_eq!((r.method, r.target, r.status, r.bytes), ("GET", "/api/products/42?x=1", 200, 5120));
        assert_eq!((r.client, r.request_us, r.time_s), ("10.0.0.7", Some(41_000), Some(1_796_521_221)));
        assert!(TextFormat::compile(COMBINED).unwrap().parse(LINE).unwrap_err().contains("unexpected text"));
    }

    #[test]
    fn custom_format_with_upstream_lists() {
        let f = TextFormat::compile(r#"$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent rt=$request_time urt="$upstream_response_time" c=$sent_http_set_cookie"#).unwrap();
        let r = f
            .parse(r#"::1 [2026-12-06T01:40:21+00:00] "POST /cart HTTP/2.0" 502 0 rt=0.300 urt="0.100, 0.150 : -" c=sid=1"#)
            .unwrap();
        assert_eq!((r.status, r.request_us, r.upstream_us), (502, Some(300_000), Some(250_000)));
        assert_eq!(r.set_cookie, Some(true));
        let e = f.parse(r#"::1 [2026-12-06T01:40:21+00:00] "GET / HTTP/1.1" abc 0 rt=- urt="-" c=-"#).unwrap_err();
        assert!(e.contains("$status") && e.contains("abc"), "{e}");
    }

    #[test]
    fn bad_formats_say_why() {
        assert!(TextFormat::compile("$status$request").unwrap_err().contains("no text between"));
        assert!(TextFormat::compile("$status").unwrap_err().contains("$request"));
        assert!(TextFormat::compile("${request").unwrap_err().contains("closing"));
    }
}
