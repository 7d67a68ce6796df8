//! A CPU profile as the report shows it: its hottest functions and, when the profile
//! crate rendered them, the flame graph and the differential flame graph against the
//! baseline (self-contained SVG, embedded as is).

use serde::Serialize;

/// The profile captured during the audited window.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProfileView {
    /// How it was captured: `py-spy record … (10 s), 1234 samples`.
    pub description: String,
    /// Functions by self time, hottest first.
    pub hotspots: Vec<ProfileHotspot>,
    /// The flame graph SVG (trusted: rendered by perfhound, input text escaped there).
    #[serde(skip)]
    pub flame_svg: Option<String>,
    /// The differential flame graph against the baseline's profile.
    #[serde(skip)]
    pub diff_svg: Option<String>,
}

/// One function of [`ProfileView::hotspots`].
#[derive(Clone, Debug, Serialize)]
pub struct ProfileHotspot {
    pub function: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub self_share: f64,
    pub total_share: f64,
}
