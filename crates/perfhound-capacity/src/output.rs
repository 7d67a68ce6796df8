//! The capacity search in text: one line per step while it runs, and the summary.

use perfhound_model::{CapacitySection, CapacityStep, StepPhase};
use perfhound_term::human;

fn phase(p: StepPhase) -> &'static str {
    match p {
        StepPhase::Ramp => "ramp",
        StepPhase::Refine => "refine",
        StepPhase::Hold => "hold",
        StepPhase::Recovery => "recover",
        StepPhase::Soak => "soak",
    }
}

/// `ramp    150/s → 148/s  p50 21ms  p99 35ms  err 0%  ok`
pub fn step_line(s: &CapacityStep) -> String {
    let mut line = format!(
        "  {:<7} {:>8} → {:>8}  p50 {:>8}  p99 {:>8}  err {:>6}",
        phase(s.phase),
        human::rate(s.offered_rps),
        human::rate(s.achieved_rps),
        human::duration_us(s.latency_us_p50 as f64),
        human::duration_us(s.latency_us_p99 as f64),
        human::pct(s.error_rate),
    );
    if s.dropped > 0 {
        line.push_str(&format!("  dropped {}", s.dropped));
    }
    if matches!(s.phase, StepPhase::Ramp | StepPhase::Refine) {
        line.push_str(if s.passed { "  ok" } else { "  BAD" });
    }
    if let Some(cpu) = s.target_cpu_pct {
        line.push_str(&format!("  cpu {cpu:.0}%"));
        if let Some(wait) = s.target_cpu_wait_pct.filter(|w| *w >= 1.0) {
            line.push_str(&format!(" (+{wait:.0}% waiting)"));
        }
    }
    if let Some(db) = &s.db {
        line.push_str(&format!("  db busy {:.1} (peak {}) of {}", db.active_mean, db.active_peak, db.connections_peak));
    }
    if let Some(b) = &s.db_busy {
        line.push_str(&format!("  db in flight {:.1} (peak {})", b.mean, b.peak));
    }
    line.push('\n');
    for why in &s.broken {
        line.push_str(&format!("            {}\n", perfhound_term::one_line(why)));
    }
    line
}

/// The closing summary.
pub fn summary(c: &CapacitySection) -> String {
    let mut out = String::from("\ncapacity\n");
    if !c.slo.is_empty() {
        out.push_str(&format!("  SLO                {}\n", c.slo.join(", ")));
    }
    let max = match (c.max_sustainable_rps, c.max_sustainable_offered_rps) {
        (Some(a), Some(o)) => format!("{} (offered {})", human::rate(a), human::rate(o)),
        _ => "none: no step met the SLO".into(),
    };
    out.push_str(&format!("  max under SLO      {max}\n"));
    let knee = c.knee_rps.map_or("latency flat over the steps".into(), |k| format!("{} offered", human::rate(k)));
    out.push_str(&format!("  knee               {knee}\n"));
    out.push_str(&format!("  stopped            {}\n", c.stop_detail));
    if let Some(first) = c.saturation.first() {
        out.push_str(&format!("  saturates first    {}\n", first.evidence));
        for s in c.saturation.iter().skip(1) {
            out.push_str(&format!("  then               {}\n", s.evidence));
        }
    }
    if let Some(st) = &c.stress {
        let kinds: Vec<String> = st.errors_by_kind.iter().map(|(k, n)| format!("{n} {}", k.as_str())).collect();
        let errors = if kinds.is_empty() { "no errors".to_string() } else { kinds.join(", ") };
        out.push_str(&format!(
            "  hold               {}: {errors}; up to {} requests in flight\n",
            human::rate(st.hold_rps),
            st.queued_peak
        ));
        let back = st.recovered_after_s.map_or("did not recover within the recovery window".into(), |s| {
            format!("back under the SLO {} after the load dropped", human::duration_s(s))
        });
        out.push_str(&format!("  recovery           at {}: {back}\n", human::rate(st.recovery_rps)));
    }
    if let Some(soak) = &c.soak {
        for t in &soak.trends {
            let slope = if t.resource == "rss_bytes" {
                format!(
                    "{}/hour (95 % CI {}–{})",
                    human::bytes(t.slope_per_hour),
                    human::bytes(t.slope_ci_low),
                    human::bytes(t.slope_ci_high)
                )
            } else {
                format!("{:.1}/hour (95 % CI {:.1}–{:.1})", t.slope_per_hour, t.slope_ci_low, t.slope_ci_high)
            };
            let verdict = if t.growing { "GROWING" } else { "stable" };
            let limit = t.hours_to_limit.map(|h| format!(", limit in {h:.1} h")).unwrap_or_default();
            out.push_str(&format!("  {:<18} {verdict}: {slope}{limit}\n", t.resource));
        }
    }
    out
}
