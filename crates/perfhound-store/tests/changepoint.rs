//! Change points on generated series with known truth: stable bimodal series are never
//! flagged; a 10 % step is caught within a few runs (the delay is printed for the record:
//! `cargo test -p perfhound-store --test changepoint -- --nocapture`).

use perfhound_store::changepoint::{detect, Config};

/// Deterministic uniform [0, 1) values.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` values: mode 100 or 150 at random (`bimodal`) or 100, each with ±3 % noise, × `scale`.
fn series(rng: &mut Lcg, n: usize, bimodal: bool, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let mode = if bimodal && rng.unit() < 0.5 { 150.0 } else { 100.0 };
            mode * (1.0 + (rng.unit() - 0.5) * 0.06) * scale
        })
        .collect()
}

fn false_alarms(bimodal: bool) -> Vec<(u64, Vec<perfhound_store::changepoint::ChangePoint>)> {
    let mut flagged = Vec::new();
    for seed in 0..40u64 {
        let mut rng = Lcg(seed * 7 + 1);
        let s = series(&mut rng, 50, bimodal, 1.0);
        let found = detect(&s, &Config::default());
        if !found.is_empty() {
            flagged.push((seed, found));
        }
    }
    flagged
}

#[test]
fn stable_bimodal_series_are_never_flagged() {
    let flagged = false_alarms(true);
    println!("stable bimodal series (50 runs, modes 100/150): {} of 40 flagged", flagged.len());
    assert!(flagged.is_empty(), "false alarms on stable bimodal series: {flagged:?}");
}

#[test]
fn stable_noisy_series_are_never_flagged() {
    let flagged = false_alarms(false);
    println!("stable series (50 runs, ±3 %): {} of 40 flagged", flagged.len());
    assert!(flagged.is_empty(), "false alarms on stable series: {flagged:?}");
}

/// Runs after the step until a change point lands within one run of it.
fn detection_delay(bimodal: bool, seed: u64) -> Option<usize> {
    let mut rng = Lcg(seed);
    let before = series(&mut rng, 30, bimodal, 1.0);
    let after = series(&mut rng, 20, bimodal, 1.10);
    (1..=after.len()).find(|&k| {
        let s: Vec<f64> = before.iter().chain(&after[..k]).copied().collect();
        detect(&s, &Config::default()).iter().any(|c| c.index.abs_diff(30) <= 1 && c.change > 0.05)
    })
}

#[test]
fn a_ten_percent_step_is_caught_within_a_few_runs() {
    let delays: Vec<Option<usize>> = (0..10).map(|seed| detection_delay(false, seed + 100)).collect();
    println!("10 % step, ±3 % noise: detection delay per seed (runs after the step) {delays:?}");
    for (seed, d) in delays.iter().enumerate() {
        let d = d.unwrap_or_else(|| panic!("seed {seed}: step never detected"));
        assert!(d <= 5, "seed {seed}: detected after {d} runs");
    }
}

#[test]
fn a_ten_percent_step_in_a_bimodal_series_is_caught() {
    let delays: Vec<Option<usize>> = (0..10).map(|seed| detection_delay(true, seed + 200)).collect();
    println!("10 % step, bimodal 100/150: detection delay per seed {delays:?}");
    for (seed, d) in delays.iter().enumerate() {
        let d = d.unwrap_or_else(|| panic!("seed {seed}: step never detected"));
        assert!(d <= 5, "seed {seed}: detected after {d} runs");
    }
}

#[test]
fn the_change_point_reports_its_size_and_effect() {
    let mut rng = Lcg(9);
    let mut s = series(&mut rng, 20, false, 1.0);
    s.extend(series(&mut rng, 20, false, 1.5));
    let found = detect(&s, &Config::default());
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!(c.index, 20);
    assert!((c.change - 0.5).abs() < 0.05, "{c:?}");
    assert!(c.effect_size > 0.95 && c.p_value <= 0.01, "{c:?}");
}

#[test]
fn a_jump_from_one_mode_to_another_is_one_change_point() {
    let mut rng = Lcg(5);
    let mut s = series(&mut rng, 20, false, 1.0);
    s.extend(series(&mut rng, 20, false, 1.5));
    s.extend(series(&mut rng, 20, false, 1.0));
    let found = detect(&s, &Config::default());
    assert_eq!(found.iter().map(|c| c.index).collect::<Vec<_>>(), [20, 40], "{found:?}");
    assert!(found[0].change > 0.4 && found[1].change < -0.25, "{found:?}");
}

#[test]
fn a_single_slow_run_amid_stable_runs_is_not_a_change_point() {
    let mut flagged = Vec::new();
    for seed in 0..20u64 {
        let mut rng = Lcg(seed * 13 + 5);
        let mut s = series(&mut rng, 40, false, 1.0);
        s[15 + (seed as usize % 10)] *= 2.0;
        let found = detect(&s, &Config::default());
        if !found.is_empty() {
            flagged.push((seed, found));
        }
    }
    assert!(flagged.is_empty(), "one outlier is not a shift: {flagged:?}");
}
