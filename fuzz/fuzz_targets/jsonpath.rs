//! JSONPath subset (`perfhound_load::jsonpath::JsonPath::parse` + `find`) against a fixed
//! document with nested objects, arrays, odd keys and scalars.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_load::jsonpath::{value_text, JsonPath};
use serde_json::{json, Value};
use std::sync::OnceLock;

fn doc() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        json!({
            "token": "abc",
            "items": [{"id": 1, "tags": ["x", "y"]}, {"id": 2, "tags": []}, null, [1, [2, [3]]]],
            "a b": {"c": true, "": 0, "*": "star", "[0]": "bracket", "'q'": 1.5},
            "data": {"users": [{"name": "ann", "roles": {"admin": false}}]},
            "empty": {},
            "n": -7
        })
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(path) = JsonPath::parse(text) {
            let _ = path.to_string();
            if let Some(v) = path.find(doc()) {
                let _ = value_text(v);
            }
        }
    }
});
