//! Resources of the watched process from `/proc`: over a soak, RSS, open file descriptors
//! and threads sampled once a second on a thread of its own; over a step, the time its
//! threads spent runnable but waiting for a CPU ([`CpuWait`]).

use std::collections::HashMap;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One sample, `t_s` seconds after the sampler started.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    pub t_s: f64,
    pub rss_bytes: f64,
    pub fds: f64,
    pub threads: f64,
}

/// Reads one sample of `pid`; `None` once the process is gone.
pub fn read(pid: u32, t_s: f64) -> Option<Sample> {
    let rss_bytes = perfhound_load::resources::rss_bytes(pid)? as f64;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count() as f64).unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let threads =
        status.lines().find_map(|l| l.strip_prefix("Threads:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0.0);
    Some(Sample { t_s, rss_bytes, fds, threads })
}

/// Samples every `period` until [`Sampler::finish`].
pub struct Sampler {
    stop: Sender<()>,
    thread: JoinHandle<Vec<Sample>>,
}

impl Sampler {
    pub fn start(pid: u32, period: Duration) -> Sampler {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut out: Vec<Sample> = read(pid, 0.0).into_iter().collect();
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                match read(pid, start.elapsed().as_secs_f64()) {
                    Some(s) => out.push(s),
                    None => break,
                }
            }
            out
        });
        Sampler { stop, thread }
    }

    pub fn finish(self) -> Vec<Sample> {
        let _ = self.stop.send(());
        self.thread.join().unwrap_or_default()
    }
}

/// Nanoseconds each live thread of the process has spent waiting on a run queue
/// (`/proc/PID/task/TID/schedstat`, second field), by thread id.
pub fn cpu_wait_ns(pid: u32) -> Option<HashMap<u64, u64>> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let wait = |path: std::path::PathBuf| -> Option<u64> {
        std::fs::read_to_string(path.join("schedstat")).ok()?.split_whitespace().nth(1)?.parse().ok()
    };
    let tid = |e: &std::fs::DirEntry| e.file_name().to_str()?.parse::<u64>().ok();
    Some(tasks.flatten().filter_map(|t| Some((tid(&t)?, wait(t.path())?))).collect())
}

/// Run-queue wait of a process over one step: the growth of every thread alive at the end
/// (a thread that ended during the step takes its wait with it).
pub struct CpuWait {
    pid: u32,
    start: HashMap<u64, u64>,
    started: Instant,
}

impl CpuWait {
    pub fn start(pid: u32) -> Option<CpuWait> {
        Some(CpuWait { pid, start: cpu_wait_ns(pid)?, started: Instant::now() })
    }

    /// Mean threads waiting for a CPU since [`CpuWait::start`], in % of one core.
    pub fn finish(self) -> Option<f64> {
        let now = cpu_wait_ns(self.pid)?;
        let ns: u64 = now.iter().map(|(tid, w)| w.saturating_sub(self.start.get(tid).copied().unwrap_or(0))).sum();
        let pct = ns as f64 / 1e9 / self.started.elapsed().as_secs_f64().max(1e-3) * 100.0;
        Some((pct * 10.0).round() / 10.0)
    }
}
