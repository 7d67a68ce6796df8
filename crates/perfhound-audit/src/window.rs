//! One audit window: receiver up, database and Redis snapshotted, load run, spans settled, every
//! engine's run merged into one.

use crate::cache::CacheWatch;
use crate::config::AuditConfig;
use crate::database::Watch;
use crate::error::AuditError;
use crate::merge::{merge_into, Seen};
use crate::receiver::Receiver;
use perfhound_load::engine::{EngineOptions, Observer};
use perfhound_model::Run;
use perfhound_report::{evaluate, CheckReport, RunSet};
use perfhound_traces::RunMeta;
use std::sync::Arc;
use std::time::Duration;

/// Spans stop arriving this long after the last one → the service has flushed.
const QUIET: Duration = Duration::from_millis(1500);

/// Called once with the receiver's OTLP traces URL.
pub type OnReceiver<'a> = Box<dyn FnOnce(&str) + 'a>;
/// Called after the load; `true` = every span was delivered.
pub type AfterLoad<'a> = Box<dyn FnOnce() -> bool + 'a>;

/// What the caller wants to see or do at each stage.
pub struct Hooks<'a> {
    /// Progress of the load (the load's own progress line).
    pub observer: &'a mut dyn Observer,
    /// One line per stage ("analyzing traces…").
    pub status: &'a mut dyn FnMut(&str),
    /// Runs once the receiver is up, with its OTLP traces URL (e.g. to start a service
    /// that exports there).
    pub on_receiver: Option<OnReceiver<'a>>,
    /// Runs after the load, before the last spans are awaited (e.g. flush the service's
    /// exporter); returning `true` means every span was delivered, so no settle wait.
    pub after_load: Option<AfterLoad<'a>>,
    /// A receiver the caller already started (to give its URL to a service before the
    /// plan was built); otherwise one is started from `cfg.traces.listen`.
    pub receiver: Option<Receiver>,
}

impl<'a> Hooks<'a> {
    pub fn new(observer: &'a mut dyn Observer, status: &'a mut dyn FnMut(&str)) -> Hooks<'a> {
        Hooks { observer, status, on_receiver: None, after_load: None, receiver: None }
    }
}

/// The outcome of one audit.
pub struct Audit {
    pub run: Run,
    pub budgets: Option<CheckReport>,
    /// Spans received from the service (None without a receiver).
    pub spans: Option<u64>,
    /// The CPU profile captured during the load (`audit.profile`), when it could be.
    pub profile: Option<crate::profile::AuditProfile>,
}

/// Runs the audit described by `cfg`. `command` is recorded in the run.
pub fn run(cfg: &AuditConfig, hooks: Hooks<'_>, command: Vec<String>) -> Result<Audit, AuditError> {
    let Hooks { observer, status, on_receiver, after_load, receiver: given } = hooks;
    let started_at = perfhound_model::rfc3339_now();
    let receiver = match (&cfg.traces, given) {
        (Some(_), Some(r)) => Some(r),
        (None, Some(_)) | (None, None) => None,
        (Some(t), None) => {
            let r = Receiver::start(&t.listen, t.detectors.clone())?;
            status(&format!("OTLP receiver listening on {} (point the service's exporter here)", r.traces_url()));
            Some(r)
        }
    };
    if let (Some(r), Some(hook)) = (&receiver, on_receiver) {
        hook(&r.traces_url());
    }
    let watch = cfg.db.as_deref().map(Watch::begin).transpose()?;
    let cache = cfg.redis.as_deref().map(CacheWatch::begin).transpose()?;
    let mut plan = cfg.plan.clone();
    if let (Some(r), Some(t)) = (&receiver, &cfg.traces) {
        if t.propagate {
            let nonce = perfhound_load::traceparent::new_nonce();
            plan.http.traceparent = Some(nonce);
            let names: Vec<Arc<str>> = plan.names.iter().map(|n| Arc::from(n.as_str())).collect();
            r.set_namer(Box::new(move |id| {
                use perfhound_load::traceparent::{request_name_of, PROBE_NAME_ID};
                use perfhound_traces::engine::Origin;
                match request_name_of(nonce, &id.0) {
                    Some(PROBE_NAME_ID) => Origin::OwnProbe,
                    Some(i) => names.get(i).cloned().map_or(Origin::Unknown, Origin::Request),
                    None => Origin::Unknown,
                }
            }));
        }
    }
    status(&format!("load: {}", perfhound_model::redact::text(&plan.source)));
    let mut profile_warnings = Vec::new();
    let mut engine_options = EngineOptions::default();
    if cfg.profile.is_some() {
        // The targets first, so a profiler is never started for a load that cannot run.
        perfhound_load::engine::preflight(&plan).map_err(|e| AuditError::Load(e.to_string()))?;
        engine_options.skip_preflight = true;
    }
    let capture = cfg.profile.as_ref().and_then(|p| crate::profile::begin(p, &plan, &mut profile_warnings));
    if capture.is_some() {
        status("capturing a CPU profile of the service during the load");
    }
    let result =
        perfhound_load::engine::run(plan, &engine_options, observer).map_err(|e| AuditError::Load(e.to_string()))?;
    let cache_run = cache.map(|c| c.end(command.clone())).transpose()?;
    let mut run = perfhound_load::to_model::to_run(&result, command.clone());
    run.started_at = started_at.clone();
    let captured = capture.and_then(|c| crate::profile::end(c).map_err(|e| profile_warnings.push(e)).ok());
    let delivered = after_load.map(|f| f()).unwrap_or(false);
    let mut spans = None;
    let mut traces_run = None;
    let mut seen = Vec::new();
    if let (Some(r), Some(t)) = (receiver, &cfg.traces) {
        status("analyzing traces");
        let n = if delivered { r.spans_received() } else { r.settle(QUIET, t.settle) };
        spans = Some(n);
        if n == 0 {
            run.warnings.push(format!(
                "no spans reached the OTLP receiver on {}: is the service's OTLP exporter pointed at it \
                 (OTEL_EXPORTER_OTLP_ENDPOINT=http://{}, protocol http/protobuf or http/json)?",
                r.addr, r.addr
            ));
        }
        let meta = RunMeta {
            command: command.clone(),
            started_at: started_at.clone(),
            sources: vec![format!("OTLP/HTTP receiver on {}", r.addr)],
            warnings: Vec::new(),
        };
        let (t, statements) = r.finish(meta);
        traces_run = Some(t);
        seen = statements;
    }
    if let Some(w) = watch {
        status("analyzing the database over the load window");
        let mut db_run = w.analyze(seen.clone(), command, result.elapsed.as_secs_f64())?;
        crate::database::tie_to_endpoints(&mut db_run, &seen);
        if let Some(t) = traces_run.take() {
            merge_into(&mut run, t, Seen::Server);
        }
        merge_into(&mut run, db_run, Seen::Db);
    } else if let Some(t) = traces_run.take() {
        merge_into(&mut run, t, Seen::Server);
    }
    if !cfg.source.is_empty() {
        status("locating findings in the source");
        crate::source::attach(&mut run, &cfg.source);
    }
    for w in &profile_warnings {
        status(w);
    }
    run.warnings.extend(profile_warnings);
    let profile = captured.map(|(p, description)| crate::profile::attach(&mut run, p, &description));
    if let Some(c) = cache_run {
        status("cache hit rate over the load window from Redis INFO");
        merge_into(&mut run, c, Seen::Db);
    }
    run.redact_secrets();
    let budgets = cfg.budgets.as_ref().map(|b| evaluate(b, &RunSet::new(vec![run.clone()])));
    Ok(Audit { run, budgets, spans, profile })
}
