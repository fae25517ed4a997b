//! Finding the input files: files as given, folders walked recursively, in a stable order.

use std::path::{Path, PathBuf};

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    /// The path as written in the record's `source`.
    pub source: String,
}

/// The inputs found, and what was passed over.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub files: Vec<Input>,
    /// Files under a folder that cannot hold a return (images, archives), with their type.
    pub skipped: Vec<(String, String)>,
    /// Paths given that do not exist or cannot be listed.
    pub missing: Vec<String>,
}

/// Extensions of files that can hold a return.
pub const RETURN_EXTENSIONS: &[&str] =
    &["docx", "docm", "dotx", "doc", "odt", "rtf", "xlsx", "xlsm", "xls", "ods", "txt", "pdf"];

/// Collect inputs from files and folders.
pub fn collect(paths: &[PathBuf]) -> Inputs {
    let mut inputs = Inputs::default();
    for path in paths {
        if path.is_dir() {
            walk_dir(path, &mut inputs);
        } else if path.exists() {
            inputs.files.push(Input { path: path.clone(), source: path.to_string_lossy().into_owned() });
        } else {
            inputs.missing.push(path.to_string_lossy().into_owned());
        }
    }
    inputs.files.sort_by(|a, b| a.source.cmp(&b.source));
    inputs.files.dedup_by(|a, b| a.source == b.source);
    inputs.skipped.sort();
    inputs
}

fn walk_dir(root: &Path, inputs: &mut Inputs) {
    // Explicit stack, no recursion; symlinked folders are not followed (no loops).
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            inputs.missing.push(dir.to_string_lossy().into_owned());
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            if is_lock_file(&name) || name.starts_with('.') && name != "." {
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if RETURN_EXTENSIONS.contains(&ext.as_str()) {
                inputs.files.push(Input { source: path.to_string_lossy().into_owned(), path });
            } else {
                let kind = if ext.is_empty() { "no extension".to_string() } else { format!(".{ext} file") };
                inputs.skipped.push((path.to_string_lossy().into_owned(), kind));
            }
        }
    }
}

/// Office lock files (`~$name.docx`, `.~lock.name#`) are never returns.
pub fn is_lock_file(name: &str) -> bool {
    name.starts_with("~$") || name.starts_with(".~lock.")
}
