//! W3C Trace Context `traceparent` headers that carry the load's request name.
//!
//! With `HttpOptions::traceparent = Some(nonce)`, every request gets
//! `traceparent: 00-<trace id>-<parent id>-01` where the 16-byte trace id is
//! `nonce (8 bytes) · request name index (2 bytes) · sequence (6 bytes)`. A service that
//! continues incoming traces (every OpenTelemetry SDK does, with the default propagator)
//! records its spans under that trace id, so [`request_name_of`] ties each of its traces
//! to the load request that caused it — exactly, with no per-request state in the
//! generator. The `sampled` flag is set so parent-based samplers keep these traces.

use http::header::{HeaderName, HeaderValue};
use std::sync::atomic::{AtomicU64, Ordering};

pub const HEADER: HeaderName = HeaderName::from_static("traceparent");

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// The name index of perfhound's own requests outside the scenario (the compression
/// probe after a run): their traces are perfhound's, not the service's traffic, and an
/// audit leaves them out. Scenario name indices stay below it.
pub const PROBE_NAME_ID: usize = 0xffff;

/// A random, non-zero run nonce.
pub fn new_nonce() -> u64 {
    rand::random::<u64>() | 1
}

/// The header value for one request of `name_id`.
pub fn header(nonce: u64, name_id: usize) -> HeaderValue {
    let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff_ffff;
    let parent = (seq.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ nonce) | 1;
    let name = (name_id as u64).min(PROBE_NAME_ID as u64);
    let text = format!("00-{nonce:016x}{name:04x}{seq:012x}-{parent:016x}-01");
    HeaderValue::from_str(&text)
        .unwrap_or(HeaderValue::from_static("00-00000000000000000000000000000001-0000000000000001-00"))
}

/// The request name index encoded in `trace_id` by a run with `nonce`, if it is one of its.
pub fn request_name_of(nonce: u64, trace_id: &[u8; 16]) -> Option<usize> {
    let mut head = [0u8; 8];
    head.copy_from_slice(&trace_id[..8]);
    (u64::from_be_bytes(head) == nonce).then(|| usize::from(u16::from_be_bytes([trace_id[8], trace_id[9]])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace_id_of(value: &HeaderValue) -> [u8; 16] {
        let hex = value.to_str().unwrap().split('-').nth(1).unwrap().to_string();
        let mut id = [0u8; 16];
        for (i, b) in id.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        id
    }

    #[test]
    fn round_trips_the_request_name_and_is_valid_w3c() {
        let nonce = new_nonce();
        let a = header(nonce, 7);
        let b = header(nonce, 7);
        assert_ne!(a, b, "each request gets its own trace");
        let parts: Vec<&str> = a.to_str().unwrap().split('-').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!((parts[0], parts[1].len(), parts[2].len(), parts[3]), ("00", 32, 16, "01"));
        assert_ne!(parts[2], "0000000000000000");
        assert_eq!(request_name_of(nonce, &trace_id_of(&a)), Some(7));
        assert_eq!(request_name_of(nonce ^ 2, &trace_id_of(&a)), None);
    }
}
