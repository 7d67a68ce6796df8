//! Python statements lowered into tree-sitter-python's shapes (`for_statement` with
//! `left`/`right`/`body`, `function_definition` inside `decorated_definition`, assignments
//! inside `expression_statement`, a `block` per body).

use super::{Lower, K};
use ruff_python_ast::visitor::source_order::{self as walk, SourceOrderVisitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

impl Lower<'_> {
    pub(super) fn stmt(&mut self, s: &Stmt) {
        stacker::maybe_grow(super::RED_ZONE, super::STACK_CHUNK, || self.stmt_here(s));
    }

    fn stmt_here(&mut self, s: &Stmt) {
        match s {
            Stmt::FunctionDef(f) => self.decorated(&f.decorator_list, f.range, |l, start| l.function(f, start)),
            Stmt::ClassDef(c) => self.decorated(&c.decorator_list, c.range, |l, start| l.class(c, start)),
            Stmt::For(f) => self.node(K::For, f.range, |l| {
                l.pattern_in("left", &f.target);
                l.expr_in("right", &f.iter);
                l.block("body", &f.body);
                l.else_block(&f.orelse);
            }),
            Stmt::While(w) => self.node(K::While, w.range, |l| {
                l.expr_in("condition", &w.test);
                l.block("body", &w.body);
                l.else_block(&w.orelse);
            }),
            Stmt::If(i) => self.node(K::If, i.range, |l| {
                l.expr_in("condition", &i.test);
                l.block("consequence", &i.body);
                for c in &i.elif_else_clauses {
                    l.field = "alternative";
                    let k = if c.test.is_some() { K::Elif } else { K::Else };
                    l.node(k, c.range, |l| {
                        if let Some(t) = &c.test {
                            l.expr_in("condition", t);
                        }
                        l.block(if c.test.is_some() { "consequence" } else { "body" }, &c.body);
                    });
                }
            }),
            Stmt::Expr(e) => self.node(K::ExprStmt, e.range, |l| l.visit_expr(&e.value)),
            Stmt::Assign(a) => self.node(K::ExprStmt, a.range, |l| l.assign(&a.targets, &a.value, a.range)),
            Stmt::AnnAssign(a) => self.node(K::ExprStmt, a.range, |l| {
                l.node(K::Assignment, a.range, |l| {
                    l.pattern_in("left", &a.target);
                    l.expr_in("type", &a.annotation);
                    if let Some(v) = &a.value {
                        l.expr_in("right", v);
                    }
                })
            }),
            Stmt::AugAssign(a) => self.node(K::ExprStmt, a.range, |l| {
                l.node(K::AugAssignment, a.range, |l| {
                    l.pattern_in("left", &a.target);
                    let op = format!("{}=", a.op.as_str());
                    l.token(&op, a.target.end().into(), a.value.start().into());
                    l.expr_in("right", &a.value);
                })
            }),
            Stmt::Return(r) => self.node(K::Return, r.range, |l| walk::walk_stmt(l, s)),
            Stmt::Break(b) => self.leaf(K::Break, b.range),
            Stmt::Continue(c) => self.leaf(K::Continue, c.range),
            Stmt::Pass(p) => self.leaf(K::Pass, p.range),
            Stmt::Import(i) => self.node(K::Import, i.range, |l| l.aliases(&i.names)),
            Stmt::ImportFrom(i) => self.node(K::ImportFrom, i.range, |l| {
                let start = l.skip_trivia(usize::from(i.range.start()) + "from".len());
                let end = i.module.as_ref().map_or(start + i.level, |m| u32::from(m.range.end()));
                let k = if i.level > 0 { K::RelativeImport } else { K::DottedName };
                l.field = "module_name";
                l.leaf(k, TextRange::new(TextSize::new(start), TextSize::new(end)));
                l.aliases(&i.names);
            }),
            Stmt::With(w) => self.node(K::With, w.range, |l| {
                if let (Some(first), Some(last)) = (w.items.first(), w.items.last()) {
                    l.node(K::WithClause, TextRange::new(first.range.start(), last.range.end()), |l| {
                        for item in &w.items {
                            l.with_item(item);
                        }
                    });
                }
                l.block("body", &w.body);
            }),
            Stmt::Try(t) => self.node(K::Try, t.range, |l| walk::walk_stmt(l, s)),
            _ => self.node(K::Statement, s.range(), |l| walk::walk_stmt(l, s)),
        }
    }

    /// `expr as target` as tree-sitter shapes it: with_item(as_pattern(expr, alias: target)).
    fn with_item(&mut self, item: &ast::WithItem) {
        self.node(K::WithItem, item.range, |l| {
            let Some(vars) = &item.optional_vars else { return l.expr_in("value", &item.context_expr) };
            l.field = "value";
            l.node(K::AsPattern, TextRange::new(item.context_expr.start(), vars.end()), |l| {
                l.visit_expr(&item.context_expr);
                l.field = "alias";
                l.node(K::AsPatternTarget, vars.range(), |l| l.visit_expr(vars));
            });
        });
    }

    /// Imported names: `dotted_name`s in the field `name`, `aliased_import`s for `as`.
    fn aliases(&mut self, names: &[ast::Alias]) {
        for a in names {
            if a.name.as_str() == "*" {
                self.leaf(K::WildcardImport, a.range);
                continue;
            }
            self.field = "name";
            let Some(alias) = &a.asname else {
                self.leaf(K::DottedName, a.name.range);
                continue;
            };
            self.node(K::AliasedImport, a.range, |l| {
                l.field = "name";
                l.leaf(K::DottedName, a.name.range);
                l.field = "alias";
                l.leaf(K::Identifier, alias.range);
            });
        }
    }

    /// `a = b = value` as tree-sitter nests it: assignment(a, assignment(b, value)).
    fn assign(&mut self, targets: &[Expr], value: &Expr, range: TextRange) {
        let Some((first, rest)) = targets.split_first() else { return self.visit_expr(value) };
        self.node(K::Assignment, range, |l| {
            l.pattern_in("left", first);
            match rest.first() {
                Some(next) => {
                    l.field = "right";
                    l.assign(rest, value, TextRange::new(next.start(), value.end()));
                }
                None => l.expr_in("right", value),
            }
        });
    }

    /// A definition, wrapped in `decorated_definition` when it has decorators; `def_node`
    /// gets the start of the definition itself (after the decorators).
    fn decorated(&mut self, decorators: &[ast::Decorator], range: TextRange, def_node: impl FnOnce(&mut Self, u32)) {
        let Some(last) = decorators.last() else { return def_node(self, range.start().into()) };
        let start = self.skip_trivia(last.end().into());
        self.node(K::Decorated, range, |l| {
            for d in decorators {
                l.node(K::Decorator, d.range, |l| l.visit_expr(&d.expression));
            }
            l.field = "definition";
            def_node(l, start);
        });
    }

    fn function(&mut self, f: &ast::StmtFunctionDef, start: u32) {
        self.node(K::Function, TextRange::new(TextSize::new(start), f.range.end()), |l| {
            l.field = "name";
            l.leaf(K::Identifier, f.name.range);
            l.parameters(K::Parameters, "parameters", &f.parameters);
            if let Some(r) = &f.returns {
                l.expr_in("return_type", r);
            }
            l.block("body", &f.body);
        });
    }

    fn class(&mut self, c: &ast::StmtClassDef, start: u32) {
        self.node(K::Class, TextRange::new(TextSize::new(start), c.range.end()), |l| {
            l.field = "name";
            l.leaf(K::Identifier, c.name.range);
            if let Some(args) = &c.arguments {
                l.field = "superclasses";
                l.argument_list(args);
            }
            l.block("body", &c.body);
        });
    }
}
