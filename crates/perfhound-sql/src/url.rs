//! URL and key templating: variable path segments become placeholders so that calls to one
//! endpoint group together.
//!
//! `/users/42` → `/users/{id}`, `/files/3f2a…e9` → `/files/{hash}`,
//! `/orders/6f1c…-…` (UUID) → `/orders/{uuid}`, `/reports/2024-05-01` → `/reports/{date}`,
//! `?page=2&q=x` → `?page=?&q=?`. Words such as `v2`, `oauth2` or `html5` are kept: a
//! segment is only variable when it is mostly digits, a long hex string, a UUID, a date, an
//! e-mail address or a long random-looking token.

/// Templates a full URL or a path: keeps scheme, host and port, templates the path and the
/// query values, drops the fragment and any userinfo.
pub fn template_url(url: &str) -> String {
    let (before_fragment, _) = url.split_once('#').unwrap_or((url, ""));
    let (scheme, host, rest) = split_origin(before_fragment);
    let (path, query) = rest.split_once('?').map_or((rest, None), |(p, q)| (p, Some(q)));
    let mut out = String::with_capacity(url.len());
    out.push_str(scheme);
    out.push_str(host);
    out.push_str(&template_path(path));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        for (i, pair) in q.split('&').filter(|p| !p.is_empty()).enumerate() {
            if i > 0 {
                out.push('&');
            }
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            out.push_str(key);
            out.push_str("=?");
        }
    }
    out
}

/// `("scheme://", "host:port", rest)` with any userinfo (credentials) removed, or
/// `("", "", url)` for a bare path.
fn split_origin(url: &str) -> (&str, &str, &str) {
    let Some(scheme_end) = url.find("://") else { return ("", "", url) };
    let after = &url[scheme_end + 3..];
    let path_start = after.find(['/', '?']).unwrap_or(after.len());
    let authority = &after[..path_start];
    let host = authority.rfind('@').map_or(authority, |at| &authority[at + 1..]);
    (&url[..scheme_end + 3], host, &after[path_start..])
}

/// Templates the segments of a path (`/a/42/b` → `/a/{id}/b`).
pub fn template_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(template_segment(seg).unwrap_or(seg));
    }
    out
}

/// Templates a cache or message key such as `user:42:profile` or `session/9f8e…`.
pub fn template_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut start = 0;
    for (i, c) in key.char_indices() {
        if matches!(c, ':' | '/' | '.' | '|' | '#') {
            let seg = &key[start..i];
            out.push_str(template_segment(seg).unwrap_or(seg));
            out.push(c);
            start = i + c.len_utf8();
        }
    }
    let seg = &key[start..];
    out.push_str(template_segment(seg).unwrap_or(seg));
    out
}

/// The placeholder for a variable segment, or `None` to keep it.
pub fn template_segment(seg: &str) -> Option<&'static str> {
    if seg.is_empty() || seg.starts_with('{') || seg.starts_with(':') {
        return None;
    }
    let bytes = seg.as_bytes();
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    if digits == bytes.len() {
        return Some("{id}");
    }
    if is_uuid(bytes) {
        return Some("{uuid}");
    }
    if is_date(bytes) {
        return Some("{date}");
    }
    if seg.contains('@') && seg.contains('.') {
        return Some("{email}");
    }
    let hex = bytes.iter().all(u8::is_ascii_hexdigit);
    if hex && bytes.len() >= 8 && digits > 0 && digits < bytes.len() {
        return Some("{hash}");
    }
    // Numeric-looking ids with a prefix or suffix: `ORD-12345`, `user_9876`, `12345.json`.
    if digits >= 3 && digits * 2 >= bytes.len().saturating_sub(5) {
        return Some("{id}");
    }
    if bytes.len() >= 20 && looks_random(bytes) {
        return Some("{token}");
    }
    None
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

fn is_date(b: &[u8]) -> bool {
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Base64/base62-like tokens: letters of both cases and digits, few separators.
fn looks_random(b: &[u8]) -> bool {
    let upper = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = b.iter().filter(|c| c.is_ascii_lowercase()).count();
    let digit = b.iter().filter(|c| c.is_ascii_digit()).count();
    let other = b.len() - upper - lower - digit;
    upper > 0 && lower > 0 && digit > 0 && other * 10 <= b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_common_ids() {
        assert_eq!(
            template_url("http://api:8080/users/42/orders?page=2&q=x#top"),
            "http://api:8080/users/{id}/orders?page=?&q=?"
        );
        assert_eq!(template_path("/o/123e4567-e89b-12d3-a456-426614174000"), "/o/{uuid}");
        assert_eq!(template_path("/f/3f2a9c1be4d5"), "/f/{hash}");
        assert_eq!(template_path("/r/2024-05-01"), "/r/{date}");
        assert_eq!(template_path("/orders/ORD-12345"), "/orders/{id}");
        assert_eq!(template_path("/api/v2/oauth2/html5"), "/api/v2/oauth2/html5");
        assert_eq!(template_path("/users/{id}"), "/users/{id}");
        assert_eq!(template_key("user:42:profile"), "user:{id}:profile");
        assert_eq!(template_url("https://bob:secret@h/x"), "https://h/x");
    }

    #[test]
    fn words_stay() {
        for w in ["users", "deadbeef", "cafe", "v1", "2fa", "s3", "index.html"] {
            assert_eq!(template_segment(w), None, "{w}");
        }
    }
}
