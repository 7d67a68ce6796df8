//! The measured request path of one step: prepare → send (with the request timeout) →
//! evaluate checks → record, with a drop guard recording requests abandoned mid-flight.

use super::checks::{capture, evaluate, Evaluated, ResponseView};
use super::prepare::{keeps_body, prepare, Outgoing, Prepared};
use super::send::{send_following, Received, SendOptions};
use super::shared::{RunShared, ScenarioRt};
use super::vu::Vu;
use crate::client::RequestError;
use crate::plan::RequestStep;
use crate::stats::{Outcome, SharedStats};
use http::Uri;
use perfhound_model::ErrorKind;
use std::sync::Arc;
use std::time::Instant;

/// Whether the iteration goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Continue,
    Abort,
}

/// What a request is recorded under and how long it took: known whatever the result.
#[derive(Clone, Copy, Debug)]
struct Measured {
    name_id: usize,
    scenario_id: usize,
    /// From the intended start (open model) or the send, to the end.
    latency_us: u64,
    /// From the send to the end.
    service_us: u64,
    bytes_out: u64,
}

impl Measured {
    /// A request that got a response (`error` from its status and checks).
    fn answered<'a>(
        self,
        status: u16,
        bytes_in: u64,
        error: Option<ErrorKind>,
        checks: &'a [(&'a str, bool)],
    ) -> Outcome<'a> {
        self.outcome(Some(status), bytes_in, error, checks)
    }

    /// A request that got no response.
    fn failed<'a>(self, kind: ErrorKind, checks: &'a [(&'a str, bool)]) -> Outcome<'a> {
        self.outcome(None, 0, Some(kind), checks)
    }

    fn outcome<'a>(
        self,
        status: Option<u16>,
        bytes_in: u64,
        error: Option<ErrorKind>,
        checks: &'a [(&'a str, bool)],
    ) -> Outcome<'a> {
        Outcome {
            name_id: self.name_id,
            scenario_id: self.scenario_id,
            latency_us: self.latency_us,
            service_us: self.service_us,
            status,
            error,
            bytes_in,
            bytes_out: self.bytes_out,
            checks,
        }
    }
}

/// Records an `interrupted` failure if the request future is dropped mid-flight
/// (graceful stop expired or Ctrl-C), so `sent = ok + failed` always holds.
struct InFlight {
    stats: Arc<SharedStats>,
    name_id: usize,
    scenario_id: usize,
    since: Instant,
    armed: bool,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.armed {
            let us = self.since.elapsed().as_micros() as u64;
            let measured = Measured {
                name_id: self.name_id,
                scenario_id: self.scenario_id,
                latency_us: us,
                service_us: us,
                bytes_out: 0,
            };
            let outcome = measured.failed(ErrorKind::Interrupted, &[]);
            self.stats.lock().record(&outcome, Some("request still in flight when the run stopped"));
        }
    }
}

/// Executes one request step for a VU and records its outcome.
pub async fn execute(
    vu: &mut Vu,
    run: &RunShared,
    scenario: &ScenarioRt,
    step: &RequestStep,
    static_uri: Option<&Uri>,
    intended: Option<Instant>,
) -> StepOutcome {
    let started = intended.unwrap_or_else(Instant::now);
    let mut guard = InFlight {
        stats: vu.stats.clone(),
        name_id: step.name_id,
        scenario_id: scenario.id,
        since: started,
        armed: true,
    };
    let prepared = prepare(vu, run, scenario, step, static_uri);
    let sent_at = Instant::now();
    let outgoing = Outgoing::of(prepared.as_ref().ok());
    let result = match prepared {
        Ok(p) => {
            let opts = SendOptions { keep_body: keeps_body(step), name_id: step.name_id };
            send_with_timeout(vu, run, p, opts, sent_at).await
        }
        Err(e) => Err(e),
    };
    let ended = Instant::now();
    guard.armed = false;
    let measured = Measured {
        name_id: step.name_id,
        scenario_id: scenario.id,
        latency_us: ended.saturating_duration_since(started.min(sent_at)).as_micros() as u64,
        service_us: ended.saturating_duration_since(sent_at).as_micros() as u64,
        bytes_out: outgoing.bytes_out,
    };
    match result {
        Ok(rx) => record_response(vu, step, measured, outgoing, &rx),
        Err(e) => record_failure(vu, step, measured, &e),
    }
}

/// Sends under the plan's request timeout, counted from `sent_at`.
async fn send_with_timeout(
    vu: &mut Vu,
    run: &RunShared,
    p: Prepared,
    opts: SendOptions,
    sent_at: Instant,
) -> Result<Received, RequestError> {
    let timeout = run.plan.http.request_timeout;
    // One timer per VU, pushed forward for each request: extending a registered tokio
    // timer is a lock-free update, unlike registering a new one per request.
    let mut timer = vu.timer.take().unwrap_or_else(|| Box::pin(tokio::time::sleep(timeout)));
    timer.as_mut().reset((sent_at + timeout).into());
    let result = tokio::select! {
        biased;
        r = send_following(vu, run, p, opts) => r,
        _ = timer.as_mut() => {
            Err(RequestError::new(ErrorKind::Timeout, format!("no complete response within {timeout:?}")))
        }
    };
    vu.timer = Some(timer);
    result
}

/// Evaluates checks, records the outcome and hygiene, runs captures.
fn record_response(
    vu: &mut Vu,
    step: &RequestStep,
    measured: Measured,
    outgoing: Outgoing,
    rx: &Received,
) -> StepOutcome {
    let r = &rx.response;
    let view = ResponseView {
        status: r.status,
        headers: &r.headers,
        body: r.body.as_deref(),
        latency_us: measured.latency_us,
    };
    let Evaluated { checks, error } = evaluate(step, &view);
    let message = error.map(|kind| match kind {
        ErrorKind::CheckFailed => {
            let failed: Vec<&str> = checks.iter().filter(|c| !c.1).map(|c| c.0).collect();
            format!("check failed: {}", failed.join(", "))
        }
        _ => format!("HTTP {}", r.status),
    });
    {
        let mut stats = vu.stats.lock();
        let hygiene = &mut stats.names[step.name_id].hygiene;
        hygiene.observe(&step.method, outgoing.offers_compression, r.status, &r.headers, r.body_len, &rx.final_url);
        hygiene.observe_redirects(rx.hops);
        let outcome = measured.answered(r.status.as_u16(), r.body_len + r.head_len, error, &checks);
        stats.record(&outcome, message.as_deref());
    }
    capture(vu, step, &r.headers, r.body.as_deref());
    if step.abort_on_fail && checks.iter().any(|c| !c.1) {
        StepOutcome::Abort
    } else {
        StepOutcome::Continue
    }
}

/// Records a request that got no response (every check failed); the iteration stops.
fn record_failure(vu: &Vu, step: &RequestStep, measured: Measured, e: &RequestError) -> StepOutcome {
    let failed_checks: Vec<(&str, bool)> = step.checks.iter().map(|c| (c.name.as_str(), false)).collect();
    vu.stats.lock().record(&measured.failed(e.kind, &failed_checks), Some(&e.message));
    StepOutcome::Abort
}
