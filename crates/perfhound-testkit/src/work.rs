//! `/work/{shape}/{n}`: CPU work of a known complexity in `n`, for tests that measure
//! growth from the outside (`perfhound complexity`).
//!
//! | shape | iterations of a small arithmetic loop |
//! |---|---|
//! | `constant` | [`UNIT`] × 1000, whatever `n` is |
//! | `linear` | [`UNIT`] × `n` |
//! | `quadratic` | [`UNIT`] × `n²` / 100 |
//!
//! So at n = 1000 the constant and linear shapes do the same work (the quadratic one 10×
//! more, so its smallest sizes already take longer than a scheduler time slice), and the
//! exponents are 0, 1 and 2 exactly.

/// Loop iterations per unit of work.
pub const UNIT: u64 = 4_000;
/// Largest `n` served (the quadratic shape at this size is ~4·10^9 iterations).
pub const MAX_N: u64 = 100_000;

/// Iterations for `shape` at `n`; `None` for an unknown shape or an `n` out of range.
pub fn iterations(shape: &str, n: &str) -> Option<u64> {
    let n: u64 = n.parse().ok().filter(|n| (1..=MAX_N).contains(n))?;
    match shape {
        "constant" => Some(UNIT * 1000),
        "linear" => Some(UNIT * n),
        "quadratic" => Some(UNIT * n * n / 100),
        _ => None,
    }
}

/// Spins `iterations` times; the result depends on every step, so nothing is optimized away.
pub fn spin(iterations: u64) -> u64 {
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..iterations {
        x = std::hint::black_box(x.rotate_left(7) ^ i).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    x
}
