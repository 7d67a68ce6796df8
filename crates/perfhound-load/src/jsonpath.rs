//! A JSONPath subset for captures and checks: `$`, `.key`, `['key']`, `[n]`, `[-n]`, `[*]`.
//!
//! That subset covers what load-test flows capture in practice (`$.token`,
//! `$.items[0].id`, `$.data[*].id` for "the first id"). Filters and recursive descent
//! are rejected at plan time with a message rather than silently mis-evaluated.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(i64),
    Wildcard,
}

/// A compiled path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    segments: Vec<Segment>,
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl JsonPath {
    /// Parses `$.a.b[0]`; a leading `$` is optional (`a.b` works too).
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let trimmed = text.trim();
        let mut rest = trimmed.strip_prefix('$').unwrap_or(trimmed);
        let mut segments = Vec::new();
        if !rest.is_empty() && !rest.starts_with('.') && !rest.starts_with('[') && trimmed.starts_with('$') {
            return Err(format!("`{text}`: expected `.` or `[` after `$`"));
        }
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("..") {
                let _ = after;
                return Err(format!("`{text}`: recursive descent `..` is not supported; use an explicit path"));
            } else if let Some(after) = rest.strip_prefix('.') {
                rest = take_key(after, &mut segments, text)?;
            } else if let Some(after) = rest.strip_prefix('[') {
                rest = take_bracket(after, &mut segments, text)?;
            } else if segments.is_empty() {
                rest = take_key(rest, &mut segments, text)?;
            } else {
                return Err(format!("`{text}`: unexpected `{rest}`"));
            }
        }
        Ok(JsonPath { text: trimmed.to_string(), segments })
    }

    /// The first value the path selects.
    pub fn find<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        find_from(root, &self.segments)
    }
}

fn take_key<'a>(s: &'a str, out: &mut Vec<Segment>, text: &str) -> Result<&'a str, String> {
    let end = s.find(['.', '[']).unwrap_or(s.len());
    let key = &s[..end];
    if key.is_empty() {
        return Err(format!("`{text}`: empty key"));
    }
    if key == "*" {
        out.push(Segment::Wildcard);
    } else {
        out.push(Segment::Key(key.to_string()));
    }
    Ok(&s[end..])
}

fn take_bracket<'a>(s: &'a str, out: &mut Vec<Segment>, text: &str) -> Result<&'a str, String> {
    let end = s.find(']').ok_or_else(|| format!("`{text}`: `[` without `]`"))?;
    let inner = s[..end].trim();
    let seg = if inner == "*" {
        Segment::Wildcard
    } else if let Some(q) = inner
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| inner.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
    {
        Segment::Key(q.to_string())
    } else if let Ok(i) = inner.parse::<i64>() {
        Segment::Index(i)
    } else if inner.starts_with('?') {
        return Err(format!("`{text}`: filter expressions are not supported"));
    } else {
        return Err(format!("`{text}`: `[{inner}]` is not an index, `*` or a quoted key"));
    };
    out.push(seg);
    Ok(&s[end + 1..])
}

fn find_from<'v>(value: &'v Value, segments: &[Segment]) -> Option<&'v Value> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(value);
    };
    match first {
        Segment::Key(k) => find_from(value.get(k.as_str())?, rest),
        Segment::Index(i) => {
            let arr = value.as_array()?;
            let idx = if *i < 0 { arr.len().checked_sub(i.unsigned_abs() as usize)? } else { *i as usize };
            find_from(arr.get(idx)?, rest)
        }
        Segment::Wildcard => match value {
            Value::Array(items) => items.iter().find_map(|v| find_from(v, rest)),
            Value::Object(map) => map.values().find_map(|v| find_from(v, rest)),
            _ => None,
        },
    }
}

/// The text form of a JSON value for captures: strings without quotes, others as JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(path: &str, doc: &Value, expected: Option<Value>) {
        let p = JsonPath::parse(path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.find(doc).cloned(), expected, "{path}");
    }

    #[test]
    fn subset_paths() {
        let doc = json!({"token": "abc", "items": [{"id": 1}, {"id": 2, "tags": ["x"]}], "a b": {"c": true}});
        check("$.token", &doc, Some(json!("abc")));
        check("token", &doc, Some(json!("abc")));
        check("$.items[1].id", &doc, Some(json!(2)));
        check("$.items[-1].tags[0]", &doc, Some(json!("x")));
        check("$.items[*].tags[0]", &doc, Some(json!("x")));
        check("$['a b'].c", &doc, Some(json!(true)));
        check("$.missing", &doc, None);
        check("$.items[9]", &doc, None);
        check("$", &doc, Some(doc.clone()));
    }

    #[test]
    fn unsupported_is_an_error() {
        assert!(JsonPath::parse("$..id").unwrap_err().contains("recursive"));
        assert!(JsonPath::parse("$.items[?(@.id)]").unwrap_err().contains("filter"));
        assert!(JsonPath::parse("$.items[0").is_err());
        assert!(JsonPath::parse("$x").is_err());
    }
}
