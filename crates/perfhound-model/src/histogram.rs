//! Mergeable latency histograms.
//!
//! A [`Histogram`] is an HDR histogram of microseconds (3 significant digits, 1 µs to
//! 1 hour). It is serialized as the standard compressed HdrHistogram V2 encoding in
//! base64 — the same bytes `HdrHistogram`'s Java/Go/Python tools read — next to the
//! derived [`LatencySummary`] so a human (or `jq`) can read the run without decoding.
//! Merging two histograms is exact, which is what makes sharded runs combinable.

use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use serde::{Deserialize, Deserializer as SerdeDeserializer, Serialize, Serializer as SerdeSerializer};
use std::io::Read as _;

/// Highest trackable value: one hour in microseconds. Larger values are clamped.
pub const MAX_TRACKABLE_US: u64 = 3_600_000_000;

/// An HDR histogram of durations in microseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    inner: hdrhistogram::Histogram<u64>,
}

/// Why a serialized histogram could not be read back.
#[derive(Debug)]
pub struct HistogramError(pub String);

impl std::fmt::Display for HistogramError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid histogram encoding: {}", self.0)
    }
}

impl std::error::Error for HistogramError {}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram covering 1 µs ..= 1 h with 3 significant digits.
    pub fn new() -> Self {
        let inner = hdrhistogram::Histogram::new_with_bounds(1, MAX_TRACKABLE_US, 3).expect("static bounds are valid");
        Self { inner }
    }

    /// Records one value in microseconds; values beyond one hour are clamped.
    #[inline]
    pub fn record_us(&mut self, value_us: u64) {
        let v = value_us.clamp(1, MAX_TRACKABLE_US);
        // Cannot fail: the value is clamped into the trackable range.
        let _ = self.inner.record(v);
    }

    /// Adds every value of `other` into `self` (exact).
    pub fn merge(&mut self, other: &Histogram) {
        // Same bounds on both sides, so `add` cannot fail.
        let _ = self.inner.add(&other.inner);
    }

    /// Empties the histogram, keeping its allocation.
    pub fn reset(&mut self) {
        self.inner.reset();
    }

    pub fn count(&self) -> u64 {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The value at quantile `q` (0.0..=1.0) in microseconds; 0 when empty.
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.inner.is_empty() {
            return 0;
        }
        self.inner.value_at_quantile(q)
    }

    pub fn max_us(&self) -> u64 {
        if self.inner.is_empty() {
            0
        } else {
            self.inner.max()
        }
    }

    pub fn min_us(&self) -> u64 {
        if self.inner.is_empty() {
            0
        } else {
            self.inner.min()
        }
    }

    pub fn mean_us(&self) -> f64 {
        if self.inner.is_empty() {
            0.0
        } else {
            self.inner.mean()
        }
    }

    /// The recorded values as `(value_us, count)` in ascending order: one entry per
    /// non-empty HDR bucket (what rank tests over two distributions iterate).
    pub fn buckets(&self) -> Vec<(u64, u64)> {
        self.inner.iter_recorded().map(|v| (v.value_iterated_to(), v.count_at_value())).collect()
    }

    /// Percentile distribution points `(percentile, value_us)` for an HdrHistogram plot,
    /// at 1 - 10^-k spaced ticks (50, 75, 90, 95, 99, 99.9, 99.99, … up to the max).
    pub fn distribution(&self) -> Vec<(f64, u64)> {
        if self.inner.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for p in [0.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.999] {
            out.push((p, self.inner.value_at_quantile(p / 100.0)));
        }
        out.push((100.0, self.inner.max()));
        out
    }

    /// Every recorded value with its count, `(value_us, count)` in ascending order (values
    /// at the histogram's precision: 3 significant digits).
    pub fn recorded_us(&self) -> Vec<(u64, u64)> {
        self.inner.iter_recorded().map(|v| (v.value_iterated_to(), v.count_at_value())).collect()
    }

    /// Derived numbers for people and for budgets.
    pub fn summary(&self) -> LatencySummary {
        LatencySummary {
            count: self.count(),
            min_us: self.min_us(),
            mean_us: self.mean_us().round() as u64,
            p50_us: self.quantile_us(0.50),
            p75_us: self.quantile_us(0.75),
            p90_us: self.quantile_us(0.90),
            p95_us: self.quantile_us(0.95),
            p99_us: self.quantile_us(0.99),
            p999_us: self.quantile_us(0.999),
            max_us: self.max_us(),
            stdev_us: if self.is_empty() { 0 } else { self.inner.stdev().round() as u64 },
        }
    }

    /// Standard compressed HdrHistogram V2 encoding, base64 (no padding stripped).
    pub fn to_base64(&self) -> String {
        let mut buf = Vec::new();
        // Serializing into a Vec cannot fail for valid histograms.
        let _ = V2DeflateSerializer::new().serialize(&self.inner, &mut buf);
        base64::engine::general_purpose::STANDARD.encode(buf)
    }

    /// Reads what [`Histogram::to_base64`] wrote (or any V2/V2+deflate HdrHistogram).
    ///
    /// Run files are input: the encoding is checked before the `hdrhistogram` decoder sees
    /// it, because that decoder trusts the header (a 56-byte string claiming a 4 GiB
    /// payload allocated 4 GiB; a 9-byte varint overflowed a negation — both found by
    /// `cargo fuzz`, see docs/fuzzing.md).
    pub fn from_base64(text: &str) -> Result<Self, HistogramError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| HistogramError(format!("not base64: {e}")))?;
        let v2 = checked_v2(&bytes)?;
        let decoded: hdrhistogram::Histogram<u64> =
            Deserializer::new().deserialize(&mut v2.as_slice()).map_err(|e| HistogramError(format!("{e:?}")))?;
        let mut h = Self::new();
        for v in decoded.iter_recorded() {
            let value = v.value_iterated_to().clamp(1, MAX_TRACKABLE_US);
            let _ = h.inner.record_n(value, v.count_at_value());
        }
        Ok(h)
    }
}

const V2_COOKIE: u32 = 0x1c84_9313;
const V2_COMPRESSED_COOKIE: u32 = 0x1c84_9314;
const V2_HEADER_BYTES: usize = 40;
/// Far above any histogram perfhound writes (a few kB), far below harm.
const MAX_DECODED_BYTES: u64 = 1 << 20;
/// Highest value bound accepted in a header (≈ 50 days in µs); bounds the counts array.
const MAX_HIGHEST: u64 = 1 << 42;

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The uncompressed V2 encoding, validated so the decoder cannot be made to allocate
/// without bound or overflow.
fn checked_v2(bytes: &[u8]) -> Result<Vec<u8>, HistogramError> {
    let err = |m: &str| HistogramError(m.to_string());
    let v2 = match be_u32(bytes, 0) {
        Some(V2_COOKIE) => bytes.to_vec(),
        Some(V2_COMPRESSED_COOKIE) => {
            let len = be_u32(bytes, 4).ok_or_else(|| err("truncated header"))? as usize;
            let body = bytes.get(8..8 + len).ok_or_else(|| err("compressed length exceeds the data"))?;
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(body)
                .take(MAX_DECODED_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|e| HistogramError(format!("bad deflate data: {e}")))?;
            if out.len() as u64 > MAX_DECODED_BYTES {
                return Err(err("decoded histogram larger than 1 MiB"));
            }
            out
        }
        _ => return Err(err("not an HdrHistogram V2 encoding")),
    };
    if be_u32(&v2, 0) != Some(V2_COOKIE) || v2.len() < V2_HEADER_BYTES {
        return Err(err("truncated or invalid V2 header"));
    }
    let payload_len = be_u32(&v2, 4).unwrap_or(u32::MAX) as usize;
    let digits = be_u32(&v2, 12).unwrap_or(u32::MAX);
    let (low, high) = (be_u64(&v2, 16).unwrap_or(0), be_u64(&v2, 24).unwrap_or(u64::MAX));
    if payload_len > v2.len() - V2_HEADER_BYTES {
        return Err(err("payload length exceeds the data"));
    }
    if digits > 5 || low == 0 || high > MAX_HIGHEST || high < low.saturating_mul(2) {
        return Err(err("histogram bounds out of range"));
    }
    // A 9-byte varint (8 continuation bytes in a row) means a count ≥ 2^55: never real,
    // and the only way to encode the value the decoder cannot negate.
    let payload = &v2[V2_HEADER_BYTES..V2_HEADER_BYTES + payload_len];
    let mut run = 0;
    for b in payload {
        run = if b & 0x80 != 0 { run + 1 } else { 0 };
        if run >= 8 {
            return Err(err("count out of range"));
        }
    }
    Ok(v2)
}

/// Percentiles derived from a [`Histogram`], all in microseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min_us: u64,
    pub mean_us: u64,
    pub p50_us: u64,
    pub p75_us: u64,
    pub p90_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    pub stdev_us: u64,
}

#[derive(Serialize, Deserialize)]
struct HistogramRepr {
    #[serde(flatten)]
    summary: LatencySummary,
    /// HdrHistogram V2 + deflate, base64.
    hdr: String,
}

impl Serialize for Histogram {
    fn serialize<S: SerdeSerializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        HistogramRepr { summary: self.summary(), hdr: self.to_base64() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Histogram {
    fn deserialize<D: SerdeDeserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = HistogramRepr::deserialize(d)?;
        Histogram::from_base64(&repr.hdr).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_exact_and_roundtrips() {
        let (mut a, mut b, mut both) = (Histogram::new(), Histogram::new(), Histogram::new());
        for v in 1..=1000 {
            a.record_us(v);
            b.record_us(v * 1000);
            both.record_us(v);
            both.record_us(v * 1000);
        }
        // Exact: merging equals having recorded every value in one histogram, in any order.
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, both);
        assert_eq!(ba, both);
        assert_eq!(ab.summary(), both.summary());
        for q in [0.0, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(ab.quantile_us(q), both.quantile_us(q), "q = {q}");
        }
        assert_eq!(ab.distribution(), both.distribution());
        // Shards merged after a round trip through the run file are exact too.
        let shard = |h: &Histogram| Histogram::from_base64(&h.to_base64()).unwrap();
        let mut decoded = shard(&a);
        decoded.merge(&shard(&b));
        assert_eq!(decoded, both);
        let back: Histogram = serde_json::from_str(&serde_json::to_string(&ab).unwrap()).unwrap();
        assert_eq!(back, both);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Histogram::from_base64("!!!").is_err());
        assert!(Histogram::from_base64("AAAA").is_err());
    }

    #[test]
    fn fuzzer_findings_are_errors() {
        // i64::MIN varint: overflowed a negation in hdrhistogram's decoder.
        let negate = "HISTEwAAAAkAAAAAAAAAAwAAAAAAAAABAAAAANaTpAA/8AAAAAAAAP///////////w==";
        // Header claims a 4 GiB payload: made the decoder allocate it.
        let huge = "HISTE/////8AAAAAAAAAAwAAAAAAAAABAAAAANaTpAA/8AAAAAAAAA==";
        assert!(Histogram::from_base64(negate).is_err());
        assert!(Histogram::from_base64(huge).unwrap_err().0.contains("exceeds"));
    }

    #[test]
    fn clamps_out_of_range() {
        let mut h = Histogram::new();
        h.record_us(0);
        h.record_us(u64::MAX);
        assert_eq!(h.count(), 2);
        assert!(h.max_us() >= MAX_TRACKABLE_US);
    }
}
