//! Timestamps of access logs → seconds since the Unix epoch: nginx/Apache `$time_local`
//! (`06/Dec/2026:01:40:21 +0100`), ISO 8601 (`$time_iso8601`, Traefik `StartUTC`, ALB
//! `time`), and Unix seconds with a fraction (`$msec`, Caddy `ts`).

/// Any of the supported forms; `None` when the text is none of them.
pub fn parse(v: &str) -> Option<i64> {
    let b = v.trim().as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) && b.get(2) == Some(&b'/') {
        return time_local(b);
    }
    if b.len() >= 19 && b[4] == b'-' && b[10] == b'T' || b.len() >= 19 && b[4] == b'-' && b[10] == b' ' {
        return iso8601(b);
    }
    let int = v.trim().split('.').next()?;
    (!int.is_empty() && int.len() <= 12 && int.bytes().all(|c| c.is_ascii_digit())).then(|| int.parse().ok())?
}

fn num(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |a, c| a * 10 + i64::from(c - b'0')))
}

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// `dd/Mon/yyyy:HH:MM:SS ±hhmm`.
fn time_local(b: &[u8]) -> Option<i64> {
    if b.len() < 20 {
        return None;
    }
    let day = num(&b[0..2])?;
    let month = MONTHS.iter().position(|m| &b[3..6] == *m)? as i64 + 1;
    let year = num(&b[7..11])?;
    let (h, mi, s) = (num(&b[12..14])?, num(&b[15..17])?, num(&b[18..20])?);
    let offset = if b.len() >= 26 { zone(&b[21..26])? } else { 0 };
    Some(epoch(year, month, day, h, mi, s)? - offset)
}

/// `yyyy-mm-ddTHH:MM:SS[.frac][Z|±hh:mm]`.
fn iso8601(b: &[u8]) -> Option<i64> {
    let (year, month, day) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let (h, mi, s) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        rest = &rest[1 + digits..];
    }
    let offset = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), hh1, hh2, b':', mm1, mm2] => zone(&[*sign, *hh1, *hh2, *mm1, *mm2])?,
        [b'+' | b'-', _, _, _, _] => zone(rest)?,
        _ => return None,
    };
    Some(epoch(year, month, day, h, mi, s)? - offset)
}

/// `±hhmm` → seconds east of UTC.
fn zone(b: &[u8]) -> Option<i64> {
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    Some(sign * (num(&b[1..3])? * 3600 + num(&b[3..5])? * 60))
}

/// Days from civil (Howard Hinnant), then seconds.
fn epoch(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn every_form_agrees() {
        let t = 1_796_521_221; // 2026-12-06T01:40:21Z
        assert_eq!(parse("06/Dec/2026:01:40:21 +0000"), Some(t));
        assert_eq!(parse("06/Dec/2026:02:40:21 +0100"), Some(t));
        assert_eq!(parse("2026-12-06T01:40:21Z"), Some(t));
        assert_eq!(parse("2026-12-06T01:40:21.123456789Z"), Some(t));
        assert_eq!(parse("2026-12-05T20:40:21-05:00"), Some(t));
        assert_eq!(parse("1796521221.417"), Some(t));
        assert_eq!(parse("06/Foo/2026:01:40:21 +0000"), None);
        assert_eq!(parse("yesterday"), None);
    }
}
