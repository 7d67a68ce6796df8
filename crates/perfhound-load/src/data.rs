//! CSV data files feeding `{{ user.name }}`-style variables.
//!
//! Files are read and validated completely before any request is sent: a ragged row or
//! bad quoting is reported with file, line and column, never discovered mid-run.

use std::path::{Path, PathBuf};

/// A loaded CSV file: a header row naming the columns, then rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSource {
    pub path: PathBuf,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A CSV problem with its location.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct DataError {
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl DataSource {
    /// Reads a CSV file with a header row.
    pub fn load(path: &Path) -> Result<DataSource, DataError> {
        let text = std::fs::read(path).map_err(|e| DataError {
            path: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read data file: {e}"),
        })?;
        Self::parse(path, &text)
    }

    /// Parses CSV bytes; `path` is only used in messages.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<DataSource, DataError> {
        let shown = path.display().to_string();
        let err = |line: u64, column: u64, message: String| DataError { path: shown.clone(), line, column, message };
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
        let columns: Vec<String> =
            reader.headers().map_err(|e| csv_error(&e, &err))?.iter().map(|c| c.trim().to_string()).collect();
        if columns.is_empty() || columns.iter().all(|c| c.is_empty()) {
            return Err(err(1, 1, "no header row: the first line must name the columns (e.g. `name,password`)".into()));
        }
        if let Some(pos) = columns.iter().position(|c| c.is_empty()) {
            return Err(err(1, pos as u64 + 1, format!("column {} has an empty name in the header row", pos + 1)));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&e, &err))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        if rows.is_empty() {
            return Err(err(2, 1, "the file has a header but no data rows".into()));
        }
        Ok(DataSource { path: path.to_path_buf(), columns, rows })
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

fn csv_error(e: &csv::Error, err: &dyn Fn(u64, u64, String) -> DataError) -> DataError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => err(
            pos.as_ref().map_or(0, |p| p.line()),
            1,
            format!("row has {len} fields but the header has {expected_len}; every row needs one value per column"),
        ),
        csv::ErrorKind::Utf8 { pos, err: utf8 } => {
            err(pos.as_ref().map_or(0, |p| p.line()), utf8.field() as u64 + 1, "field is not valid UTF-8".to_string())
        }
        _ => err(e.position().map_or(0, |p| p.line()), 1, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_rows_and_columns() {
        let d = DataSource::parse(Path::new("u.csv"), b"name,pass\nalice,a1\nbob,b2\n").unwrap();
        assert_eq!(d.columns, ["name", "pass"]);
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.column("pass"), Some(1));
    }

    #[test]
    fn ragged_row_names_file_and_line() {
        let e = DataSource::parse(Path::new("u.csv"), b"name,pass\nalice,a1\nbob\n").unwrap_err();
        assert_eq!((e.path.as_str(), e.line), ("u.csv", 3));
        assert!(e.message.contains("1 fields"), "{e}");
    }

    #[test]
    fn empty_files_are_errors() {
        assert!(DataSource::parse(Path::new("e.csv"), b"").is_err());
        assert!(DataSource::parse(Path::new("h.csv"), b"name\n").unwrap_err().message.contains("no data rows"));
    }
}
