//! Finding the input files: files as given, folders walked recursively, in a stable order.
//! Every file met is accounted for: read, listed as skipped with its type, or (Office lock files
//! and system clutter only) ignored.

use std::path::{Path, PathBuf};

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    /// The path as written in the record's `source`.
    pub source: String,
}

/// A file under a folder that was not read because it cannot hold a return.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// The path, written as a record's `source` would be.
    pub source: String,
    /// What kind of file it is, in plain words ("image (.png)", "archive (.zip)").
    pub kind: String,
}

/// A path given (or a folder met) that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Missing {
    pub source: String,
    /// Why, in plain words with what to do.
    pub reason: String,
}

/// The inputs found, and what was passed over.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub files: Vec<Input>,
    /// Files under a folder that cannot hold a return (images, archives), with their type.
    pub skipped: Vec<Skipped>,
    /// Paths given that do not exist, or folders that cannot be listed.
    pub missing: Vec<Missing>,
}

impl Inputs {
    /// True when `path` names one of the input files (compared canonicalised, so `./a.docx` and
    /// `a.docx` match): outputs must never overwrite an input.
    pub fn contains_file(&self, path: &Path) -> bool {
        let Ok(target) = path.canonicalize() else { return false };
        self.files.iter().any(|i| i.path.canonicalize().is_ok_and(|p| p == target))
    }
}

/// Extensions of files that can hold a return.
pub const RETURN_EXTENSIONS: &[&str] =
    &["docx", "docm", "dotx", "doc", "odt", "rtf", "xlsx", "xlsm", "xls", "ods", "txt", "pdf"];

/// Collect inputs from files and folders. Files given by name are always read (their content
/// decides what they are); under folders, only files that can hold a return.
pub fn collect(paths: &[PathBuf]) -> Inputs {
    let mut inputs = Inputs::default();
    for path in paths {
        let source = path.to_string_lossy().into_owned();
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut inputs),
            // A pipe or device given by name gets a failed record saying so (never opened).
            Ok(_) => inputs.files.push(Input { path: path.clone(), source }),
            Err(e) => inputs.missing.push(Missing { source, reason: open_failure(path, &e) }),
        }
    }
    inputs.files.sort_by(|a, b| a.source.cmp(&b.source));
    inputs.files.dedup_by(|a, b| a.source == b.source);
    inputs.skipped.sort();
    inputs.skipped.dedup();
    inputs.missing.sort();
    inputs.missing.dedup();
    inputs
}

fn walk_dir(root: &Path, inputs: &mut Inputs) {
    // Explicit stack, no recursion; symlinked folders are not followed (no loops).
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                inputs.missing.push(Missing {
                    source: dir.to_string_lossy().into_owned(),
                    reason: format!("cannot list this folder: {}", crate::read::io_reason(&e)),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            let source = path.to_string_lossy().into_owned();
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            if is_system_clutter(&name) {
                continue;
            }
            // A symlink to a file is read; to a folder it is not followed. Anything else that is
            // not a regular file (a pipe, a device, a dangling link, a loop of links) is listed
            // as skipped, never opened (a pipe would block the run).
            let meta = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => m,
                Ok(m) if m.is_dir() && kind.is_symlink() => continue,
                Ok(_) => {
                    inputs.skipped.push(Skipped { source, kind: NOT_REGULAR.into() });
                    continue;
                }
                Err(e) => {
                    inputs.skipped.push(Skipped { source, kind: open_failure(&path, &e) });
                    continue;
                }
            };
            // A lock file is tiny; a large file named like one is a return someone saved so.
            if is_lock_file(&name) && meta.len() <= LOCK_FILE_MAX_BYTES {
                continue;
            }
            if name.starts_with("._") {
                inputs.skipped.push(Skipped { source, kind: "macOS metadata file (not a copy of the form)".into() });
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if RETURN_EXTENSIONS.contains(&ext.as_str()) {
                inputs.files.push(Input { source, path });
            } else if ext.is_empty() && holds_document(&path) {
                // A return saved without an extension: its content says it is a document.
                inputs.files.push(Input { source, path });
            } else {
                inputs.skipped.push(Skipped { source, kind: describe_extension(&ext) });
            }
        }
    }
}

/// A file without an extension whose content is a document we read.
fn holds_document(path: &Path) -> bool {
    use crate::model::Format;
    matches!(
        crate::read::sniff::sniff_path(path),
        Ok(Format::Docx | Format::Doc | Format::Odt | Format::Rtf | Format::Xlsx | Format::Xlsm | Format::Xls | Format::Ods | Format::Pdf)
            | Err(crate::read::ReadError::Encrypted)
    )
}

/// What a skipped file is, from its extension, in plain words.
pub fn describe_extension(ext: &str) -> String {
    let (what, advice) = match ext {
        "" => return "file with no extension (not a document)".into(),
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "tif" | "tiff" | "heic" | "webp" | "svg" => ("image", ""),
        "zip" | "7z" | "rar" | "gz" | "tgz" | "tar" => ("archive", ": unpack it to read any returns inside"),
        "json" | "xml" | "csv" | "tsv" | "yaml" | "yml" => ("data file", ""),
        "msg" | "eml" => ("email", ": save the attached form to read it"),
        "ppt" | "pptx" | "odp" | "key" => ("presentation", ""),
        "htm" | "html" | "mht" | "mhtml" => ("web page", ""),
        "mp3" | "mp4" | "mov" | "wav" | "m4a" | "avi" => ("audio or video", ""),
        "exe" | "dll" | "bat" | "cmd" | "sh" | "ps1" | "js" | "vbs" => ("program or script", ""),
        "lnk" | "url" => ("shortcut", ""),
        "tmp" | "bak" | "wbk" | "asd" => ("temporary or backup file", ""),
        "pages" | "numbers" => ("Apple iWork file", ": export it as .docx or .xlsx"),
        "wps" | "wpd" => ("other word processor's file", ": save it as .docx"),
        _ => ("other file", ""),
    };
    format!("{what} (.{ext}){advice}")
}

/// Why a path that is not a regular file cannot be read.
pub const NOT_REGULAR: &str = "not a regular file (a pipe or device)";
/// Why a symlink whose target is missing cannot be read.
pub const DANGLING_LINK: &str = "a link to a file that does not exist";
/// Why a symlink that leads back to itself cannot be read.
pub const LINK_LOOP: &str = "a loop of links";

/// Why `path` could not be opened (`e` from following it), in plain words: a dangling link and a
/// loop of links are named as such rather than as "not found" or an OS error.
pub fn open_failure(path: &Path, e: &std::io::Error) -> String {
    if is_link_loop(e) {
        return LINK_LOOP.into();
    }
    if e.kind() == std::io::ErrorKind::NotFound {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return DANGLING_LINK.into();
        }
        return "file or folder not found: check the path".into();
    }
    format!("cannot open: {}", crate::read::io_reason(e))
}

/// Why `path` is not a regular file that can be read, or `None` when it is one. Never opens it.
pub fn not_a_file(path: &Path) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => None,
        Ok(m) if m.is_dir() => Some("a folder, not a file".into()),
        Ok(_) => Some(NOT_REGULAR.into()),
        Err(e) => Some(open_failure(path, &e)),
    }
}

fn is_link_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// The largest file taken for an Office lock file: Word's are 162 bytes, LibreOffice's a line.
pub const LOCK_FILE_MAX_BYTES: u64 = 4096;

/// Office lock files (`~$name.docx`, `.~lock.name#`) are never returns (by name: under a folder,
/// only files of at most [`LOCK_FILE_MAX_BYTES`] are ignored as lock files).
pub fn is_lock_file(name: &str) -> bool {
    name.starts_with("~$") || name.starts_with(".~lock.")
}

/// Files operating systems leave in every folder; never returns, never worth listing.
pub fn is_system_clutter(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), ".ds_store" | "thumbs.db" | "desktop.ini" | "ehthumbs.db")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_account_for_every_file() {
        let dir = std::env::temp_dir().join(format!("cpoms-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["a.docx", "sub/b.XLSX", "~$a.docx", ".~lock.b.xlsx#", "photo.png", "data.json", "Thumbs.db", "noext"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        std::fs::write(dir.join("form"), b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x11\0\0\0word/document.xml").unwrap();
        let inputs = collect(&[dir.clone(), dir.join("missing.docx")]);
        let files: Vec<_> = inputs.files.iter().map(|i| i.path.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["a.docx", "form", "sub/b.XLSX"]);
        let skipped: Vec<_> = inputs.skipped.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(skipped, ["data file (.json)", "file with no extension (not a document)", "image (.png)"]);
        assert_eq!(inputs.missing.len(), 1);
        assert!(inputs.missing[0].reason.contains("not found"));
        assert!(inputs.contains_file(&dir.join("sub/../a.docx")));
        assert!(!inputs.contains_file(&dir.join("photo.png")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_large_file_named_like_a_lock_file_is_read() {
        let dir = std::env::temp_dir().join(format!("cpoms-walk-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("~$small.docx"), [0u8; 162]).unwrap();
        std::fs::write(dir.join("~$real_form.docx"), vec![0u8; 41_000]).unwrap();
        let inputs = collect(std::slice::from_ref(&dir));
        let files: Vec<_> = inputs.files.iter().map(|i| i.path.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["~$real_form.docx"]);
        assert!(inputs.skipped.is_empty(), "{:?}", inputs.skipped);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn pipes_devices_dangling_links_and_loops_are_listed_as_skipped() {
        use std::os::unix::fs::symlink;
        let dir = std::env::temp_dir().join(format!("cpoms-walk-odd-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let made = std::process::Command::new("mkfifo").arg(dir.join("fifo.docx")).status();
        let have_fifo = made.is_ok_and(|s| s.success());
        symlink("/nonexistent/nothing.docx", dir.join("dangling.docx")).unwrap();
        symlink("loopB.docx", dir.join("loopA.docx")).unwrap();
        symlink("loopA.docx", dir.join("loopB.docx")).unwrap();
        symlink("/dev/zero", dir.join("zero.txt")).unwrap();
        symlink(".", dir.join("here")).unwrap();
        let inputs = collect(std::slice::from_ref(&dir));
        assert!(inputs.files.is_empty(), "{:?}", inputs.files);
        let skipped: Vec<(String, &str)> = inputs
            .skipped
            .iter()
            .map(|s| (Path::new(&s.source).file_name().unwrap().to_string_lossy().into_owned(), s.kind.as_str()))
            .collect();
        let mut expected = vec![
            ("dangling.docx".to_string(), DANGLING_LINK),
            ("loopA.docx".to_string(), LINK_LOOP),
            ("loopB.docx".to_string(), LINK_LOOP),
            ("zero.txt".to_string(), NOT_REGULAR),
        ];
        if have_fifo {
            expected.push(("fifo.docx".to_string(), NOT_REGULAR));
        }
        expected.sort();
        let mut skipped = skipped;
        skipped.sort();
        assert_eq!(skipped, expected);
        // Given by name: a failed input with the same plain reason.
        assert_eq!(not_a_file(&dir.join("loopA.docx")).as_deref(), Some(LINK_LOOP));
        assert_eq!(not_a_file(&dir.join("dangling.docx")).as_deref(), Some(DANGLING_LINK));
        assert_eq!(not_a_file(&dir.join("zero.txt")).as_deref(), Some(NOT_REGULAR));
        let named = collect(&[dir.join("loopA.docx"), dir.join("dangling.docx")]);
        let reasons: Vec<&str> = named.missing.iter().map(|m| m.reason.as_str()).collect();
        assert_eq!(reasons, [DANGLING_LINK, LINK_LOOP]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
