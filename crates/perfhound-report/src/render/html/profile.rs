//! The "CPU Profile" section: the profile captured during the audit, its hottest
//! functions as a sortable table, and the flame graph / differential flame graph when the
//! profile crate rendered them (embedded as inline SVG: no request, no external file).

use super::super::escape::html as esc;
use crate::human;
use crate::report::ProfileView;
use std::fmt::Write as _;

/// The section, or nothing without a profile.
pub(super) fn section(out: &mut String, profile: Option<&ProfileView>) {
    let Some(p) = profile else { return };
    let _ =
        writeln!(out, "<section id=\"profile\"><h2>CPU Profile</h2>\n<p class=\"meta\">{}</p>", esc(&p.description));
    if let Some(svg) = &p.flame_svg {
        let _ = writeln!(out, "<figure class=\"flame\"><figcaption>Flame graph: width is CPU time; the widest top frames are the hot code.</figcaption>{svg}</figure>");
    }
    if let Some(svg) = &p.diff_svg {
        let _ = writeln!(out, "<figure class=\"flame-diff\"><figcaption>Differential flame graph against the baseline: frames coloured by the change in their share of CPU.</figcaption>{svg}</figure>");
    }
    out.push_str("<table class=\"sortable hotspots\"><thead><tr><th>Function</th><th>Location</th><th class=\"num\">Self</th><th class=\"num\">Total</th></tr></thead><tbody>");
    for h in &p.hotspots {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&h.function),
            esc(h.location.as_deref().unwrap_or("\u{2014}")),
            esc(&human::pct(h.self_share)),
            esc(&human::pct(h.total_share))
        );
    }
    out.push_str("</tbody></table></section>\n");
}
