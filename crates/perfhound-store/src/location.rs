//! Where the store is: `--store`, else `PERFHOUND_STORE`, else `.perfhound/history.db` in
//! the project (the nearest directory upwards holding `.perfhound/` or `.git`, else the
//! current directory).

use std::path::{Path, PathBuf};

/// The environment variable naming the store (a path or a `postgres://` URL).
pub const ENV: &str = "PERFHOUND_STORE";

/// A store's place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// Reads a `--store` value: a `postgres://`/`postgresql://` URL or a file path.
    pub fn parse(text: &str) -> Location {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// `flag`, else the environment's [`ENV`], else the project default under `cwd`.
    pub fn resolve(flag: Option<&str>, env: Option<String>, cwd: &Path) -> Location {
        match flag.map(str::to_string).or(env).filter(|s| !s.trim().is_empty()) {
            Some(text) => Location::parse(&text),
            None => Location::Sqlite(project_root(cwd).join(".perfhound").join("history.db")),
        }
    }

    /// How to show the location to a person (a URL's password masked).
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => perfhound_model::redact::text(url),
        }
    }
}

/// The nearest ancestor of `cwd` with `.perfhound/` or `.git`, else `cwd`.
pub fn project_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join(".perfhound").is_dir() || dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_then_env_then_project_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let default = Location::resolve(None, None, &sub);
        assert_eq!(default, Location::Sqlite(dir.path().join(".perfhound/history.db")));
        let env = Location::resolve(None, Some("postgres://u:pw@127.0.0.1/h".into()), &sub);
        assert!(matches!(env, Location::Postgres(_)));
        assert!(!env.describe().contains("pw"), "{}", env.describe());
        assert_eq!(Location::resolve(Some("x.db"), Some("y.db".into()), &sub), Location::Sqlite("x.db".into()));
    }
}
