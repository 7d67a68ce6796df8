//! Python: parsed by ruff's parser (`ruff_python_parser`) and lowered into perfhound's tree
//! with the node kinds and field names of tree-sitter-python, so that one rule reads both
//! languages: statements get their `block`s, calls their `argument_list`, comparisons and
//! augmented assignments their operator tokens, decorated definitions their
//! `decorated_definition` wrapper. Expressions without a rule-relevant shape are kept as
//! generic nodes whose children are lowered the same way (names inside them stay visible).

use super::{Builder, SyntaxError, Tree};
use ruff_python_ast::visitor::source_order::SourceOrderVisitor;
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};

macro_rules! kinds {
    ($($k:ident = $s:literal),* $(,)?) => {
        /// Every node kind the Python front-end produces; a kind's id is its index.
        pub const PY_KINDS: &[&str] = &[$($s),*];
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        #[repr(u16)]
        enum K { $($k),* }
    };
}

kinds! {
    Module = "module", Block = "block", ExprStmt = "expression_statement", Assignment = "assignment",
    AugAssignment = "augmented_assignment", Return = "return_statement", Break = "break_statement",
    Continue = "continue_statement", Pass = "pass_statement", Statement = "statement", For = "for_statement",
    While = "while_statement", If = "if_statement", Elif = "elif_clause", Else = "else_clause",
    With = "with_statement", Try = "try_statement", Import = "import_statement",
    ImportFrom = "import_from_statement", Function = "function_definition", Class = "class_definition",
    Decorated = "decorated_definition", Decorator = "decorator", Parameters = "parameters",
    LambdaParameters = "lambda_parameters", TypedParameter = "typed_parameter",
    DefaultParameter = "default_parameter", ListSplatPattern = "list_splat_pattern",
    DictSplatPattern = "dictionary_splat_pattern", Identifier = "identifier", Attribute = "attribute",
    Call = "call", ArgumentList = "argument_list", KeywordArgument = "keyword_argument", ListSplat = "list_splat",
    DictSplat = "dictionary_splat", Await = "await", Comparison = "comparison_operator", Op = "operator",
    Str = "string", Concatenated = "concatenated_string", ListComp = "list_comprehension",
    SetComp = "set_comprehension", DictComp = "dictionary_comprehension", Generator = "generator_expression",
    ForIn = "for_in_clause", IfClause = "if_clause", Lambda = "lambda", Subscript = "subscript",
    List = "list", ListPattern = "list_pattern", Tuple = "tuple", TuplePattern = "tuple_pattern",
    PatternList = "pattern_list", ExprList = "expression_list", Dict = "dictionary", Pair = "pair",
    Set = "set", Named = "named_expression", Binary = "binary_operator", Boolean = "boolean_operator",
    Unary = "unary_operator", Conditional = "conditional_expression", Slice = "slice", Yield = "yield",
    WithClause = "with_clause", WithItem = "with_item", AsPattern = "as_pattern",
    AsPatternTarget = "as_pattern_target", DottedName = "dotted_name", RelativeImport = "relative_import", AliasedImport = "aliased_import",
    WildcardImport = "wildcard_import", Integer = "integer", True_ = "true", None_ = "none", Ellipsis = "ellipsis", Expression = "expression",
}

/// Stack left before the lowering grows it (deeply nested code recurses deeply), and the
/// size of each new segment — the values ruff's parser uses.
const RED_ZONE: usize = 100 * 1024;
const STACK_CHUNK: usize = 1024 * 1024;

/// Parses a Python module; a syntax error gives its line. Large files are parsed, lowered
/// and dropped on a stack sized by the text: ruff's AST is dropped recursively, and
/// `1 + 1 + … + 1` nests one level per two bytes.
pub(super) fn parse(text: &str) -> Result<Tree, SyntaxError> {
    if text.len() < 16 * 1024 {
        return parse_here(text);
    }
    stacker::grow((text.len() * 128).max(STACK_CHUNK), || parse_here(text))
}

fn parse_here(text: &str) -> Result<Tree, SyntaxError> {
    let parsed = ruff_python_parser::parse_module(text).map_err(|e| SyntaxError { line: line_of(text, e.location) })?;
    let mut l = Lower { b: Builder::new(text.len() / 6), text, field: "" };
    l.node(K::Module, TextRange::up_to((text.len() as u32).into()), |l| {
        for s in &parsed.syntax().body {
            l.visit_stmt(s);
        }
    });
    Ok(l.b.finish(text))
}

fn line_of(text: &str, r: TextRange) -> usize {
    let at = (usize::from(r.start())).min(text.len());
    text.as_bytes()[..at].iter().filter(|&&c| c == b'\n').count() + 1
}

struct Lower<'s> {
    b: Builder,
    text: &'s str,
    /// The field name of the next node opened.
    field: &'static str,
}

impl<'s> Lower<'s> {
    fn open(&mut self, k: K, start: u32, named: bool) {
        let field = std::mem::take(&mut self.field);
        self.b.open(PY_KINDS[k as usize], k as u16, named, field, start);
    }

    /// A node of kind `k` over `r` whose children `f` adds.
    fn node(&mut self, k: K, r: TextRange, f: impl FnOnce(&mut Self)) {
        self.open(k, r.start().into(), true);
        f(self);
        self.b.close(r.end().into());
    }

    fn leaf(&mut self, k: K, r: TextRange) {
        self.node(k, r, |_| {});
    }

    /// An anonymous token (`in`, `+=`) found in the text between `from` and `to`.
    fn token(&mut self, token: &str, from: u32, to: u32) {
        let gap = self.text.get(from as usize..to as usize).unwrap_or("");
        let first = token.split(' ').next().unwrap_or(token);
        let start = gap.find(first).map(|i| from + i as u32).unwrap_or(from);
        let end = (start + token.len() as u32).min(to.max(start));
        self.field = "operator";
        self.open(K::Op, start, false);
        self.b.close(end);
    }

    fn expr_in(&mut self, field: &'static str, e: &Expr) {
        self.field = field;
        self.visit_expr(e);
    }

    fn block(&mut self, field: &'static str, body: &[Stmt]) {
        let (Some(first), Some(last)) = (body.first(), body.last()) else { return };
        self.field = field;
        self.node(K::Block, TextRange::new(first.start(), last.end()), |l| {
            for s in body {
                l.visit_stmt(s);
            }
        });
    }

    fn else_block(&mut self, body: &[Stmt]) {
        let (Some(first), Some(last)) = (body.first(), body.last()) else { return };
        let start = self.keyword_before("else", first.start().into());
        self.field = "alternative";
        self.node(K::Else, TextRange::new(start.into(), last.end()), |l| l.block("body", body));
    }

    /// The start of the last `keyword` before `at` (for clauses the AST has no node for).
    fn keyword_before(&self, keyword: &str, at: u32) -> u32 {
        self.text.get(..at as usize).and_then(|t| t.rfind(keyword)).map(|i| i as u32).unwrap_or(at)
    }

    /// The first byte of code at or after `at` (whitespace, comments and line
    /// continuations skipped).
    fn skip_trivia(&self, mut at: usize) -> u32 {
        let b = self.text.as_bytes();
        while let Some(&c) = b.get(at) {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\\' => at += 1,
                b'#' => at += b[at..].iter().position(|&c| c == b'\n').unwrap_or(b.len() - at),
                _ => break,
            }
        }
        at as u32
    }
}

#[path = "python_expr.rs"]
mod expr;
#[path = "python_stmt.rs"]
mod stmt;

impl<'a> SourceOrderVisitor<'a> for Lower<'_> {
    fn visit_stmt(&mut self, s: &'a Stmt) {
        self.stmt(s);
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        self.expr(e);
    }

    fn visit_body(&mut self, body: &'a [Stmt]) {
        self.block("body", body);
    }

    fn visit_identifier(&mut self, id: &'a ast::Identifier) {
        self.leaf(K::Identifier, id.range);
    }

    fn visit_annotation(&mut self, e: &'a Expr) {
        self.expr(e);
    }

    fn visit_comprehension(&mut self, c: &'a ast::Comprehension) {
        self.field = "";
        self.node(K::ForIn, TextRange::new(c.range.start(), c.iter.end()), |l| {
            l.pattern_in("left", &c.target);
            l.expr_in("right", &c.iter);
        });
        for cond in &c.ifs {
            self.node(K::IfClause, cond.range(), |l| l.visit_expr(cond));
        }
    }

    fn visit_parameter_with_default(&mut self, p: &'a ast::ParameterWithDefault) {
        self.parameter(&p.parameter, p.default.as_deref(), p.range);
    }

    fn visit_parameter(&mut self, p: &'a ast::Parameter) {
        self.parameter(p, None, p.range);
    }
}

impl Lower<'_> {
    /// A parameter as tree-sitter shapes it: a bare identifier, or a typed/default
    /// parameter holding one.
    fn parameter(&mut self, p: &ast::Parameter, default: Option<&Expr>, range: TextRange) {
        if p.annotation.is_none() && default.is_none() {
            return self.leaf(K::Identifier, p.name.range);
        }
        let k = if default.is_some() { K::DefaultParameter } else { K::TypedParameter };
        self.node(k, range, |l| {
            l.leaf(K::Identifier, p.name.range);
            if let Some(a) = &p.annotation {
                l.expr_in("type", a);
            }
            if let Some(d) = default {
                l.expr_in("value", d);
            }
        });
    }

    /// A `*args` / `**kwargs` parameter.
    fn splat_parameter(&mut self, k: K, p: &ast::Parameter) {
        self.node(k, p.range, |l| l.visit_parameter(p));
    }

    fn parameters(&mut self, k: K, field: &'static str, ps: &ast::Parameters) {
        self.field = field;
        self.node(k, ps.range, |l| {
            for p in ps.posonlyargs.iter().chain(&ps.args) {
                l.visit_parameter_with_default(p);
            }
            if let Some(v) = &ps.vararg {
                l.splat_parameter(K::ListSplatPattern, v);
            }
            for p in &ps.kwonlyargs {
                l.visit_parameter_with_default(p);
            }
            if let Some(v) = &ps.kwarg {
                l.splat_parameter(K::DictSplatPattern, v);
            }
        });
    }

    /// An assignment target: tuples and lists without brackets are `pattern_list`s.
    fn pattern_in(&mut self, field: &'static str, e: &Expr) {
        self.expr_in(field, e);
    }

    fn is_store(ctx: ExprContext) -> bool {
        matches!(ctx, ExprContext::Store | ExprContext::Del)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    /// The tree as `kind[field]` lines, named nodes only, indented by depth.
    fn outline(text: &str) -> String {
        let tree = parse(text).unwrap();
        let mut out = String::new();
        for n in tree.nodes().filter(|n| n.is_named()) {
            let depth = std::iter::successors(n.parent(), |p| p.parent()).count();
            let field = n.parent().and_then(|p| {
                p.children(&mut p.walk()).position(|c| c == n).and_then(|_| {
                    ["function", "arguments", "object", "attribute", "left", "right", "body", "definition", "name"]
                        .into_iter()
                        .find(|f| p.child_by_field_name(f) == Some(n))
                })
            });
            let text = n.utf8_text(text.as_bytes()).unwrap();
            out.push_str(&format!(
                "{}{}{} {text:?}\n",
                "  ".repeat(depth),
                n.kind(),
                field.map(|f| format!("[{f}]")).unwrap_or_default()
            ));
        }
        out
    }

    #[test]
    fn lowers_to_tree_sitter_shapes() {
        let got = outline("@app.get('/x')\nasync def f(self):\n    for o in xs:\n        s += db.q(o, k=1)\n");
        let want = [
            "module \"@app.get('/x')\\nasync def f(self):\\n    for o in xs:\\n        s += db.q(o, k=1)\\n\"",
            "  decorated_definition \"@app.get('/x')\\nasync def f(self):\\n    for o in xs:\\n        s += db.q(o, k=1)\"",
            "    decorator \"@app.get('/x')\"",
            "      call \"app.get('/x')\"",
            "        attribute[function] \"app.get\"",
            "          identifier[object] \"app\"",
            "          identifier[attribute] \"get\"",
            "        argument_list[arguments] \"('/x')\"",
            "          string \"'/x'\"",
            "    function_definition[definition] \"async def f(self):\\n    for o in xs:\\n        s += db.q(o, k=1)\"",
            "      identifier[name] \"f\"",
            "      parameters \"(self)\"",
            "        identifier \"self\"",
            "      block[body] \"for o in xs:\\n        s += db.q(o, k=1)\"",
            "        for_statement \"for o in xs:\\n        s += db.q(o, k=1)\"",
            "          identifier[left] \"o\"",
            "          identifier[right] \"xs\"",
            "          block[body] \"s += db.q(o, k=1)\"",
            "            expression_statement \"s += db.q(o, k=1)\"",
            "              augmented_assignment \"s += db.q(o, k=1)\"",
            "                identifier[left] \"s\"",
            "                call[right] \"db.q(o, k=1)\"",
            "                  attribute[function] \"db.q\"",
            "                    identifier[object] \"db\"",
            "                    identifier[attribute] \"q\"",
            "                  argument_list[arguments] \"(o, k=1)\"",
            "                    identifier \"o\"",
            "                    keyword_argument \"k=1\"",
            "                      identifier[name] \"k\"",
            "                      integer \"1\"",
        ];
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "{got}");
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let text = format!("x = {}1\n", "1+".repeat(100_000));
        let tree = parse(&text).unwrap();
        assert!(tree.nodes().count() > 200_000);
    }

    #[test]
    fn syntax_errors_name_their_line() {
        assert_eq!(parse("x = 1\ndef f(:\n").unwrap_err().line, 2);
    }
}
