//! `--serve` of `load` and `audit`: the dashboard on a loopback port for the run's length,
//! and the observer that feeds its live view once a second besides the progress output.

use perfhound_load::engine::{Observer, Tick};
use perfhound_server::dashboard::{Live, LiveSnapshot};
use std::sync::Arc;

/// Starts the dashboard on `addr` (loopback only) and prints its live view's URL.
pub fn start(command: &str, addr: &str, store: Option<&str>) -> anyhow::Result<Arc<Live>> {
    let live = Arc::new(Live::default());
    let local = super::serve::spawn_live(addr, Arc::clone(&live), store)?;
    perfhound_term::eprint(&format!("perfhound {command}: live view on http://{local}/live\n"));
    Ok(live)
}

/// Forwards ticks to the progress output and, with `--serve`, to the live view.
pub struct LiveObserver<'a> {
    inner: &'a mut dyn Observer,
    live: Option<Arc<Live>>,
    label: String,
}

impl<'a> LiveObserver<'a> {
    pub fn new(inner: &'a mut dyn Observer, live: Option<Arc<Live>>, label: &str) -> LiveObserver<'a> {
        LiveObserver { inner, live, label: label.to_string() }
    }

    /// Marks the live view finished (the numbers of the last second stay).
    pub fn finished(&self) {
        if let Some(live) = &self.live {
            let last = live.get().unwrap_or_default();
            live.set(LiveSnapshot { running: false, ..last });
        }
    }
}

impl Observer for LiveObserver<'_> {
    fn on_tick(&mut self, t: &Tick<'_>) {
        self.inner.on_tick(t);
        if let Some(live) = &self.live {
            live.set(LiveSnapshot {
                running: true,
                label: self.label.clone(),
                elapsed_s: t.elapsed.as_secs_f64(),
                expected_s: t.expected.as_secs_f64(),
                rps: t.sample.requests as f64,
                p50_us: t.sample.p50_us,
                p99_us: t.sample.p99_us,
                total_requests: t.total_requests,
                total_errors: t.total_errors,
            });
        }
    }

    fn on_interrupt(&mut self) {
        self.inner.on_interrupt();
    }
}
