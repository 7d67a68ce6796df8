//! The languages perfhound scans, chosen by file extension, and their tree-sitter grammars.

use std::path::Path;

/// A source language. TSX is TypeScript with JSX; JSX files use the JavaScript grammar
/// (which parses JSX).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
}

/// What rules target: the Python family or the JavaScript family (JS, TS, TSX).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Python,
    Js,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Python, Lang::JavaScript, Lang::TypeScript, Lang::Tsx];

    /// The language of a file from its extension; `None` for files perfhound does not scan
    /// (minified bundles and declaration files included).
    pub fn from_path(path: &Path) -> Option<Lang> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".min.js") || name.ends_with(".d.ts") || name.ends_with(".bundle.js") {
            return None;
        }
        Some(match path.extension()?.to_str()? {
            "py" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            _ => return None,
        })
    }

    pub fn family(self) -> Family {
        match self {
            Lang::Python => Family::Python,
            _ => Family::Js,
        }
    }

    /// The name used for code excerpts (`code_lang`) and summaries.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
        }
    }

    /// The tree-sitter grammar of a JavaScript-family language; `None` for Python, which
    /// ruff's parser reads (`syntax/python.rs`).
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Lang::Python => return None,
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(Lang::from_path(Path::new("a/views.py")), Some(Lang::Python));
        assert_eq!(Lang::from_path(Path::new("x.pyi")), None);
        assert_eq!(Lang::from_path(Path::new("app.jsx")), Some(Lang::JavaScript));
        assert_eq!(Lang::from_path(Path::new("App.tsx")), Some(Lang::Tsx));
        assert_eq!(Lang::from_path(Path::new("vendor.min.js")), None);
        assert_eq!(Lang::from_path(Path::new("types.d.ts")), None);
        assert_eq!(Lang::from_path(Path::new("Makefile")), None);
    }
}
