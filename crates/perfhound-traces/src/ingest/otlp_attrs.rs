//! OTLP/JSON attributes: `[{"key": …, "value": {"stringValue": …}}]`, handed to a callback
//! key by key, values borrowed from the input; values perfhound does not read are skipped.

use super::json_de::{Key, Repeat, Scalar};
use crate::semconv::AttrValue;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The attribute list; `F` gets each key and value.
pub(crate) struct AttrList<'f, F>(pub(crate) &'f mut F);

impl<'de, F: FnMut(&str, AttrValue<'de>)> Repeat<'de> for AttrList<'_, F> {
    fn read<A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error> {
        Ok(seq.next_element_seed(Attribute { on: &mut *self.0 })?.is_some())
    }
}

/// One `{ "key": …, "value": { "stringValue": … } }` attribute, handed to `on`.
struct Attribute<'f, F> {
    on: &'f mut F,
}

impl<'de, F: FnMut(&str, AttrValue<'de>)> DeserializeSeed<'de> for Attribute<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(&str, AttrValue<'de>)> Visitor<'de> for Attribute<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a KeyValue object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut key: Option<Cow<'de, str>> = None;
        let mut value: Option<AttrValue<'de>> = None;
        while let Some(k) = map.next_key::<Key>()? {
            match k.0.as_ref() {
                "key" => key = Some(map.next_value::<Key>()?.0),
                "value" => value = Some(map.next_value_seed(AnyValue)?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let (Some(k), Some(v)) = (key, value) {
            (self.on)(&k, v);
        }
        Ok(())
    }
}

/// `stringValue`, `intValue`, `doubleValue`, `boolValue` (either case style).
pub(crate) fn is_scalar_value(key: &str) -> bool {
    matches!(
        key,
        "stringValue"
            | "string_value"
            | "intValue"
            | "int_value"
            | "doubleValue"
            | "double_value"
            | "boolValue"
            | "bool_value"
    )
}

/// The attribute value of an `AnyValue` field `key` (one of [`is_scalar_value`]) holding `v`.
pub(crate) fn scalar_value<'de>(key: &str, v: Scalar<'de>) -> AttrValue<'de> {
    match (key.as_bytes()[0], v) {
        (b's', Scalar::Str(s)) => AttrValue::Str(s),
        (b'i', v) => v.as_i64().map_or(AttrValue::Other, AttrValue::Int),
        (b'd', Scalar::Float(f)) => AttrValue::Double(f),
        (b'd', Scalar::Int(i)) => AttrValue::Double(i as f64),
        (b'd', Scalar::Str(s)) => s.parse().map_or(AttrValue::Other, AttrValue::Double),
        (b'b', Scalar::Bool(b)) => AttrValue::Bool(b),
        _ => AttrValue::Other,
    }
}

/// `AnyValue`: `{ "stringValue": "x" }`, `{ "intValue": "3" }`, `{ "arrayValue": { "values": […] } }`.
struct AnyValue;

impl<'de> DeserializeSeed<'de> for AnyValue {
    type Value = AttrValue<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<AttrValue<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnyValue {
    type Value = AttrValue<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an AnyValue object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttrValue<'de>, A::Error> {
        let mut out = AttrValue::Other;
        while let Some(k) = map.next_key::<Key>()? {
            out = match k.0.as_ref() {
                "arrayValue" | "array_value" => map.next_value_seed(ArrayValue)?,
                key if is_scalar_value(key) => scalar_value(key, map.next_value::<Scalar>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    AttrValue::Other
                }
            };
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<AttrValue<'de>, E> {
        Ok(AttrValue::Other)
    }
}

/// `{ "values": [AnyValue…] }`
struct ArrayValue;

impl<'de> DeserializeSeed<'de> for ArrayValue {
    type Value = AttrValue<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<AttrValue<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ArrayValue {
    type Value = AttrValue<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an ArrayValue object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttrValue<'de>, A::Error> {
        let mut values = Vec::new();
        while let Some(k) = map.next_key::<Key>()? {
            if k.0 == "values" {
                struct Values<'v, 'de>(&'v mut Vec<AttrValue<'de>>);
                impl<'de> Visitor<'de> for Values<'_, 'de> {
                    type Value = ();
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("an array of AnyValue")
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                        while let Some(v) = seq.next_element_seed(AnyValue)? {
                            if self.0.len() < 64 {
                                self.0.push(v);
                            }
                        }
                        Ok(())
                    }
                }
                impl<'de> DeserializeSeed<'de> for Values<'_, 'de> {
                    type Value = ();
                    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                        d.deserialize_seq(self)
                    }
                }
                map.next_value_seed(Values(&mut values))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(AttrValue::Array(values))
    }
}
