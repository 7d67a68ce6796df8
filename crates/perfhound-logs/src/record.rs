//! [`Record`]: one access-log line's fields, borrowed from the line, and the value
//! grammars every format shares: `$request` lines, `$request_time` seconds, upstream time
//! lists (`0.010, 0.020 : 0.005`), `-` for absent.

/// The fields perfhound uses from one request. Absent fields are `None` / empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record<'a> {
    /// `GET`, `POST`…; empty when the request line could not be split.
    pub method: &'a str,
    /// Path and query as sent (`/products/42?color=red`), or a full URL.
    pub target: &'a str,
    pub status: u16,
    /// Response body bytes (`$body_bytes_sent`, `%b`, Caddy `size`).
    pub bytes: u64,
    /// Seconds since the Unix epoch.
    pub time_s: Option<i64>,
    /// `$request_time` in microseconds.
    pub request_us: Option<u64>,
    /// `$upstream_response_time` (sum of its list) in microseconds.
    pub upstream_us: Option<u64>,
    /// `$remote_addr` (or the client field of a JSON log).
    pub client: &'a str,
    /// `$remote_user`: set means the request was authenticated.
    pub user: &'a str,
    /// Whether the response set a cookie, when the format records it.
    pub set_cookie: Option<bool>,
    /// Whether the request carried credentials (Authorization/Cookie), when recorded.
    pub authorized: Option<bool>,
}

impl Record<'_> {
    /// The latency to measure: `$request_time`, else the upstream time.
    pub fn latency_us(&self) -> Option<u64> {
        self.request_us.or(self.upstream_us)
    }

    /// Whether this request or response must never be cached in a shared cache.
    pub fn private(&self) -> bool {
        self.set_cookie == Some(true) || self.authorized == Some(true) || !absent(self.user)
    }
}

/// `-` and the empty string mean "no value" in access logs.
pub fn absent(v: &str) -> bool {
    v.is_empty() || v == "-"
}

/// Splits `"GET /x?y HTTP/1.1"` into method and target; `None` for anything else
/// (a TLS handshake sent to a plain port, `-`, a bare `/`).
pub fn split_request(line: &str) -> Option<(&str, &str)> {
    let sp = memchr::memchr(b' ', line.as_bytes())?;
    let (method, rest) = (&line[..sp], &line[sp + 1..]);
    let target = match memchr::memrchr(b' ', rest.as_bytes()) {
        Some(i) if rest[i + 1..].starts_with("HTTP/") => &rest[..i],
        _ => rest,
    };
    let method_ok = !method.is_empty() && method.len() <= 16 && method.bytes().all(|b| b.is_ascii_uppercase());
    (method_ok && !target.is_empty()).then_some((method, target))
}

/// Seconds with an optional fraction (`0.123`, `12`, `1.5e-3` is not nginx's) →
/// microseconds. `None` for `-` or anything else that is not a plain decimal.
pub fn seconds_to_us(v: &str) -> Option<u64> {
    let v = v.trim();
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty() && frac.is_empty() || int.len() > 9 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut us: u64 = int.bytes().fold(0, |a, b| a * 10 + u64::from(b - b'0')) * 1_000_000;
    let mut scale = 100_000;
    for b in frac.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        us += u64::from(b - b'0') * scale;
        scale /= 10;
    }
    Some(us)
}

/// `$upstream_response_time`: one value, or a list separated by `,` (servers tried in
/// turn) and `:` (internal redirects); `-` entries (no response) count as 0. The sum in
/// microseconds, `None` when no entry is a number.
pub fn upstream_list_us(v: &str) -> Option<u64> {
    let mut total = None;
    for part in v.split([',', ':']) {
        if let Some(us) = seconds_to_us(part) {
            total = Some(total.unwrap_or(0) + us);
        }
    }
    total
}

/// A plain unsigned integer (`$status`, `$body_bytes_sent`); `-` is 0 bytes.
pub fn uint(v: &str) -> Option<u64> {
    if v == "-" {
        return Some(0);
    }
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(split_request("GET /a?b=1 HTTP/1.1"), Some(("GET", "/a?b=1")));
        assert_eq!(split_request("GET /a b HTTP/2.0"), Some(("GET", "/a b")));
        assert_eq!(split_request("POST /x"), Some(("POST", "/x")));
        assert_eq!(split_request("\\x16\\x03\\x01"), None);
        assert_eq!(split_request("-"), None);
    }

    #[test]
    fn seconds_and_lists() {
        assert_eq!(seconds_to_us("0.123"), Some(123_000));
        assert_eq!(seconds_to_us("2"), Some(2_000_000));
        assert_eq!(seconds_to_us("1.0000015"), Some(1_000_001));
        assert_eq!(seconds_to_us("-"), None);
        assert_eq!(seconds_to_us("1e3"), None);
        assert_eq!(upstream_list_us("0.010, 0.020 : 0.005"), Some(35_000));
        assert_eq!(upstream_list_us("-, 0.002"), Some(2_000));
        assert_eq!(upstream_list_us("-"), None);
    }

    #[test]
    fn private_requests() {
        assert!(!Record::default().private());
        assert!(Record { user: "alice", ..Default::default() }.private());
        assert!(Record { user: "-", set_cookie: Some(true), ..Default::default() }.private());
        assert!(!Record { user: "-", authorized: Some(false), ..Default::default() }.private());
    }
}
