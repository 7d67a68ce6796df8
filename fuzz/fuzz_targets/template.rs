//! `{{ var }}` templates (`perfhound_load::template::Template::parse`) with a resolver that
//! knows a few names (slot, data column, built-ins, an inlined literal), then rendering.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfhound_load::template::{Resolved, Template, VarRef, Vars};

struct FixedVars;

impl Vars for FixedVars {
    fn slot(&self, slot: usize) -> Option<&str> {
        (slot == 0).then_some("tok")
    }
    fn data(&self, binding: usize, column: usize) -> Option<&str> {
        (binding == 0 && column == 1).then_some("secret")
    }
    fn vu_id(&self) -> u64 {
        3
    }
    fn iteration(&self) -> u64 {
        7
    }
}

fn resolve(name: &str) -> Result<Resolved, String> {
    match name {
        "token" => Ok(Resolved::Var(VarRef::Slot(0))),
        "user.password" => Ok(Resolved::Var(VarRef::Data { binding: 0, column: 1 })),
        "vu" => Ok(Resolved::Var(VarRef::VuId)),
        "iter" => Ok(Resolved::Var(VarRef::Iteration)),
        // Inlined text that itself looks like a template must stay literal.
        "env.HOST" => Ok(Resolved::Literal("{{ token }}".into())),
        other => Err(format!("unknown variable `{other}`")),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match Template::parse(text, &mut resolve) {
            Ok(t) => {
                let rendered = t.render(&FixedVars);
                if let Some(lit) = t.as_literal() {
                    assert_eq!(rendered, lit);
                }
                let _ = t.vars().count();
            }
            Err(e) => {
                // The error offset points into the text, at a `{{`.
                assert!(e.offset <= text.len());
                assert!(text.is_char_boundary(e.offset));
            }
        }
    }
});
