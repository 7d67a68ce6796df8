//! A deterministic synthetic access log for benchmarks and tests: nginx `combined` plus
//! `$request_time`, a realistic URL mix (a Zipf-popular product catalogue, static assets
//! with hashed names, slugs, authenticated account pages, searches, writes, health
//! checks) at about 200 requests per second.

use std::fmt::Write as _;

/// The epoch second the synthetic log starts at (2026-12-06T00:00:00Z).
pub const START: i64 = 1_796_515_200;

/// A xorshift generator: fast, seeded, good enough for traffic shapes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A Zipf-like rank in 1..=n (exponent ~1, by inverse transform of the continuous form).
    pub fn zipf(&mut self, n: u64) -> u64 {
        let u = self.unit();
        ((n as f64 + 1.0).powf(u) as u64).clamp(1, n)
    }

    /// A latency around `median_ms` with a long right tail (lognormal-like), in seconds.
    pub fn latency_s(&mut self, median_ms: f64) -> f64 {
        let z = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        median_ms * (z * 0.9).exp() / 1000.0
    }
}

const COLORS: [&str; 4] = ["red", "blue", "green", "black"];
const ITEMS: [&str; 5] = ["shoe", "hat", "scarf", "coat", "sock"];
/// 60 words: with colors and items, 1,200 product slugs.
const WORDS: [&str; 60] = [
    "alpine", "arctic", "autumn", "basic", "bold", "breeze", "canyon", "cedar", "classic", "cloud", "coastal",
    "cotton", "crisp", "dawn", "delta", "desert", "dusk", "ember", "everyday", "field", "forest", "frost", "glacier",
    "harbor", "heather", "highland", "island", "ivy", "jade", "lagoon", "linen", "lunar", "maple", "meadow", "mesa",
    "metro", "mist", "nordic", "oak", "ocean", "orchard", "pine", "prairie", "quartz", "rain", "ridge", "river",
    "sage", "sierra", "slate", "solar", "spring", "storm", "summit", "terra", "timber", "trail", "urban", "valley",
    "willow",
];

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn time_local(t: i64, out: &mut String) {
    let days = t.div_euclid(86_400);
    let rem = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let _ = write!(
        out,
        "{day:02}/{}/{year}:{:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
}

/// Appends line `i` of the synthetic log (with its newline) to `out`.
pub fn line(i: u64, rng: &mut Rng, out: &mut String) {
    let t = START + (i / 200) as i64;
    let client = format!("10.0.{}.{}", rng.zipf(20), rng.zipf(250));
    let roll = rng.unit();
    let (method, target, status, bytes, median_ms, user) = match roll {
        r if r < 0.35 => {
            ("GET", format!("/api/products/{}", rng.zipf(5_000)), 200, 2_000 + rng.next_u64() % 3_000, 40.0, "-")
        }
        r if r < 0.45 => {
            ("GET", format!("/api/products?page={}&category=c{}", rng.zipf(20), rng.zipf(30)), 200, 12_000, 55.0, "-")
        }
        r if r < 0.50 => ("GET", "/api/categories".to_string(), 200, 3_500, 15.0, "-"),
        r if r < 0.65 => {
            ("GET", format!("/static/app.{:08x}.js", rng.zipf(3) * 0x9e37_79b9 % 0xffff_ffff), 200, 180_000, 1.0, "-")
        }
        r if r < 0.73 => ("GET", format!("/api/users/{}/orders", rng.zipf(2_000)), 200, 6_000, 60.0, "alice"),
        r if r < 0.78 => ("POST", "/api/cart".to_string(), if rng.unit() < 0.02 { 500 } else { 201 }, 300, 80.0, "-"),
        r if r < 0.88 => {
            let slug = format!(
                "{}-{}-{}",
                COLORS[(rng.next_u64() % 4) as usize],
                ITEMS[(rng.zipf(5) - 1) as usize],
                WORDS[(rng.zipf(60) - 1) as usize]
            );
            ("GET", format!("/products/{slug}"), 200, 25_000, 35.0, "-")
        }
        r if r < 0.93 => ("GET", "/health".to_string(), 200, 2, 0.5, "-"),
        r if r < 0.99 => ("GET", format!("/api/search?q=term{}", rng.zipf(10_000)), 200, 8_000, 120.0, "-"),
        _ => ("GET", format!("/api/products/{}", 100_000 + rng.next_u64() % 1000), 404, 150, 5.0, "-"),
    };
    let _ = write!(out, "{client} - {user} [");
    time_local(t, out);
    let rt = rng.latency_s(median_ms);
    let _ = writeln!(out, "] \"{method} {target} HTTP/1.1\" {status} {bytes} \"-\" \"Mozilla/5.0 (bench)\" {rt:.3}");
}

/// The whole log of `n` lines.
pub fn log(n: u64, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(n as usize * 140);
    for i in 0..n {
        line(i, &mut rng, &mut out);
    }
    out
}
