//! Resources of the watched process over a soak, sampled once a second from `/proc`:
//! RSS, open file descriptors and threads, on a thread of its own.

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
