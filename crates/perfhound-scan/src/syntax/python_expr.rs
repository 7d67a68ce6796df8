//! Python expressions lowered into tree-sitter-python's shapes: `call` with `function` and
//! an `argument_list`, `attribute` with `object`/`attribute`, `comparison_operator` with its
//! operator tokens, strings (implicit concatenations as `concatenated_string`),
//! comprehensions with `for_in_clause`s, targets as `pattern_list`.

use super::{Lower, K};
use ruff_python_ast::visitor::source_order::{self as walk, SourceOrderVisitor};
use ruff_python_ast::{self as ast, ArgOrKeyword, Expr};
use ruff_text_size::{Ranged, TextRange};

impl Lower<'_> {
    /// Lowers an expression (on a grown stack when the nesting is deep: `1+1+…+1`).
    pub(super) fn expr(&mut self, e: &Expr) {
        stacker::maybe_grow(super::RED_ZONE, super::STACK_CHUNK, || self.expr_here(e));
    }

    fn expr_here(&mut self, e: &Expr) {
        match e {
            Expr::Name(n) => self.leaf(K::Identifier, n.range),
            Expr::Attribute(a) => self.node(K::Attribute, a.range, |l| {
                l.expr_in("object", &a.value);
                l.field = "attribute";
                l.leaf(K::Identifier, a.attr.range);
            }),
            Expr::Call(c) => self.node(K::Call, c.range(), |l| {
                l.expr_in("function", &c.func);
                l.field = "arguments";
                match (&*c.arguments.args, c.arguments.keywords.is_empty()) {
                    ([Expr::Generator(g)], true) if !g.parenthesized => {
                        l.node(K::Generator, c.arguments.range, |l| l.comprehension(&g.elt, None, &g.generators))
                    }
                    _ => l.argument_list(&c.arguments),
                }
            }),
            Expr::Await(a) => self.node(K::Await, a.range, |l| l.visit_expr(&a.value)),
            Expr::Compare(c) => self.node(K::Comparison, c.range, |l| {
                l.visit_expr(&c.left);
                let mut prev = c.left.end();
                for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
                    l.token(op.as_str(), prev.into(), right.start().into());
                    l.visit_expr(right);
                    prev = right.end();
                }
            }),
            Expr::StringLiteral(s) => {
                let parts: Vec<TextRange> = s.value.iter().map(|p| p.range).collect();
                self.string(s.range, &parts, |_, _| {});
            }
            Expr::BytesLiteral(s) => {
                let parts: Vec<TextRange> = s.value.iter().map(|p| p.range).collect();
                self.string(s.range, &parts, |_, _| {});
            }
            Expr::FString(s) => {
                let parts: Vec<TextRange> = s.value.iter().map(|p| p.range()).collect();
                self.string(s.range, &parts, |l, i| {
                    if let Some(ast::FStringPart::FString(f)) = s.value.iter().nth(i) {
                        l.visit_f_string(f);
                    }
                });
            }
            Expr::TString(_) => self.node(K::Str, e.range(), |l| walk::walk_expr(l, e)),
            Expr::ListComp(c) => self.node(K::ListComp, c.range, |l| l.comprehension(&c.elt, None, &c.generators)),
            Expr::SetComp(c) => self.node(K::SetComp, c.range, |l| l.comprehension(&c.elt, None, &c.generators)),
            Expr::Generator(c) => self.node(K::Generator, c.range, |l| l.comprehension(&c.elt, None, &c.generators)),
            Expr::DictComp(c) => {
                self.node(K::DictComp, c.range, |l| l.comprehension(&c.value, c.key.as_deref(), &c.generators))
            }
            Expr::Lambda(f) => self.node(K::Lambda, f.range, |l| {
                if let Some(p) = &f.parameters {
                    l.parameters(K::LambdaParameters, "parameters", p);
                }
                l.expr_in("body", &f.body);
            }),
            Expr::Subscript(s) => self.node(K::Subscript, s.range, |l| {
                l.expr_in("value", &s.value);
                l.expr_in("subscript", &s.slice);
            }),
            Expr::Tuple(t) => {
                let k = match (Self::is_store(t.ctx), t.parenthesized) {
                    (true, true) => K::TuplePattern,
                    (true, false) => K::PatternList,
                    (false, true) => K::Tuple,
                    (false, false) => K::ExprList,
                };
                self.node(k, t.range, |l| walk::walk_expr(l, e));
            }
            Expr::List(t) => {
                let k = if Self::is_store(t.ctx) { K::ListPattern } else { K::List };
                self.node(k, t.range, |l| walk::walk_expr(l, e));
            }
            Expr::Dict(d) => self.node(K::Dict, d.range, |l| {
                for item in &d.items {
                    match &item.key {
                        Some(k) => l.node(K::Pair, TextRange::new(k.start(), item.value.end()), |l| {
                            l.expr_in("key", k);
                            l.expr_in("value", &item.value);
                        }),
                        None => l.node(K::DictSplat, item.value.range(), |l| l.visit_expr(&item.value)),
                    }
                }
            }),
            Expr::Named(n) => self.node(K::Named, n.range, |l| {
                l.expr_in("name", &n.target);
                l.expr_in("value", &n.value);
            }),
            Expr::BinOp(b) => self.node(K::Binary, b.range, |l| {
                l.expr_in("left", &b.left);
                l.token(b.op.as_str(), b.left.end().into(), b.right.start().into());
                l.expr_in("right", &b.right);
            }),
            Expr::Starred(s) => {
                let k = if Self::is_store(s.ctx) { K::ListSplatPattern } else { K::ListSplat };
                self.node(k, s.range, |l| l.visit_expr(&s.value));
            }
            _ => self.node(generic_kind(e), e.range(), |l| walk::walk_expr(l, e)),
        }
    }

    /// A string literal; implicitly concatenated parts become `string`s inside a
    /// `concatenated_string`. `inner` lowers what is inside part `i` (f-string fields).
    fn string(&mut self, range: TextRange, parts: &[TextRange], inner: impl Fn(&mut Self, usize)) {
        if parts.len() <= 1 {
            return self.node(K::Str, range, |l| inner(l, 0));
        }
        self.node(K::Concatenated, range, |l| {
            for (i, p) in parts.iter().enumerate() {
                l.node(K::Str, *p, |l| inner(l, i));
            }
        });
    }

    /// The inside of a comprehension: `body`, then a `for_in_clause` (and `if_clause`s) per
    /// generator.
    fn comprehension(&mut self, elt: &Expr, key: Option<&Expr>, generators: &[ast::Comprehension]) {
        match key {
            Some(k) => {
                self.field = "body";
                self.node(K::Pair, TextRange::new(k.start(), elt.end()), |l| {
                    l.expr_in("key", k);
                    l.expr_in("value", elt);
                });
            }
            None => self.expr_in("body", elt),
        }
        for g in generators {
            self.visit_comprehension(g);
        }
    }

    /// `(a, *b, key=c, **d)` in source order.
    pub(super) fn argument_list(&mut self, args: &ast::Arguments) {
        self.node(K::ArgumentList, args.range, |l| {
            for a in args.iter_source_order() {
                match a {
                    ArgOrKeyword::Arg(e) => l.visit_expr(e),
                    ArgOrKeyword::Keyword(k) => match &k.arg {
                        Some(name) => l.node(K::KeywordArgument, k.range, |l| {
                            l.field = "name";
                            l.leaf(K::Identifier, name.range);
                            l.expr_in("value", &k.value);
                        }),
                        None => l.node(K::DictSplat, k.range, |l| l.visit_expr(&k.value)),
                    },
                }
            }
        });
    }
}

/// The tree-sitter-python kind of an expression the rules do not look into.
fn generic_kind(e: &Expr) -> K {
    match e {
        Expr::BoolOp(_) => K::Boolean,
        Expr::UnaryOp(_) => K::Unary,
        Expr::If(_) => K::Conditional,
        Expr::Set(_) => K::Set,
        Expr::Slice(_) => K::Slice,
        Expr::Yield(_) | Expr::YieldFrom(_) => K::Yield,
        Expr::NumberLiteral(_) => K::Integer,
        Expr::BooleanLiteral(_) => K::True_,
        Expr::NoneLiteral(_) => K::None_,
        Expr::EllipsisLiteral(_) => K::Ellipsis,
        _ => K::Expression,
    }
}
