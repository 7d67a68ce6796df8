//! Maps keyed by hashes perfhound computed already (FNV-1a of a statement shape, a label,
//! a URL, a cache key) or by random ids (trace ids): one multiply mixes the key instead of
//! SipHash hashing it a second time on every span or log line. Not for keys an attacker
//! picks freely and that are not hashed first.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// The hasher of [`KeyMap`]: integers are mixed by one multiply, bytes eight at a time.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(5) ^ n.wrapping_mul(MIX);
    }
}

/// A hash map keyed by an already computed 64-bit hash.
pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn sequential_keys_spread_over_the_high_bits() {
        // hashbrown picks buckets from the low bits and tags from the top 7: both must vary.
        let b = BuildHasherDefault::<IdHasher>::default();
        let tops: std::collections::HashSet<u64> = (0..1_000u64).map(|k| b.hash_one(k) >> 57).collect();
        let lows: std::collections::HashSet<u64> = (0..1_000u64).map(|k| b.hash_one(k) & 1023).collect();
        assert!(tops.len() > 100, "{}", tops.len());
        assert!(lows.len() > 600, "{}", lows.len());
        let mut m: KeyMap<u32> = KeyMap::default();
        m.insert(7, 1);
        assert_eq!(m.get(&7), Some(&1));
    }
}
