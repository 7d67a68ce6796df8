//! Simulator speed for `bench/logs.sh`: replays N Zipf-distributed requests (1M distinct
//! keys, ~2 KB objects) through the LRU and SIEVE simulators, one core, and prints
//! requests per second of process CPU time: `sim_speed [N]`.

use perfhound_logs::sim::{key_hash, simulate, Access, Policy};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(") ").next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000_000);
    let mut rng = perfhound_logs::synth::Rng::new(7);
    let keys: Vec<u64> = (0..1_000_000u64).map(|k| key_hash(&k.to_le_bytes())).collect();
    let accesses: Vec<Access> = (0..n)
        .map(|i| {
            let rank = rng.zipf(keys.len() as u64) - 1;
            Access { key: keys[rank as usize], t: (i / 5_000) as u32, size: 1_500 + (rank % 8) as u32 * 100 }
        })
        .collect();
    for (name, policy) in [("lru", Policy::Lru), ("sieve", Policy::Sieve)] {
        let before = cpu_seconds();
        let hit = simulate(policy, &accesses, 200_000_000, 3_600);
        let cpu = (cpu_seconds() - before).max(0.01);
        println!("{name} {n} requests {cpu:.2} cpu_s {:.0} req_per_cpu_s hit {:.3}", n as f64 / cpu, hit);
    }
}
