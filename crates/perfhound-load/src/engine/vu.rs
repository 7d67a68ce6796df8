//! A virtual user: its variables, its connections, and the measured request path.

use super::request::{execute, StepOutcome};
use super::shared::{RunShared, ScenarioRt};
use crate::client::{Conn, Origin};
use crate::plan::Step;
use crate::stats::SharedStats;
use crate::template::Vars;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One virtual user.
pub struct Vu {
    pub id: u64,
    pub iteration: u64,
    pub slots: Vec<Option<String>>,
    /// Current row per data binding.
    pub rows: Vec<usize>,
    /// Open connections with the `Host` header value for their origin.
    pub conns: Vec<(Origin, Conn, http::HeaderValue)>,
    pub rng: rand::rngs::SmallRng,
    pub stats: Arc<SharedStats>,
    /// The VU's request timer, reused across requests (see `request::execute`).
    pub timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

/// A [`Vars`] view over a VU and its scenario's data.
pub struct VuVars<'a> {
    pub vu: &'a Vu,
    pub scenario: &'a ScenarioRt,
}

impl Vars for VuVars<'_> {
    fn slot(&self, slot: usize) -> Option<&str> {
        self.vu.slots.get(slot).and_then(|s| s.as_deref())
    }

    fn data(&self, binding: usize, column: usize) -> Option<&str> {
        let row = *self.vu.rows.get(binding)?;
        self.scenario.data.get(binding)?.0.rows.get(row)?.get(column).map(String::as_str)
    }

    fn vu_id(&self) -> u64 {
        self.vu.id
    }

    fn iteration(&self) -> u64 {
        self.vu.iteration
    }
}

/// How an iteration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterationEnd {
    Completed,
    Aborted,
}

impl Vu {
    pub fn new(id: u64, scenario: &ScenarioRt, stats: Arc<SharedStats>) -> Vu {
        Vu {
            id,
            iteration: 0,
            slots: vec![None; scenario.plan.capture_slots],
            rows: vec![0; scenario.data.len()],
            conns: Vec::new(),
            rng: rand::rngs::SmallRng::seed_from_u64(id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ scenario.id as u64),
            stats,
            timer: None,
        }
    }

    /// Runs one iteration of the scenario's flow. `intended` is when it should have
    /// started (open model); latency of the first request is measured from it.
    pub async fn run_iteration(
        &mut self,
        run: &RunShared,
        scenario: &ScenarioRt,
        intended: Option<Instant>,
    ) -> IterationEnd {
        for b in 0..self.rows.len() {
            let random = self.rng.random::<u64>();
            self.rows[b] = scenario.row_for(b, self.id, self.iteration, random);
        }
        let mut intended = intended;
        let mut end = IterationEnd::Completed;
        for (i, step) in scenario.plan.flow.iter().enumerate() {
            match step {
                Step::Request(req) => {
                    let uri = scenario.static_uris[i].as_ref();
                    let outcome = execute(self, run, scenario, req, uri, intended.take()).await;
                    if outcome == StepOutcome::Abort {
                        end = IterationEnd::Aborted;
                        break;
                    }
                }
                Step::Think { min, max } => {
                    let pause = if max > min {
                        Duration::from_secs_f64(self.rng.random_range(min.as_secs_f64()..max.as_secs_f64()))
                    } else {
                        *min
                    };
                    tokio::time::sleep(pause).await;
                }
            }
        }
        self.iteration += 1;
        end
    }

    /// Takes the open connection for `origin` (with its `Host` value); the flag says
    /// whether a previous connection had been closed by the server.
    pub fn take_conn(&mut self, origin: &Origin) -> (Option<(Conn, http::HeaderValue)>, bool) {
        match self.conns.iter().position(|(o, _, _)| o == origin) {
            Some(i) => {
                let (_, conn, host) = self.conns.swap_remove(i);
                if conn.is_closed() {
                    (None, true)
                } else {
                    (Some((conn, host)), false)
                }
            }
            None => (None, false),
        }
    }

    pub fn put_conn(&mut self, origin: Origin, conn: Conn, host: http::HeaderValue) {
        self.conns.push((origin, conn, host));
    }
}
