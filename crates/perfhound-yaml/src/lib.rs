//! [`Node`]: an untyped YAML/JSON value that keeps the location of every sub-value.
//!
//! Scenario fields whose shape varies (`think: 500ms` or `think: {min, max}`; capture maps
//! or lists; JSON bodies) and budget files in three shapes (perfhound YAML, the seeds'
//! targets YAML, Lighthouse JSON) are read into located nodes first and interpreted by
//! hand: every error can then name the file, line, column and field path, which serde's
//! untagged enums cannot (they drop both locations and inner errors).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

/// A located YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl Node {
    /// A short name of the value's kind for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "an empty value",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::UInt(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }

    /// Scalars as text (`1` → "1", `true` → "true"); `None` for null, lists and mappings.
    pub fn scalar_text(&self) -> Option<String> {
        Some(match self {
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::UInt(u) => u.to_string(),
            Node::Float(f) => f.to_string(),
            Node::Str(s) => s.clone(),
            Node::Null | Node::Seq(_) | Node::Map(_) => return None,
        })
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Node::Int(i) => Some(*i as f64),
            Node::UInt(u) => Some(*u as f64),
            Node::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Spanned<String>, Spanned<Node>)]> {
        match self {
            Node::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry for `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Spanned<Node>> {
        self.as_map()?.iter().find(|(k, _)| k.value == key).map(|(_, v)| v)
    }
}

/// The 1-based `(line, column)` of a location, `(1, 1)` when unknown.
pub fn line_col(at: &Location) -> (u64, u64) {
    if at.line() == 0 {
        (1, 1)
    } else {
        (at.line(), at.column().max(1))
    }
}

/// Converts to JSON; the error is the location of a value JSON cannot hold.
pub fn to_json(node: &Spanned<Node>) -> Result<serde_json::Value, Location> {
    use serde_json::Value;
    Ok(match &node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Int(i) => Value::from(*i),
        Node::UInt(u) => Value::from(*u),
        Node::Float(f) => serde_json::Number::from_f64(*f).map(Value::Number).ok_or(node.referenced)?,
        Node::Str(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Node::Map(entries) => Value::Object(
            entries.iter().map(|(k, v)| Ok((k.value.clone(), to_json(v)?))).collect::<Result<_, Location>>()?,
        ),
    })
}

/// Every string in a node with its location, depth first (for locating template errors).
pub fn strings(node: &Spanned<Node>, out: &mut Vec<(String, Location)>) {
    match &node.value {
        Node::Str(s) => out.push((s.clone(), node.referenced)),
        Node::Seq(items) => items.iter().for_each(|i| strings(i, out)),
        Node::Map(entries) => entries.iter().for_each(|(_, v)| strings(v, out)),
        _ => {}
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::UInt(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping whose keys are names chosen by the user (scenario names, data variables),
/// kept in document order with their locations.
#[derive(Clone, Debug, Default)]
pub struct Entries<T>(pub Vec<(Spanned<String>, Spanned<T>)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to settings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<T>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Entries(entries))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Entries<T>, E> {
                Ok(Entries(Vec::new()))
            }
        }
        deserializer.deserialize_map(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Spanned<Node> {
        serde_saphyr::from_str(text).unwrap()
    }

    fn at(node: &Spanned<Node>) -> (u64, u64) {
        line_col(&node.referenced)
    }

    #[test]
    fn scalars_keep_their_type_and_location() {
        let root = parse("a: 1\nb: -2\nc: 1.5\nd: true\ne: text\nf: ~\ng: '7'\n");
        let kinds: Vec<(&str, &str)> =
            root.value.as_map().unwrap().iter().map(|(k, v)| (k.value.as_str(), v.value.kind())).collect();
        assert_eq!(
            kinds,
            [
                ("a", "a number"),
                ("b", "a number"),
                ("c", "a number"),
                ("d", "a boolean"),
                ("e", "a string"),
                ("f", "an empty value"),
                ("g", "a string"),
            ]
        );
        assert_eq!(root.value.get("a").unwrap().value, Node::UInt(1));
        assert_eq!(root.value.get("b").unwrap().value, Node::Int(-2));
        assert_eq!(root.value.get("c").unwrap().value.as_f64(), Some(1.5));
        assert_eq!(root.value.get("g").unwrap().value.as_f64(), None);
        assert_eq!(at(root.value.get("c").unwrap()), (3, 4));
        assert_eq!(at(root.value.get("e").unwrap()), (5, 4));
        assert!(root.value.get("missing").is_none());
        assert!(root.value.get("a").unwrap().value.get("a").is_none());
    }

    #[test]
    fn scalar_text_covers_scalars_only() {
        let root = parse("[1, -2, true, x, 2.5, ~, [1], {a: 1}]");
        let Node::Seq(items) = &root.value else { panic!("not a list: {root:?}") };
        let texts: Vec<Option<String>> = items.iter().map(|i| i.value.scalar_text()).collect();
        let expected = [Some("1"), Some("-2"), Some("true"), Some("x"), Some("2.5"), None, None, None];
        assert_eq!(texts, expected.map(|t| t.map(str::to_string)));
        assert_eq!(items[6].value.kind(), "a list");
        assert_eq!(items[7].value.kind(), "a mapping");
    }

    #[test]
    fn nested_locations_and_strings_in_document_order() {
        let root = parse("body:\n  name: ann\n  tags: [a, \"b\"]\n  n: 3\n");
        let body = root.value.get("body").unwrap();
        let mut found = Vec::new();
        strings(body, &mut found);
        let found: Vec<(String, (u64, u64))> = found.iter().map(|(s, l)| (s.clone(), line_col(l))).collect();
        assert_eq!(found, [("ann".to_string(), (2, 9)), ("a".to_string(), (3, 10)), ("b".to_string(), (3, 13))]);
    }

    #[test]
    fn converts_to_json() {
        let root = parse("{a: 1, b: [true, ~, x], c: -1.5, d: 18446744073709551615}");
        assert_eq!(
            to_json(&root).unwrap(),
            serde_json::json!({"a": 1, "b": [true, null, "x"], "c": -1.5, "d": u64::MAX})
        );
    }

    #[test]
    fn json_cannot_hold_nan_and_names_its_location() {
        // serde-saphyr rejects `.nan` by default, so the value is planted after parsing.
        let mut root = parse("a:\n  - 1\n  - 2.5\n");
        let Node::Map(entries) = &mut root.value else { panic!("not a mapping: {root:?}") };
        let Node::Seq(items) = &mut entries[0].1.value else { panic!("not a list: {entries:?}") };
        items[1].value = Node::Float(f64::NAN);
        assert_eq!(line_col(&to_json(&root).unwrap_err()), (3, 5));
    }

    #[test]
    fn unknown_location_is_line_one_column_one() {
        assert_eq!(line_col(&Location::UNKNOWN), (1, 1));
    }

    #[test]
    fn entries_keep_order_and_key_locations() {
        let entries: Entries<u32> = serde_saphyr::from_str("zeta: 1\nalpha: 2\n").unwrap();
        let got: Vec<(&str, u32, (u64, u64))> =
            entries.0.iter().map(|(k, v)| (k.value.as_str(), v.value, line_col(&k.referenced))).collect();
        assert_eq!(got, [("zeta", 1, (1, 1)), ("alpha", 2, (2, 1))]);

        let unit = de::value::UnitDeserializer::<de::value::Error>::new();
        assert!(Entries::<u32>::deserialize(unit).unwrap().0.is_empty());
        let err = serde_saphyr::from_str::<Entries<u32>>("[1]").unwrap_err().to_string();
        assert!(err.contains("expected mapping start"), "{err}");
    }
}
