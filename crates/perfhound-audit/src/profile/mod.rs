//! `audit.profile`: a CPU profile of the service captured during the load window, tied to
//! the report.
//!
//! Three ways to get one ([`Method`]), because services run on different stacks:
//! - **pprof**: pull `/debug/pprof/profile?seconds=N` from the service (Go's
//!   `net/http/pprof`, pprof-rs, async-profiler's and Pyroscope's pprof exports);
//! - **command**: run a profiler with `{pid}`, `{seconds}` and `{out}` filled in (py-spy,
//!   `perf record` + `perf script`, async-profiler's `asprof`);
//! - **perf**: attach Linux `perf record -g` to the PID and convert with `perf script`.
//!
//! The capture starts with the load and runs on its own thread ([`capture`]); the load is
//! never delayed by it. When it cannot run — the profiler is not installed, the PID is
//! gone, `perf_event_paranoid` forbids it, the endpoint answers 404 — the audit gets a
//! warning that says why and what to do ([`capture::Unavailable`]) and goes on without a
//! profile. A profile that was captured is tied to the report by [`tie`].

pub mod capture;
pub mod config;
pub mod tie;

pub use capture::{Capture, Captured, Unavailable};
pub use config::{Method, ProfileSection};

use perfhound_load::plan::Plan;
use perfhound_model::Run;
use perfhound_profile::Profile;
use perfhound_report::ProfileView;
use std::path::PathBuf;
use std::time::Duration;

/// The profile of an audit, ready for the report.
pub struct AuditProfile {
    pub profile: Profile,
    pub view: ProfileView,
    /// The baseline audit's profile (its `profile.folded`), for the differential graph.
    pub baseline: Option<Profile>,
}

/// A capture started with the load.
pub struct Running {
    capture: Capture,
    dir: PathBuf,
}

/// The plan's planned length: the latest scenario end (start time + its executor's bound).
pub fn plan_length(plan: &Plan) -> Duration {
    plan.scenarios.iter().map(|s| s.start_time + s.executor.max_duration()).max().unwrap_or_default()
}

/// Starts the capture; a method that cannot run becomes a warning on `warnings`.
pub fn begin(section: &ProfileSection, plan: &Plan, warnings: &mut Vec<String>) -> Option<Running> {
    let dir = std::env::temp_dir().join(format!(
        "perfhound-profile-{}-{}",
        std::process::id(),
        perfhound_model::new_run_id()
    ));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        warnings.push(format!("no CPU profile: cannot create {}: {e}", dir.display()));
        return None;
    }
    match Capture::start(section, section.seconds_for(plan_length(plan)), &dir) {
        Ok(capture) => Some(Running { capture, dir }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            warnings.push(e.to_string());
            None
        }
    }
}

/// Waits for the capture and reads it; failures become a warning on `run`.
pub fn end(running: Running) -> Result<(Profile, String), String> {
    let result = running.capture.finish().map_err(|e| e.to_string()).and_then(|c| {
        tie::read(&c.path).map(|p| (p, c.description)).map_err(|e| {
            Unavailable {
                reason: e,
                fix: "Make the profiler write a format perfhound reads (docs/profile.md: folded stacks, perf script, pprof, speedscope, .cpuprofile).".into(),
            }
            .to_string()
        })
    });
    let _ = std::fs::remove_dir_all(&running.dir);
    result
}

/// Ties a read profile to the merged run.
pub fn attach(run: &mut Run, profile: Profile, description: &str) -> AuditProfile {
    let view = tie::tie(run, &profile, description);
    AuditProfile { profile, view, baseline: None }
}
