//! Sub-millisecond sleeps for the server's delays and stalls.
//!
//! `tokio::time::sleep_until` has millisecond granularity: the deadline is rounded up to the next tick and
//! the driver's `epoll_wait` timeout is rounded up again, so a 20 ms sleep measured 21.1–21.5 ms on the
//! reference machine. [`PreciseTimer::sleep_until`] therefore sleeps with tokio until [`COARSE_MARGIN`] before
//! the deadline (cheap, scales to many sleepers) and hands the last stretch to one dedicated thread that waits
//! on a condition variable with a nanosecond timeout and completes a oneshot channel at the deadline; that
//! lands within tens of microseconds of it. No busy waiting.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::oneshot;

/// How long before the deadline the coarse tokio sleep ends and the precise thread takes over.
pub(crate) const COARSE_MARGIN: std::time::Duration = std::time::Duration::from_millis(3);

/// One pending wake-up; ordered so that `BinaryHeap` pops the earliest deadline first.
struct Entry {
    at: Instant,
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Default)]
struct State {
    heap: BinaryHeap<Entry>,
    seq: u64,
    shutdown: bool,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    changed: Condvar,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A timer thread that completes sleeps at their deadline with sub-millisecond accuracy.
pub(crate) struct PreciseTimer {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for PreciseTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreciseTimer").field("pending", &self.inner.lock().heap.len()).finish()
    }
}

impl PreciseTimer {
    pub(crate) fn start(name: String) -> io::Result<Self> {
        let inner = Arc::new(Inner::default());
        let thread_inner = Arc::clone(&inner);
        let thread = std::thread::Builder::new().name(name).spawn(move || run(&thread_inner))?;
        Ok(Self { inner, thread: Some(thread) })
    }

    /// Completes at `deadline` (never earlier), typically within a few tens of microseconds after it.
    pub(crate) async fn sleep_until(&self, deadline: tokio::time::Instant) {
        if let Some(coarse) = deadline.checked_sub(COARSE_MARGIN) {
            if coarse > tokio::time::Instant::now() {
                tokio::time::sleep_until(coarse).await;
            }
        }
        let deadline = deadline.into_std();
        if Instant::now() >= deadline {
            return;
        }
        let (wake, woken) = oneshot::channel();
        {
            let mut state = self.inner.lock();
            if state.shutdown {
                return;
            }
            state.seq += 1;
            let seq = state.seq;
            let earliest = state.heap.peek().is_none_or(|top| deadline < top.at);
            state.heap.push(Entry { at: deadline, seq, wake });
            if earliest {
                self.inner.changed.notify_one();
            }
        }
        // An error means the timer shut down (server stopping): return early.
        let _ = woken.await;
    }
}

impl Drop for PreciseTimer {
    fn drop(&mut self) {
        self.inner.lock().shutdown = true;
        self.inner.changed.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(inner: &Inner) {
    let mut state = inner.lock();
    loop {
        if state.shutdown {
            // Dropping the senders wakes every sleeper.
            state.heap.clear();
            return;
        }
        let now = Instant::now();
        while state.heap.peek().is_some_and(|top| top.at <= now) {
            if let Some(entry) = state.heap.pop() {
                let _ = entry.wake.send(());
            }
        }
        state = match state.heap.peek().map(|top| top.at - now) {
            Some(wait) => inner.changed.wait_timeout(state, wait).unwrap_or_else(|p| p.into_inner()).0,
            None => inner.changed.wait(state).unwrap_or_else(|p| p.into_inner()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn wakes_sleepers_in_deadline_order_and_never_early() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let timer = PreciseTimer::start("precise-timer-test".to_owned()).unwrap();
        runtime.block_on(async {
            let start = tokio::time::Instant::now();
            let late = timer.sleep_until(start + Duration::from_millis(12));
            let early = async {
                timer.sleep_until(start + Duration::from_millis(5)).await;
                start.elapsed()
            };
            let (_, early_elapsed) = tokio::join!(late, early);
            let late_elapsed = start.elapsed();
            assert!(early_elapsed >= Duration::from_millis(5), "{early_elapsed:?}");
            assert!(late_elapsed >= Duration::from_millis(12), "{late_elapsed:?}");
            assert!(early_elapsed <= late_elapsed, "{early_elapsed:?} vs {late_elapsed:?}");
        });
        drop(timer);
    }
}
