//! Functions ranked by self time (samples where the function is the leaf) and total time
//! (samples where it is anywhere on the stack, counted once per sample under recursion).

use crate::profile::Profile;
use serde::Serialize;

/// One function's share of the profile.
#[derive(Clone, Debug, Serialize)]
pub struct Hotspot {
    pub function: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub self_weight: u64,
    pub total_weight: u64,
    /// Self weight over the profile's total, 0–1.
    pub self_share: f64,
    /// Total weight over the profile's total, 0–1.
    pub total_share: f64,
}

impl Hotspot {
    /// `file:line`, `file`, or nothing.
    pub fn location(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => Some(format!("{f}:{l}")),
            (Some(f), None) => Some(f.clone()),
            _ => None,
        }
    }
}

/// Every function of `profile`, heaviest self time first (then total time, then name).
pub fn hotspots(profile: &Profile) -> Vec<Hotspot> {
    let n = profile.function_count();
    let (mut self_w, mut total_w) = (vec![0u64; n], vec![0u64; n]);
    let mut seen = vec![usize::MAX; n];
    for (i, (stack, weight)) in profile.stacks().enumerate() {
        let mut leaf = None;
        for f in stack {
            let f = f as usize;
            if seen[f] != i {
                seen[f] = i;
                total_w[f] += weight;
            }
            leaf = Some(f);
        }
        if let Some(f) = leaf {
            self_w[f] += weight;
        }
    }
    let mut out: Vec<Hotspot> = (0..n).map(|i| hotspot(profile, i, self_w[i], total_w[i])).collect();
    out.sort_by(|a, b| {
        (b.self_weight, b.total_weight).cmp(&(a.self_weight, a.total_weight)).then_with(|| a.function.cmp(&b.function))
    });
    out
}

fn hotspot(profile: &Profile, id: usize, self_weight: u64, total_weight: u64) -> Hotspot {
    let f = profile.function(id as u32);
    let share = |w: u64| if profile.total() == 0 { 0.0 } else { w as f64 / profile.total() as f64 };
    Hotspot {
        function: f.name.clone(),
        file: f.file.clone(),
        line: f.line,
        self_weight,
        total_weight,
        self_share: share(self_weight),
        total_share: share(total_weight),
    }
}
