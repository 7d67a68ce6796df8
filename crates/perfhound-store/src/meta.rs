//! What is saved next to a run: the git commit and branch it measured, `--tag k=v`, host.
//!
//! CI checkouts are often detached: the CI's own variables (`GITHUB_SHA`,
//! `GITHUB_HEAD_REF`/`GITHUB_REF_NAME`, `CI_COMMIT_SHA`/`CI_COMMIT_REF_NAME`) win over
//! `git` when set, so a pull request's runs carry its branch name.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Metadata of one saved run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The command that produced the run (`load`, `traces`, `db`, `audit`…).
    pub command: String,
    pub git_commit: String,
    pub git_branch: String,
    pub tags: BTreeMap<String, String>,
}

impl Meta {
    /// Git data for `dir` (CI variables first, then `git`), the command and the tags.
    pub fn detect(command: &str, dir: &Path, tags: BTreeMap<String, String>) -> Meta {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let git_commit =
            env("GITHUB_SHA").or_else(|| env("CI_COMMIT_SHA")).or_else(|| git(dir, &["rev-parse", "HEAD"]));
        let git_branch = env("GITHUB_HEAD_REF")
            .or_else(|| env("GITHUB_REF_NAME"))
            .or_else(|| env("CI_COMMIT_REF_NAME"))
            .or_else(|| git(dir, &["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD"));
        Meta {
            command: command.to_string(),
            git_commit: git_commit.unwrap_or_default(),
            git_branch: git_branch.unwrap_or_default(),
            tags,
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(dir).stderr(Stdio::null()).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Parses `--tag k=v` values; the error names the bad one.
pub fn parse_tags(values: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut tags = BTreeMap::new();
    for value in values {
        let (k, v) = value
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| format!("--tag `{value}`: expected name=value, e.g. --tag env=ci"))?;
        tags.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_need_a_key() {
        let tags = parse_tags(&["env=ci".into(), " rev = 2 ".into()]).unwrap();
        assert_eq!(tags.get("rev").map(String::as_str), Some("2"));
        assert!(parse_tags(&["=x".into()]).unwrap_err().contains("name=value"));
        assert!(parse_tags(&["novalue".into()]).is_err());
    }
}
