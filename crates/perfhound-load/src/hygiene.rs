//! HTTP hygiene seen in responses during a load run, turned into findings.
//!
//! Rules (one `const` each, see [`RULES`]):
//! - `PH-HTTP001 uncompressed-text-response`: text over 1 KB sent without
//!   `Content-Encoding` although the client offered gzip/br.
//! - `PH-HTTP002 missing-cache-validators`: successful GET responses with none of
//!   `Cache-Control`, `ETag`, `Last-Modified`.
//! - `PH-HTTP003 keep-alive-not-honored`: the server closed persistent connections. A
//!   server setting, so one finding per server ([`server_findings`]) lists every request
//!   name it affected instead of one finding per name.
//! - `PH-HTTP004 redirect-chain`: requests that go through redirects.

use http::{HeaderMap, Method, StatusCode};
use perfhound_model::{Effort, Finding, Rule, Severity};

/// Text bodies above this size should be compressed.
pub const COMPRESSIBLE_MIN_BYTES: u64 = 1024;

pub const UNCOMPRESSED_TEXT: Rule = Rule {
    code: "PH-HTTP001",
    name: "uncompressed-text-response",
    severity: Severity::Warning,
    summary: "Text responses over 1 KB are sent without compression although the client accepts gzip or br.",
    why: "Uncompressed JSON/HTML/CSS/JS is typically 3-10x larger on the wire: more transfer time per request, more bandwidth and egress cost.",
    fix: "Enable response compression (gzip or br) for text content types above ~1 KB in the server or reverse proxy.",
};

pub const MISSING_CACHE_VALIDATORS: Rule = Rule {
    code: "PH-HTTP002",
    name: "missing-cache-validators",
    severity: Severity::Info,
    summary: "Successful GET responses carry no Cache-Control, ETag or Last-Modified header.",
    why: "Without caching headers, browsers, CDNs and proxies must refetch the full response every time; with a validator they could get a 304.",
    fix: "Send `Cache-Control` (e.g. `private, max-age=60` or `no-store` when it must not be cached) and an `ETag` or `Last-Modified` validator.",
};

pub const KEEP_ALIVE_NOT_HONORED: Rule = Rule {
    code: "PH-HTTP003",
    name: "keep-alive-not-honored",
    severity: Severity::Warning,
    summary: "The server closes persistent (keep-alive) connections, forcing a new TCP (and TLS) handshake.",
    why: "Every new connection costs at least one round trip (three with TLS) and server CPU; under load it also exhausts ephemeral ports.",
    fix: "Keep connections open: remove `Connection: close`, raise the server's keep-alive timeout and max requests per connection.",
};

pub const REDIRECT_CHAIN: Rule = Rule {
    code: "PH-HTTP004",
    name: "redirect-chain",
    severity: Severity::Info,
    summary: "Requests go through one or more redirects before reaching the final response.",
    why: "Each redirect hop is a full extra round trip before the client gets any content.",
    fix:
        "Link to the final URL directly (fix trailing slashes, http→https and canonical-host redirects at the source).",
};

/// Every rule of this module, for `perfhound rules`.
pub const RULES: [Rule; 4] = [UNCOMPRESSED_TEXT, MISSING_CACHE_VALIDATORS, KEEP_ALIVE_NOT_HONORED, REDIRECT_CHAIN];

/// Hygiene counters for one request name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HygieneCounts {
    pub responses: u64,
    /// Text > 1 KB without Content-Encoding although the request offered gzip/br.
    pub uncompressed_offered: u64,
    /// Text > 1 KB without Content-Encoding and the request did not offer compression.
    pub uncompressed_not_offered: u64,
    pub uncompressed_bytes: u64,
    pub get_2xx: u64,
    pub get_without_validators: u64,
    /// HTTP/1.1 responses that announced `Connection: close`.
    pub connection_close: u64,
    /// Connections that had to be re-opened because the server closed them.
    pub reconnects: u64,
    pub redirected_requests: u64,
    pub redirect_hops: u64,
    pub max_chain: u64,
    /// An example URL (for findings).
    pub example_url: Option<String>,
    /// An example GET URL whose text response was uncompressed (for the probe).
    pub probe_url: Option<String>,
}

impl HygieneCounts {
    pub fn merge(&mut self, o: &HygieneCounts) {
        self.responses += o.responses;
        self.uncompressed_offered += o.uncompressed_offered;
        self.uncompressed_not_offered += o.uncompressed_not_offered;
        self.uncompressed_bytes += o.uncompressed_bytes;
        self.get_2xx += o.get_2xx;
        self.get_without_validators += o.get_without_validators;
        self.connection_close += o.connection_close;
        self.reconnects += o.reconnects;
        self.redirected_requests += o.redirected_requests;
        self.redirect_hops += o.redirect_hops;
        self.max_chain = self.max_chain.max(o.max_chain);
        if self.example_url.is_none() {
            self.example_url.clone_from(&o.example_url);
        }
        if self.probe_url.is_none() {
            self.probe_url.clone_from(&o.probe_url);
        }
    }

    /// Looks at one final response.
    pub fn observe(
        &mut self,
        method: &Method,
        offered_compression: bool,
        status: StatusCode,
        headers: &HeaderMap,
        body_len: u64,
        url: &http::Uri,
    ) {
        self.responses += 1;
        if self.example_url.is_none() {
            self.example_url = Some(url.to_string());
        }
        if body_len > COMPRESSIBLE_MIN_BYTES
            && is_text(headers)
            && !headers.contains_key(http::header::CONTENT_ENCODING)
        {
            if offered_compression {
                self.uncompressed_offered += 1;
            } else {
                self.uncompressed_not_offered += 1;
                if *method == Method::GET && self.probe_url.is_none() {
                    self.probe_url = Some(url.to_string());
                }
            }
            self.uncompressed_bytes += body_len;
        }
        if *method == Method::GET && status.is_success() {
            self.get_2xx += 1;
            let has = |h: http::header::HeaderName| headers.contains_key(h);
            if !has(http::header::CACHE_CONTROL) && !has(http::header::ETAG) && !has(http::header::LAST_MODIFIED) {
                self.get_without_validators += 1;
            }
        }
        if headers.get(http::header::CONNECTION).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close")) {
            self.connection_close += 1;
        }
    }

    pub fn observe_redirects(&mut self, hops: u64) {
        if hops > 0 {
            self.redirected_requests += 1;
            self.redirect_hops += hops;
            self.max_chain = self.max_chain.max(hops);
        }
    }
}

/// Does the request offer gzip or br?
pub fn offers_compression(headers: &HeaderMap) -> bool {
    headers.get_all(http::header::ACCEPT_ENCODING).iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.split(',').any(|t| matches!(t.split(';').next().map(str::trim), Some("gzip" | "br"))))
    })
}

fn is_text(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ct = ct.to_ascii_lowercase();
    ct.starts_with("text/")
        || ["json", "javascript", "xml", "html", "css", "svg", "csv", "yaml"].iter().any(|t| ct.contains(t))
}

/// Result of probing one URL with `Accept-Encoding: gzip, br` after the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeResult {
    /// The server compressed when asked: the load did not ask.
    Compressed,
    /// Still uncompressed when asked.
    Uncompressed,
    /// The probe failed or was not made.
    Unknown,
}

/// Findings about a server as a whole (its keep-alive setting), one per server origin
/// (`scheme://host:port`), each listing the request names it affected in
/// [`Finding::affected`]. `names` pairs each request name with its counters.
pub fn server_findings(names: &[(&str, &HygieneCounts)]) -> Vec<Finding> {
    let mut servers: Vec<(String, HygieneCounts, Vec<String>)> = Vec::new();
    for (name, h) in names {
        let origin = h.example_url.as_deref().map_or_else(|| "the server".to_string(), origin_of);
        let pos = servers.iter().position(|(o, _, _)| *o == origin).unwrap_or_else(|| {
            servers.push((origin, HygieneCounts::default(), Vec::new()));
            servers.len() - 1
        });
        let (_, total, affected) = &mut servers[pos];
        total.merge(h);
        if h.connection_close.max(h.reconnects) > 0 {
            affected.push(name.to_string());
        }
    }
    servers.into_iter().filter_map(|(origin, h, affected)| keep_alive(&origin, &h, affected)).collect()
}

/// PH-HTTP003 when at least 5% of the server's responses closed the connection.
fn keep_alive(origin: &str, h: &HygieneCounts, affected: Vec<String>) -> Option<Finding> {
    let closes = h.connection_close.max(h.reconnects);
    if closes == 0 || h.responses == 0 || closes * 20 < h.responses {
        return None;
    }
    let title = match affected.len() {
        1 => format!("server `{origin}` closes keep-alive connections (on `{}`)", affected[0]),
        n => format!("server `{origin}` closes keep-alive connections ({n} endpoints)"),
    };
    let mut f = Finding::new(&KEEP_ALIVE_NOT_HONORED, origin, title);
    // One server setting: the same problem whatever port a test run got.
    f.fingerprint = perfhound_model::finding::fingerprint(&[KEEP_ALIVE_NOT_HONORED.code, host_of(origin)]);
    f.recommendation.effort = Some(Effort::QuickWin);
    f.evidence.counts.insert("connection_close_responses".into(), h.connection_close);
    f.evidence.counts.insert("reconnects".into(), h.reconnects);
    f.evidence.counts.insert("responses".into(), h.responses);
    f.evidence.counts.insert("endpoints".into(), affected.len() as u64);
    f.impact.occurrences = Some(closes);
    f.affected = affected;
    Some(f)
}

/// `http://host:port` of a URL (the URL itself when it has no scheme).
fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("{scheme}://{authority}")
}

/// The host of an origin, without scheme and port.
fn host_of(origin: &str) -> &str {
    let authority = origin.split_once("://").map_or(origin, |(_, a)| a);
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// Turns hygiene counters into findings for one request name (server-wide problems are
/// [`server_findings`]).
pub fn findings(name: &str, h: &HygieneCounts, probe: &ProbeResult) -> Vec<Finding> {
    let mut out = Vec::new();
    let uncompressed = h.uncompressed_offered + h.uncompressed_not_offered;
    let server_fault = h.uncompressed_offered > 0 || *probe == ProbeResult::Uncompressed;
    if uncompressed > 0 && server_fault {
        let mut f = Finding::new(&UNCOMPRESSED_TEXT, name, format!("`{name}` sends text responses uncompressed"));
        let avg = h.uncompressed_bytes / uncompressed.max(1);
        f.evidence.counts.insert("uncompressed_responses".into(), uncompressed);
        f.evidence.counts.insert("responses".into(), h.responses);
        f.evidence.sizes_bytes.insert("avg_body_bytes".into(), avg);
        if h.uncompressed_offered == 0 {
            f.evidence.notes.push("the load did not send Accept-Encoding; a probe with `Accept-Encoding: gzip, br` was still answered uncompressed".into());
        }
        f.evidence.examples.extend(h.example_url.clone());
        // Text typically compresses ~70%; say so as an estimate.
        f.impact.bytes_saved_per_request = Some(avg * 7 / 10);
        f.impact.occurrences = Some(uncompressed);
        f.recommendation.effort = Some(Effort::QuickWin);
        f.recommendation.snippet = Some("# nginx\ngzip on;\ngzip_min_length 1024;\ngzip_types application/json text/css application/javascript text/plain;".into());
        f.recommendation.snippet_lang = Some("nginx".into());
        out.push(f);
    }
    if h.get_without_validators > 0 {
        let mut f =
            Finding::new(&MISSING_CACHE_VALIDATORS, name, format!("`{name}` responses have no caching headers"));
        f.recommendation.effort = Some(Effort::QuickWin);
        f.evidence.counts.insert("get_2xx_responses".into(), h.get_2xx);
        f.evidence.counts.insert("without_cache_headers".into(), h.get_without_validators);
        f.evidence.examples.extend(h.example_url.clone());
        f.impact.occurrences = Some(h.get_without_validators);
        out.push(f);
    }
    if h.redirected_requests > 0 {
        let mut f = Finding::new(
            &REDIRECT_CHAIN,
            name,
            format!("`{name}` goes through redirects (longest chain: {})", h.max_chain),
        );
        if h.max_chain >= 2 {
            f.severity = Severity::Warning;
        }
        f.recommendation.effort = Some(Effort::QuickWin);
        f.evidence.counts.insert("redirected_requests".into(), h.redirected_requests);
        f.evidence.counts.insert("redirect_hops".into(), h.redirect_hops);
        f.evidence.counts.insert("longest_chain".into(), h.max_chain);
        f.evidence.examples.extend(h.example_url.clone());
        f.impact.occurrences = Some(h.redirected_requests);
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn uncompressed_json_over_1k_is_flagged_only_when_offered_or_probed() {
        let mut h = HygieneCounts::default();
        let json = headers(&[("content-type", "application/json"), ("cache-control", "no-store")]);
        h.observe(&Method::GET, true, StatusCode::OK, &json, 5000, &"http://127.0.0.1/x".parse().unwrap());
        let f = findings("GET /x", &h, &ProbeResult::Unknown);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule.code, "PH-HTTP001");

        let mut quiet = HygieneCounts::default();
        quiet.observe(&Method::GET, false, StatusCode::OK, &json, 5000, &"http://u/".parse().unwrap());
        assert!(findings("GET /x", &quiet, &ProbeResult::Compressed).is_empty());
        assert_eq!(findings("GET /x", &quiet, &ProbeResult::Uncompressed).len(), 1);
    }

    #[test]
    fn small_or_binary_or_encoded_bodies_are_fine() {
        let mut h = HygieneCounts::default();
        let ok = headers(&[("content-type", "image/png"), ("etag", "x")]);
        h.observe(&Method::GET, true, StatusCode::OK, &ok, 50_000, &"http://u/".parse().unwrap());
        let gz = headers(&[("content-type", "text/html"), ("content-encoding", "gzip"), ("etag", "x")]);
        h.observe(&Method::GET, true, StatusCode::OK, &gz, 50_000, &"http://u/".parse().unwrap());
        let small = headers(&[("content-type", "text/html"), ("etag", "x")]);
        h.observe(&Method::GET, true, StatusCode::OK, &small, 100, &"http://u/".parse().unwrap());
        assert!(findings("n", &h, &ProbeResult::Uncompressed).is_empty());
    }

    #[test]
    fn cache_keepalive_and_redirects() {
        let mut h = HygieneCounts::default();
        h.observe(
            &Method::GET,
            false,
            StatusCode::OK,
            &headers(&[("connection", "close")]),
            10,
            &"http://u/".parse().unwrap(),
        );
        h.observe_redirects(2);
        let codes: Vec<_> = findings("n", &h, &ProbeResult::Unknown).into_iter().map(|f| f.rule.code).collect();
        assert_eq!(codes, ["PH-HTTP002", "PH-HTTP004"]);
        assert_eq!(server_findings(&[("n", &h)])[0].rule.code, "PH-HTTP003");
        assert!(findings("n", &h, &ProbeResult::Unknown)
            .iter()
            .all(|f| f.recommendation.effort == Some(Effort::QuickWin)));
        assert!(offers_compression(&headers(&[("accept-encoding", "deflate, gzip;q=0.8")])));
        assert!(!offers_compression(&headers(&[("accept-encoding", "identity")])));
    }

    fn closing(url: &str, responses: u64, closes: u64) -> HygieneCounts {
        let mut h = HygieneCounts::default();
        let uri: http::Uri = url.parse().unwrap();
        let close = headers(&[("connection", "close"), ("etag", "x")]);
        let keep = headers(&[("etag", "x")]);
        for i in 0..responses {
            let hs = if i < closes { &close } else { &keep };
            h.observe(&Method::GET, false, StatusCode::OK, hs, 10, &uri);
        }
        h
    }

    #[test]
    fn keep_alive_is_one_finding_per_server_listing_its_endpoints() {
        let a = closing("http://user:pw@127.0.0.1:8080/a?x=1", 10, 10);
        let b = closing("http://127.0.0.1:8080/b", 10, 10);
        let fine = closing("http://127.0.0.1:8080/c", 10, 0);
        let other = closing("http://127.0.0.1:9090/d", 100, 1);
        let f = server_findings(&[("GET /a", &a), ("GET /b", &b), ("GET /c", &fine), ("GET /d", &other)]);
        assert_eq!(f.len(), 1, "the 9090 server closed 1 in 100 (< 5%): {f:?}");
        assert_eq!(f[0].target, "http://127.0.0.1:8080");
        assert_eq!(f[0].affected, ["GET /a", "GET /b"]);
        assert_eq!(f[0].evidence.counts["responses"], 30);
        assert_eq!(f[0].evidence.counts["connection_close_responses"], 20);
        assert!(f[0].title.contains("2 endpoints"), "{}", f[0].title);
        let again = server_findings(&[("GET /a", &closing("http://127.0.0.1:1234/a", 10, 10))]);
        assert_eq!(again[0].fingerprint, f[0].fingerprint, "a new port is the same server setting");
    }
}
