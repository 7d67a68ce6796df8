//! serde building blocks shared by the JSON decoders: borrowed keys, lenient scalars
//! (int64 as string or number, nested values skipped), and array seeds whose elements
//! borrow the caller's state.

use super::ids;
use crate::semconv::AttrValue;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A map key, borrowed when possible.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON scalar: OTLP/JSON writes int64 as strings, but numbers are accepted too.
pub(crate) enum Scalar<'de> {
    Str(Cow<'de, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
}

impl<'de: 'a, 'a> de::Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
                Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Null)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Scalar<'de> {
    /// As an attribute value (Jaeger/Zipkin tags).
    pub(crate) fn into_attr(self) -> AttrValue<'de> {
        match self {
            Scalar::Str(s) => AttrValue::Str(s),
            Scalar::Int(i) => AttrValue::Int(i),
            Scalar::Float(f) => AttrValue::Double(f),
            Scalar::Bool(b) => AttrValue::Bool(b),
            Scalar::Null => AttrValue::Other,
        }
    }

    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Scalar::Str(s) => ids::nanos_str(s),
            Scalar::Int(i) => u64::try_from(*i).ok(),
            Scalar::Float(f) if *f >= 0.0 && f.is_finite() => Some(*f as u64),
            _ => None,
        }
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Scalar::Str(s) => s.trim().parse().ok(),
            Scalar::Int(i) => Some(*i),
            Scalar::Float(f) if f.is_finite() => Some(*f as i64),
            _ => None,
        }
    }
}

/// Reads one element of a JSON array with a seed that borrows `self`.
pub(crate) trait Repeat<'de> {
    /// Reads the next element; false at the end of the array.
    fn read<A: SeqAccess<'de>>(&mut self, seq: &mut A) -> Result<bool, A::Error>;
}

/// A JSON array (or `null`) whose elements are read by a [`Repeat`].
pub(crate) struct SeqOf<T>(pub(crate) T);

impl<'de, T: Repeat<'de>> DeserializeSeed<'de> for SeqOf<T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Repeat<'de>> Visitor<'de> for SeqOf<T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while self.0.read(&mut seq)? {}
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}
