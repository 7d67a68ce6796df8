//! PostgreSQL during the steps: client connections against `max_connections`, active
//! sessions and what they wait on, from `pg_stat_activity`, sampled every 200 ms on a
//! thread of its own (a read-only session with a statement timeout).

use crate::error::CapacityError;
use perfhound_db::session::{self, Limits, Mode};
use perfhound_model::capacity::DbSample;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

const PERIOD: Duration = Duration::from_millis(200);

const ACTIVITY: &str = "SELECT current_setting('max_connections')::int4, \
     (count(*) FILTER (WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()))::int4, \
     (count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()))::int4 \
     FROM pg_stat_activity";

const WAITS: &str = "SELECT wait_event_type || ': ' || wait_event, count(*)::int4 FROM pg_stat_activity \
     WHERE backend_type = 'client backend' AND state = 'active' AND wait_event IS NOT NULL \
     AND pid <> pg_backend_pid() GROUP BY 1";

/// A sampling thread and the peaks of the current step.
pub struct DbWatch {
    peaks: Arc<Mutex<DbSample>>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DbWatch {
    /// Connects (failing here on a wrong URL) and starts sampling.
    pub fn start(url: &str) -> Result<DbWatch, CapacityError> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| db_err(url, e))?;
        let client =
            rt.block_on(session::connect(url, Mode::ReadOnly, &Limits::default())).map_err(|e| db_err(url, e))?;
        let first = rt.block_on(sample(&client)).map_err(|e| db_err(url, e))?;
        let peaks = Arc::new(Mutex::new(first));
        let (stop, stopped) = mpsc::channel::<()>();
        let shared = Arc::clone(&peaks);
        let thread = std::thread::Builder::new()
            .name("perfhound-pg-activity".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(PERIOD) {
                    if let Ok(s) = rt.block_on(sample(&client)) {
                        fold(&mut shared.lock().unwrap_or_else(PoisonError::into_inner), &s);
                    }
                }
            })
            .map_err(|e| db_err(url, e))?;
        Ok(DbWatch { peaks, stop: Some(stop), thread: Some(thread) })
    }

    /// Starts a new step's peaks.
    pub fn begin_step(&self) {
        let mut p = self.peaks.lock().unwrap_or_else(PoisonError::into_inner);
        *p = DbSample { max_connections: p.max_connections, ..DbSample::default() };
    }

    /// The step's peaks.
    pub fn end_step(&self) -> DbSample {
        self.peaks.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for DbWatch {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn db_err(url: &str, e: impl std::fmt::Display) -> CapacityError {
    CapacityError::Db { url: session::redact_url(url), message: e.to_string() }
}

async fn sample(client: &tokio_postgres::Client) -> Result<DbSample, tokio_postgres::Error> {
    let row = client.query_one(ACTIVITY, &[]).await?;
    let mut waits = std::collections::BTreeMap::new();
    for r in client.query(WAITS, &[]).await? {
        let name: Option<String> = r.get(0);
        let n: i32 = r.get(1);
        waits.insert(name.unwrap_or_default(), n.max(0) as u32);
    }
    let int = |i: usize| row.get::<_, i32>(i).max(0) as u32;
    let active = int(2);
    Ok(DbSample {
        max_connections: int(0),
        connections_peak: int(1),
        active_peak: active,
        active_mean: f64::from(active),
        samples: 1,
        waits,
    })
}

/// Keeps the peak of every count.
fn fold(into: &mut DbSample, s: &DbSample) {
    into.max_connections = s.max_connections;
    into.connections_peak = into.connections_peak.max(s.connections_peak);
    into.active_peak = into.active_peak.max(s.active_peak);
    let n = f64::from(into.samples);
    into.active_mean = (into.active_mean * n + s.active_mean) / (n + 1.0);
    into.samples += 1;
    for (k, v) in &s.waits {
        let e = into.waits.entry(k.clone()).or_default();
        *e = (*e).max(*v);
    }
}
