//! The SQL dialects of perfhound's database engines (PostgreSQL, SQLite) and what differs
//! between them where the engines share code: how identifiers fold and quote, which
//! comparisons an index serves, which sqlparser dialect reads them.
//!
//! Why one type: the column-usage walker ([`crate::usage`]) and the DDL the advisors print
//! are the same code for both databases; every difference is a method here, so a fix to
//! the shared code lands for both and a difference is named, not forked.

use sqlparser::ast::{Ident, Statement};
use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer, TokenizerError};

/// A database engine's SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    /// sqlparser's statements for `sql`.
    pub fn parse(self, sql: &str) -> Result<Vec<Statement>, ParserError> {
        match self {
            Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
            Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
        }
    }

    /// sqlparser's tokens for `sql`.
    pub fn tokenize(self, sql: &str) -> Result<Vec<Token>, TokenizerError> {
        match self {
            Dialect::Postgres => Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize(),
            Dialect::Sqlite => Tokenizer::new(&SQLiteDialect {}, sql).tokenize(),
        }
    }

    /// The name an identifier denotes: PostgreSQL folds unquoted identifiers to lower case
    /// and keeps quoted ones as written; SQLite compares every identifier
    /// case-insensitively, so both are lower-cased.
    pub fn fold(self, i: &Ident) -> String {
        match self {
            Dialect::Postgres if i.quote_style.is_some() => i.value.clone(),
            Dialect::Postgres => i.value.to_lowercase(),
            Dialect::Sqlite => i.value.to_ascii_lowercase(),
        }
    }

    /// The identifier as SQL: bare when it is a plain word that is not a keyword and reads
    /// back as the same name, `"quoted"` otherwise. PostgreSQL folds bare names to lower
    /// case, so an upper-case letter needs quotes there; SQLite does not fold.
    pub fn quote_ident(self, name: &str) -> String {
        let word = |b: u8| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || b == b'_'
                || (self == Dialect::Sqlite && b.is_ascii_uppercase())
        };
        let plain = name.bytes().next().is_some_and(|b| !b.is_ascii_digit())
            && name.bytes().all(word)
            && !self.is_keyword(name);
        if plain {
            name.to_string()
        } else {
            format!("\"{}\"", name.replace('"', "\"\""))
        }
    }

    /// A word that must be quoted to be used as a name (PostgreSQL's reserved key words;
    /// every SQLite keyword, as SQLite's docs advise).
    pub fn is_keyword(self, word: &str) -> bool {
        let list = match self {
            Dialect::Postgres => POSTGRES_RESERVED,
            Dialect::Sqlite => SQLITE_KEYWORDS,
        };
        list.split_ascii_whitespace().any(|k| k.eq_ignore_ascii_case(word))
    }

    /// SQLite has no boolean type (`TRUE` is the integer 1), so `flag = TRUE` is an
    /// equality an index serves; in PostgreSQL it tests a boolean column, a partial-index
    /// predicate like `WHERE flag`.
    pub fn booleans_are_integers(self) -> bool {
        self == Dialect::Sqlite
    }

    /// SQLite's `a IS b` and `a IS NOT DISTINCT FROM b` are equalities its planner serves
    /// from an index; PostgreSQL's `IS NOT DISTINCT FROM` cannot use a B-tree.
    pub fn is_not_distinct_from_is_indexable(self) -> bool {
        self == Dialect::Sqlite
    }
}

/// PostgreSQL's reserved key words (appendix C of its manual, "reserved" and "reserved,
/// can be function or type"): they cannot be column or table names unquoted.
const POSTGRES_RESERVED: &str = "all analyse analyze and any array as asc asymmetric both case cast check collate \
    column constraint create current_catalog current_date current_role current_time current_timestamp current_user \
    default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially \
    intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary \
    references returning select session_user some symmetric table then to trailing true union unique user using \
    variadic when where window with";

/// SQLite's keywords (<https://sqlite.org/lang_keywords.html>).
const SQLITE_KEYWORDS: &str = "ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE \
    BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT \
    CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO \
    DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM \
    FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD \
    INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL \
    NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE \
    RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT \
    SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM \
    VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT";

#[cfg(test)]
mod tests {
    use super::Dialect::{self, Postgres, Sqlite};

    /// `(dialect, name, quoted)` rows.
    fn check(rows: &[(Dialect, &str, &str)]) {
        for (d, name, want) in rows {
            assert_eq!(d.quote_ident(name), *want, "{d:?} {name:?}");
        }
    }

    #[test]
    fn quoting_per_dialect() {
        check(&[
            (Postgres, "orders", "orders"),
            (Postgres, "Events", "\"Events\""),
            (Postgres, "order", "\"order\""),
            (Postgres, "a\"b", "\"a\"\"b\""),
            (Postgres, "user_id2", "user_id2"),
            (Postgres, "", "\"\""),
            (Sqlite, "orders", "orders"),
            (Sqlite, "Orders", "Orders"),
            (Sqlite, "order", "\"order\""),
            (Sqlite, "Order Items", "\"Order Items\""),
            (Sqlite, "a\"b", "\"a\"\"b\""),
            (Sqlite, "1x", "\"1x\""),
            (Sqlite, "plan", "\"plan\""),
            (Postgres, "plan", "plan"),
        ]);
    }

    #[test]
    fn folding_per_dialect() {
        let bare = sqlparser::ast::Ident::new("Kind");
        let quoted = sqlparser::ast::Ident::with_quote('"', "Kind");
        assert_eq!((Postgres.fold(&bare), Postgres.fold(&quoted)), ("kind".into(), "Kind".into()));
        assert_eq!((Sqlite.fold(&bare), Sqlite.fold(&quoted)), ("kind".into(), "kind".into()));
    }
}
