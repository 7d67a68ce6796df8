//! A series as one line of block characters (`▁▂▃▅▇`), scaled between its min and max;
//! marked positions (change points) are printed as `│` before the value.

const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The sparkline of `values` (non-finite values print as a space), with `│` before each
/// index in `marks`.
pub fn sparkline(values: &[f64], marks: &[usize]) -> String {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if marks.contains(&i) {
            out.push('│');
        }
        out.push(if !v.is_finite() {
            ' '
        } else if hi <= lo {
            BLOCKS[3]
        } else {
            BLOCKS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn scales_between_min_and_max_and_marks() {
        assert_eq!(sparkline(&[1.0, 2.0, 8.0], &[]), "▁▂█");
        assert_eq!(sparkline(&[5.0, 5.0], &[1]), "▄│▄");
        assert_eq!(sparkline(&[1.0, f64::NAN, 3.0], &[]), "▁ █");
        assert_eq!(sparkline(&[], &[]), "");
    }
}
