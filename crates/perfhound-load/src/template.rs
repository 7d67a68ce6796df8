//! `{{ var }}` templates, compiled once at plan time.
//!
//! A template is a list of literal and variable parts. Variable names are resolved to
//! indices when the plan is built ([`VarRef`]), so rendering in the request loop is a
//! walk over parts with no lookups by name and no allocation when the template is
//! literal ([`Template::as_literal`]).

use std::borrow::Cow;

/// A variable resolved at plan time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarRef {
    /// A capture variable slot of the VU.
    Slot(usize),
    /// Column `column` of the current row of data binding `binding`.
    Data { binding: usize, column: usize },
    /// The VU's number (1-based).
    VuId,
    /// The VU's iteration number (0-based).
    Iteration,
    /// Milliseconds since the Unix epoch at render time.
    TimestampMs,
    /// A random 32-bit number.
    RandomInt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(VarRef),
}

/// A compiled template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Where rendering reads variable values from.
pub trait Vars {
    fn slot(&self, slot: usize) -> Option<&str>;
    fn data(&self, binding: usize, column: usize) -> Option<&str>;
    fn vu_id(&self) -> u64;
    fn iteration(&self) -> u64;
}

/// What a variable name means; returned by the resolver given to [`Template::parse`].
pub enum Resolved {
    Var(VarRef),
    /// Known at plan time (environment variables): inlined as text.
    Literal(String),
}

/// A template error: the message and the byte offset in the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

impl Template {
    /// A template that is just this text (no variables are interpreted).
    pub fn literal(text: impl Into<String>) -> Template {
        let text = text.into();
        if text.is_empty() {
            return Template::default();
        }
        Template { parts: vec![Part::Lit(text)] }
    }

    /// Parses `text`, resolving each `{{ name }}` with `resolve`.
    pub fn parse(
        text: &str,
        resolve: &mut dyn FnMut(&str) -> Result<Resolved, String>,
    ) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(start) = rest.find("{{") {
            lit.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or_else(|| TemplateError {
                offset: offset + start,
                message: "`{{` without a closing `}}`".into(),
            })?;
            let name = after[..end].trim();
            if name.is_empty() {
                return Err(TemplateError { offset: offset + start, message: "empty `{{ }}`".into() });
            }
            match resolve(name).map_err(|message| TemplateError { offset: offset + start, message })? {
                Resolved::Literal(text) => lit.push_str(&text),
                Resolved::Var(var) => {
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Var(var));
                }
            }
            let consumed = start + 2 + end + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Template { parts })
    }

    /// The text when the template has no variables.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Lit(s)] => Some(s),
            _ => None,
        }
    }

    pub fn is_literal(&self) -> bool {
        self.as_literal().is_some()
    }

    /// Every variable the template uses.
    pub fn vars(&self) -> impl Iterator<Item = VarRef> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(*v),
            Part::Lit(_) => None,
        })
    }

    /// Renders into `out`. Unset variables render as the empty string.
    pub fn render_into(&self, vars: &dyn Vars, out: &mut String) {
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Var(v) => render_var(*v, vars, out),
            }
        }
    }

    /// Renders, borrowing when the template is literal.
    pub fn render<'a>(&'a self, vars: &dyn Vars) -> Cow<'a, str> {
        match self.as_literal() {
            Some(s) => Cow::Borrowed(s),
            None => {
                let mut out = String::new();
                self.render_into(vars, &mut out);
                Cow::Owned(out)
            }
        }
    }
}

fn render_var(var: VarRef, vars: &dyn Vars, out: &mut String) {
    use std::fmt::Write as _;
    match var {
        VarRef::Slot(i) => out.push_str(vars.slot(i).unwrap_or("")),
        VarRef::Data { binding, column } => out.push_str(vars.data(binding, column).unwrap_or("")),
        VarRef::VuId => {
            let _ = write!(out, "{}", vars.vu_id());
        }
        VarRef::Iteration => {
            let _ = write!(out, "{}", vars.iteration());
        }
        VarRef::TimestampMs => {
            let ms =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
            let _ = write!(out, "{ms}");
        }
        VarRef::RandomInt => {
            let _ = write!(out, "{}", rand::random::<u32>());
        }
    }
}

/// A JSON document whose strings may be templates.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonTemplate {
    /// A value without any template inside, kept as is.
    Value(serde_json::Value),
    String(Template),
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

impl JsonTemplate {
    /// Compiles a JSON value, parsing every string as a template.
    pub fn compile(
        value: &serde_json::Value,
        resolve: &mut dyn FnMut(&str) -> Result<Resolved, String>,
    ) -> Result<JsonTemplate, TemplateError> {
        Ok(match value {
            serde_json::Value::String(s) => {
                let t = Template::parse(s, resolve)?;
                match t.as_literal() {
                    Some(lit) => JsonTemplate::Value(serde_json::Value::String(lit.to_string())),
                    None => JsonTemplate::String(t),
                }
            }
            serde_json::Value::Array(items) => {
                let compiled =
                    items.iter().map(|v| JsonTemplate::compile(v, resolve)).collect::<Result<Vec<_>, _>>()?;
                if compiled.iter().all(|c| matches!(c, JsonTemplate::Value(_))) {
                    JsonTemplate::Value(value.clone())
                } else {
                    JsonTemplate::Array(compiled)
                }
            }
            serde_json::Value::Object(map) => {
                let compiled = map
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), JsonTemplate::compile(v, resolve)?)))
                    .collect::<Result<Vec<_>, TemplateError>>()?;
                if compiled.iter().all(|(_, c)| matches!(c, JsonTemplate::Value(_))) {
                    JsonTemplate::Value(value.clone())
                } else {
                    JsonTemplate::Object(compiled)
                }
            }
            other => JsonTemplate::Value(other.clone()),
        })
    }

    pub fn render(&self, vars: &dyn Vars) -> serde_json::Value {
        match self {
            JsonTemplate::Value(v) => v.clone(),
            JsonTemplate::String(t) => serde_json::Value::String(t.render(vars).into_owned()),
            JsonTemplate::Array(items) => serde_json::Value::Array(items.iter().map(|i| i.render(vars)).collect()),
            JsonTemplate::Object(fields) => {
                serde_json::Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.render(vars))).collect())
            }
        }
    }

    /// The serialized body when nothing in it is templated.
    pub fn as_literal(&self) -> Option<&serde_json::Value> {
        match self {
            JsonTemplate::Value(v) => Some(v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Vars for Fixed {
        fn slot(&self, slot: usize) -> Option<&str> {
            (slot == 0).then_some("tok\"en")
        }
        fn data(&self, binding: usize, column: usize) -> Option<&str> {
            (binding == 0 && column == 1).then_some("alice")
        }
        fn vu_id(&self) -> u64 {
            7
        }
        fn iteration(&self) -> u64 {
            3
        }
    }

    fn resolver(name: &str) -> Result<Resolved, String> {
        match name {
            "token" => Ok(Resolved::Var(VarRef::Slot(0))),
            "user.name" => Ok(Resolved::Var(VarRef::Data { binding: 0, column: 1 })),
            "vu" => Ok(Resolved::Var(VarRef::VuId)),
            "env.HOME" => Ok(Resolved::Literal("/root".into())),
            other => Err(format!("unknown variable `{other}`")),
        }
    }

    #[test]
    fn renders_vars_and_literals() {
        let t = Template::parse("/u/{{ user.name }}/{{vu}}?t={{token}}&h={{ env.HOME }}", &mut resolver).unwrap();
        assert_eq!(t.render(&Fixed), "/u/alice/7?t=tok\"en&h=/root");
        let lit = Template::parse("/static/{{ env.HOME }}", &mut resolver).unwrap();
        assert_eq!(lit.as_literal(), Some("/static//root"));
    }

    #[test]
    fn reports_errors_with_offsets() {
        let e = Template::parse("/a/{{ nope }}", &mut resolver).unwrap_err();
        assert_eq!(e.offset, 3);
        assert!(e.message.contains("nope"));
        let e = Template::parse("/a/{{ token", &mut resolver).unwrap_err();
        assert!(e.message.contains("closing"));
    }

    #[test]
    fn json_strings_are_escaped_on_render() {
        let v: serde_json::Value = serde_json::json!({"t": "{{token}}", "n": 1, "fixed": ["a"]});
        let t = JsonTemplate::compile(&v, &mut resolver).unwrap();
        assert!(t.as_literal().is_none());
        let out = serde_json::to_string(&t.render(&Fixed)).unwrap();
        assert!(out.contains(r#""t":"tok\"en""#), "{out}");
    }
}
