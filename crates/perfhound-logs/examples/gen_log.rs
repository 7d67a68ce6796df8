//! Writes the synthetic access log of `bench/logs.sh`: `gen_log LINES [SEED] > access.log`.

use std::io::Write as _;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut rng = perfhound_logs::synth::Rng::new(seed);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut buf = String::new();
    for i in 0..n {
        buf.clear();
        perfhound_logs::synth::line(i, &mut rng, &mut buf);
        if w.write_all(buf.as_bytes()).is_err() {
            return;
        }
    }
    let _ = w.flush();
}
