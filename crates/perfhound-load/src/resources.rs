//! CPU and memory sampling of processes from `/proc` (Linux; elsewhere nothing).

use perfhound_model::{ProcessResources, ProcessSample};
use std::time::Instant;

/// Shortest interval a CPU% sample is computed over.
const MIN_SAMPLE_S: f64 = 0.5;

/// Samples one process's CPU% and RSS once per call.
pub struct ProcSampler {
    pid: u32,
    label: String,
    last_cpu_s: f64,
    last_at: Instant,
    first_cpu_s: f64,
    first_at: Instant,
    samples: Vec<ProcessSample>,
}

fn ticks_per_s() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as u64
    } else {
        4096
    }
}

/// Total CPU seconds (user + system) used by a process so far.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the `(comm)`, which may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks_per_s())
}

/// Resident set size in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

impl ProcSampler {
    /// `None` when the process does not exist (or `/proc` is unavailable).
    pub fn new(pid: u32, label: &str) -> Option<ProcSampler> {
        let cpu = cpu_seconds(pid)?;
        let now = Instant::now();
        Some(ProcSampler {
            pid,
            label: label.to_string(),
            last_cpu_s: cpu,
            last_at: now,
            first_cpu_s: cpu,
            first_at: now,
            samples: Vec::new(),
        })
    }

    /// Takes one sample; returns it (`None` when the process is gone or the interval
    /// since the last sample is too short to measure CPU).
    pub fn sample(&mut self, t_s: u32) -> Option<ProcessSample> {
        let cpu = cpu_seconds(self.pid)?;
        let rss = rss_bytes(self.pid).unwrap_or(0);
        let now = Instant::now();
        let dt = now.duration_since(self.last_at).as_secs_f64();
        if dt < MIN_SAMPLE_S {
            // Too short for the kernel's 10 ms CPU accounting ticks: the next sample
            // covers this interval too.
            return None;
        }
        let cpu_pct = (cpu - self.last_cpu_s) / dt * 100.0;
        self.last_cpu_s = cpu;
        self.last_at = now;
        let s = ProcessSample { t_s, cpu_pct: (cpu_pct * 10.0).round() / 10.0, rss_bytes: rss };
        self.samples.push(s.clone());
        Some(s)
    }

    /// CPU seconds used since the sampler started.
    pub fn cpu_used_s(&self) -> f64 {
        cpu_seconds(self.pid).unwrap_or(self.last_cpu_s) - self.first_cpu_s
    }

    pub fn wall_s(&self) -> f64 {
        self.first_at.elapsed().as_secs_f64()
    }

    /// Summary plus all samples.
    pub fn finish(self) -> ProcessResources {
        let n = self.samples.len().max(1) as f64;
        let cpu_avg = self.samples.iter().map(|s| s.cpu_pct).sum::<f64>() / n;
        let cpu_peak = self.samples.iter().map(|s| s.cpu_pct).fold(0.0, f64::max);
        let rss_avg = (self.samples.iter().map(|s| s.rss_bytes as f64).sum::<f64>() / n) as u64;
        let rss_peak = self.samples.iter().map(|s| s.rss_bytes).max().unwrap_or(0);
        ProcessResources {
            pid: self.pid,
            label: self.label,
            cpu_pct_avg: (cpu_avg * 10.0).round() / 10.0,
            cpu_pct_peak: cpu_peak,
            rss_bytes_avg: rss_avg,
            rss_bytes_peak: rss_peak,
            samples: self.samples,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_own_process() {
        let mut s = ProcSampler::new(std::process::id(), "self").expect("/proc is available on Linux");
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        assert!(s.sample(0).is_none(), "an interval of microseconds is not sampled");
        let start = Instant::now();
        while start.elapsed().as_secs_f64() < MIN_SAMPLE_S {
            x = x.wrapping_add(x >> 3).wrapping_add(1);
        }
        assert!(x > 0);
        let sample = s.sample(1).unwrap();
        assert!(sample.rss_bytes > 0);
        assert!(sample.cpu_pct > 10.0, "a busy loop uses CPU: {}", sample.cpu_pct);
        assert!(s.finish().rss_bytes_peak > 0);
        assert!(ProcSampler::new(u32::MAX - 1, "none").is_none());
    }
}
