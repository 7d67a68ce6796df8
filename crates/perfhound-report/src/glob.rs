//! Glob patterns over target names: `*` matches any run of characters, `?` one character.
//!
//! Target names contain `/`, spaces and braces (`GET /users/{id}`), so unlike path globs
//! `*` crosses `/`: `GET /api/*` matches `GET /api/users/{id}`.

/// True when `pattern` matches the whole of `text`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was and which text position it is currently matched up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn matches_like_the_docs_say() {
        let cases = [
            ("*", "anything at all", true),
            ("GET /api/*", "GET /api/users/{id}", true),
            ("GET /api/*", "POST /api/users", false),
            ("GET /api/*", "GET /api", false),
            ("* /users/?", "GET /users/1", true),
            ("*/orders", "POST /v1/orders", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("", "", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob_match(pattern, text), expected, "{pattern} vs {text}");
        }
    }
}
