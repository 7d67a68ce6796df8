//! Fingerprints JSON statements (MongoDB commands, Elasticsearch queries): keys are kept,
//! values become `?`, arrays of values collapse to `[?]`.
//!
//! `{"find": "users", "filter": {"_id": 42}}` → `{"find":?,"filter":{"_id":?}}`.

use crate::lexer::fnv1a;

/// The JSON shape of `text` and a hash of its values (0 when it has none).
pub fn json_shape(text: &str) -> (String, u64) {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len().min(4096));
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut values = 0u32;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let end = (i + 1).min(b.len());
                let mut j = end;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) == Some(&b':') {
                    out.push_str(&text[start..end]);
                } else {
                    hash = fnv1a(hash, &b[start..end]);
                    values += 1;
                    push_value(&mut out);
                }
                i = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'{' | b'}' | b'[' | b']' | b',' | b':' => {
                if c == b']' && out.ends_with("?,?") {
                    collapse(&mut out);
                }
                out.push(char::from(c));
                i += 1;
            }
            _ => {
                let start = i;
                while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r' | b':') {
                    i += 1;
                }
                hash = fnv1a(hash, &b[start..i]);
                values += 1;
                push_value(&mut out);
            }
        }
    }
    (out, if values == 0 { 0 } else { hash })
}

fn push_value(out: &mut String) {
    out.push('?');
}

/// `[?,?,?` → `[?`
fn collapse(out: &mut String) {
    if let Some(open) = out.rfind('[') {
        if out[open + 1..].bytes().all(|c| c == b'?' || c == b',') {
            out.truncate(open + 1);
            out.push('?');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::json_shape;

    #[test]
    fn keys_stay_values_go() {
        let (a, ha) = json_shape(r#"{"find": "users", "filter": {"_id": 42, "tags": {"$in": [1, 2, 3]}}}"#);
        let (b, hb) = json_shape(r#"{"find":"users","filter":{"_id":7,"tags":{"$in":[9]}}}"#);
        assert_eq!(a, r#"{"find":?,"filter":{"_id":?,"tags":{"$in":[?]}}}"#);
        assert_eq!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(json_shape("{}").1, 0);
        let _ = json_shape("{\"unterminated");
    }
}
