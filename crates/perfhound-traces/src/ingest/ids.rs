//! Trace and span ids as they appear in the wild: hex (OTLP/JSON spec, Jaeger, Zipkin),
//! base64 (protobuf's canonical JSON mapping, which some exporters follow), raw bytes
//! (protobuf), and 64-bit ids of older tracers. Timestamps as numbers or decimal strings.

use crate::span::{SpanId, TraceId};
use base64::Engine as _;

/// Parses a trace id. Empty or malformed → `None`.
pub fn trace_id(text: &str) -> Option<TraceId> {
    if let Some(id) = hex_exact::<16>(text.as_bytes()) {
        return Some(TraceId(id)); // the usual 32 hex digits, decoded in one pass
    }
    let bytes = id_bytes(text, 16)?;
    trace_id_from_bytes(bytes.as_slice())
}

/// Parses a span id (empty → `Some(0)`, meaning "no parent").
pub fn span_id(text: &str) -> Option<SpanId> {
    if text.is_empty() {
        return Some(0);
    }
    if let Some(id) = hex_exact::<8>(text.as_bytes()) {
        return Some(u64::from_be_bytes(id)); // the usual 16 hex digits
    }
    let bytes = id_bytes(text, 8)?;
    span_id_from_bytes(bytes.as_slice())
}

/// Raw id bytes, right-aligned into 16 bytes (shorter ids are left-padded).
pub fn trace_id_from_bytes(b: &[u8]) -> Option<TraceId> {
    if b.is_empty() || b.len() > 16 {
        return None;
    }
    let mut out = [0u8; 16];
    out[16 - b.len()..].copy_from_slice(b);
    Some(TraceId(out))
}

pub fn span_id_from_bytes(b: &[u8]) -> Option<SpanId> {
    if b.is_empty() {
        return Some(0);
    }
    if b.len() > 8 {
        return None;
    }
    let mut out = [0u8; 8];
    out[8 - b.len()..].copy_from_slice(b);
    Some(u64::from_be_bytes(out))
}

/// At most 16 decoded id bytes, without a heap allocation.
struct IdBytes {
    buf: [u8; 16],
    len: usize,
}

impl IdBytes {
    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Decodes hex when the text is all hex digits of a plausible length, else base64.
fn id_bytes(text: &str, width: usize) -> Option<IdBytes> {
    let t = text.trim();
    let is_hex = t.len() % 2 == 0 && t.len() <= width * 2 && t.bytes().all(|c| c.is_ascii_hexdigit());
    // A 16-byte id in base64 is 24 characters; in hex 32. Hex wins when both could apply,
    // except at the exact base64 length with padding or non-hex characters.
    if is_hex && !(t.len() == base64_len(width) && t.ends_with('=')) {
        return Some(hex(t.as_bytes()));
    }
    let b = base64::engine::general_purpose::STANDARD
        .decode(t)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(t))
        .ok()?;
    (b.len() <= width).then(|| {
        let mut out = IdBytes { buf: [0; 16], len: b.len() };
        out.buf[..b.len()].copy_from_slice(&b);
        out
    })
}

fn base64_len(width: usize) -> usize {
    width.div_ceil(3) * 4
}

/// Hex digits (an even number, at most 32, all checked by the caller) to bytes.
fn hex(digits: &[u8]) -> IdBytes {
    let nib = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.to_ascii_lowercase().wrapping_sub(b'a').wrapping_add(10),
    };
    let mut out = IdBytes { buf: [0; 16], len: digits.len() / 2 };
    for (slot, pair) in out.buf.iter_mut().zip(digits.chunks_exact(2)) {
        *slot = nib(pair[0]) << 4 | nib(pair[1]);
    }
    out
}

/// Nibble value of each byte that is a hex digit, 0xff for the others.
const NIBBLE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Exactly `2 * N` hex digits (no spaces) → `N` bytes; anything else → `None`.
fn hex_exact<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    let mut seen = 0u8;
    for (slot, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let (hi, lo) = (NIBBLE[usize::from(pair[0])], NIBBLE[usize::from(pair[1])]);
        seen |= hi | lo;
        *slot = hi << 4 | lo;
    }
    (seen < 16).then_some(out)
}

/// Nanoseconds from a decimal string (OTLP/JSON int64 encoding) — `None` when not a number.
pub fn nanos_str(text: &str) -> Option<u64> {
    if (1..=19).contains(&text.len()) {
        // Plain digits (the usual form), at most 19 so no overflow.
        if let Some(n) = plain_digits(text.as_bytes()) {
            return Some(n);
        }
    }
    let t = text.trim();
    t.parse::<u64>().ok().or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
}

/// The value of 1 to 19 ASCII digits, `None` if any byte is not a digit. Eight digits at a
/// time (a 19-digit timestamp digit by digit is a 19-step chain of multiply-adds: 3.5 % of
/// an OTLP/JSON ingest profile).
fn plain_digits(b: &[u8]) -> Option<u64> {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    let head = b.len() % 8;
    let mut n = 0u64;
    for &c in &b[..head] {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    for chunk in b[head..].chunks_exact(8) {
        let v = u64::from_le_bytes(chunk.try_into().ok()?);
        // Every byte 0x30..=0x3F, and none 0x3A..=0x3F (adding 6 would carry into the
        // high nibble).
        if v & HIGH != ZEROS || v.wrapping_add(0x0606_0606_0606_0606) & HIGH != ZEROS {
            return None;
        }
        n = n * 100_000_000 + eight_digits(v);
    }
    Some(n)
}

/// Eight ASCII digits loaded little-endian (first digit in the lowest byte) → their value.
fn eight_digits(v: u64) -> u64 {
    let v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_digits_match_the_standard_parser() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in 1..=19usize {
            for _ in 0..2_000 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let digits: String = (0..len).map(|i| char::from(b'0' + ((x >> (i * 3 % 61)) % 10) as u8)).collect();
                assert_eq!(nanos_str(&digits), digits.parse::<u64>().ok(), "{digits}");
                // One byte replaced by each non-digit neighbour of the digit range.
                for bad in [b'/', b':', b'?', b' ', 0xB0] {
                    let mut b = digits.clone().into_bytes();
                    b[(x as usize) % len] = bad;
                    assert_eq!(plain_digits(&b), None, "{b:?}");
                }
            }
        }
        assert_eq!(nanos_str("9999999999999999999"), Some(9_999_999_999_999_999_999));
        assert_eq!(nanos_str("0000000000000000001"), Some(1));
    }

    #[test]
    fn hex_and_base64_agree() {
        let hex_id = trace_id("5b8efff798038103d269b633813fc60c").unwrap();
        let b64_id = trace_id("W47/95gDgQPSabYzgT/GDA==").unwrap();
        assert_eq!(hex_id, b64_id);
        assert_eq!(span_id("eee19b7ec3c1b174"), span_id("7uGbfsPBsXQ="));
        assert_eq!(span_id(""), Some(0));
        assert_eq!(span_id("EEE19B7EC3C1B174"), span_id("eee19b7ec3c1b174"), "upper-case hex");
        assert_eq!(span_id("00ff"), Some(255));
    }

    #[test]
    fn short_ids_are_padded_and_garbage_rejected() {
        let t = trace_id("d269b633813fc60c").unwrap();
        assert_eq!(t.to_string(), "0000000000000000d269b633813fc60c");
        assert_eq!(trace_id("not an id!"), None);
        assert_eq!(span_id("zz"), None);
        assert_eq!(nanos_str("1700000000000000000"), Some(1_700_000_000_000_000_000));
        assert_eq!(nanos_str("x"), None);
        assert_eq!(nanos_str(" 12 "), Some(12));
        assert_eq!(nanos_str("18446744073709551615"), Some(u64::MAX));
        assert_eq!(nanos_str("18446744073709551616"), Some(18446744073709551616.0f64 as u64));
        assert_eq!(nanos_str("0"), Some(0));
        assert_eq!(span_id("eee19b7ec3c1b17g"), None, "16 characters, one not hex");
        assert_eq!(trace_id("5B8EFFF798038103D269B633813FC60C"), trace_id("5b8efff798038103d269b633813fc60c"));
    }
}
