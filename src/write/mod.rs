//! Writers: a [`Record`] written back out as a clean copy of the form in its current (July 2019)
//! layout, so a consultancy can turn an archive of legacy returns into current, machine-readable
//! ones (`cpoms-qa convert`). A converted file read back by cpoms-qa gives the same record.
//!
//! Every piece of wording comes from [`crate::catalogue`]; the writers only decide the layout.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};


use crate::record::{Answer, Record, Status};
use crate::walk::Input;

pub mod docx;
pub mod xlsx;

/// What `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The record itself, as pretty JSON.
    Json,
    /// The form as an Excel workbook (rust_xlsxwriter).
    Xlsx,
    /// The form as a Word document (docx-rs).
    Docx,
}

impl Target {
    /// The file extension written.
    pub fn extension(self) -> &'static str {
        match self {
            Target::Json => "json",
            Target::Xlsx => "xlsx",
            Target::Docx => "docx",
        }
    }
}

/// Why an output could not be written. Never holds record content (it is personal data).
#[derive(Debug)]
pub enum WriteError {
    /// The document library failed to build the file.
    Build(String),
    /// The file could not be written to disk.
    Io(std::io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Build(why) => write!(f, "could not build the file ({why})"),
            WriteError::Io(e) => write!(f, "could not write the file ({})", crate::read::io_reason(e)),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// The record as the bytes of a file of `target`'s kind.
pub fn to_bytes(record: &Record, target: Target) -> Result<Vec<u8>, WriteError> {
    match target {
        Target::Json => {
            let mut text = record.to_json_pretty();
            text.push('\n');
            Ok(text.into_bytes())
        }
        Target::Xlsx => xlsx::to_bytes(record),
        Target::Docx => docx::to_bytes(record),
    }
}

/// Write `bytes` to `path` readable by the owner only (0600): written to a temporary file in the
/// same folder first and renamed into place, so a reader never sees half a file and an existing
/// output is replaced whole.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // An interrupted run removes it (it holds a return's data).
    crate::track_unfinished(&tmp);
    let result = (|| {
        let mut file = private_options().open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    crate::untrack_unfinished(&tmp);
    result.map_err(WriteError::Io)
}

/// Create the folder `path` (and any missing parents) readable by the owner only (0700 on Unix,
/// whatever the umask); an existing folder is left as it is.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

fn private_options() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// Write the record as `target` to `path` (0600).
pub fn write_record(record: &Record, target: Target, path: &Path) -> Result<(), WriteError> {
    let bytes = to_bytes(record, target)?;
    write_private(path, &bytes)
}

/// What happened to one input of `convert`.
#[derive(Debug)]
pub enum Converted {
    /// Read and written to this path.
    Written(PathBuf),
    /// Could not be read; the reason in a consultant's words (from the record's errors).
    Unreadable(String),
    /// Read, but the output could not be written.
    NotWritten(PathBuf, WriteError),
}

/// The output name for each input: its own file name with `target`'s extension, made unique
/// within the run (" (2)", " (3)" … in input order) and never the path of an input.
pub fn output_paths(files: &[Input], target: Target, out_dir: &Path) -> Vec<PathBuf> {
    let inputs: std::collections::HashSet<PathBuf> =
        files.iter().map(|i| std::fs::canonicalize(&i.path).unwrap_or_else(|_| i.path.clone())).collect();
    let out_canon = std::fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    // Inputs that live in the output folder reserve their names (case-insensitively).
    let mut used: std::collections::HashSet<String> = inputs
        .iter()
        .filter(|p| p.parent() == Some(out_canon.as_path()))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_lowercase()))
        .collect();
    let mut out = Vec::with_capacity(files.len());
    for input in files {
        let stem = input
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "return".to_string());
        let ext = target.extension();
        let mut n = 1usize;
        loop {
            let name = if n == 1 { format!("{stem}.{ext}") } else { format!("{stem} ({n}).{ext}") };
            // Names compared without case: two outputs must not collide on a case-insensitive disk.
            let key = name.to_lowercase();
            if !used.contains(&key) && !inputs.contains(&out_canon.join(&name)) {
                used.insert(key);
                out.push(out_dir.join(name));
                break;
            }
            n += 1;
        }
    }
    out
}

/// Read each input through the pipeline and write it as `target` into `out_dir` (which must
/// exist), in parallel. Outcomes come back in input order.
pub fn convert_inputs(files: &[Input], target: Target, out_dir: &Path, opts: &crate::Options) -> Vec<Converted> {
    let outputs = output_paths(files, target, out_dir);
    let work = move |i: usize, input: &Input, opts: &crate::Options| {
        let Some(out) = outputs.get(i) else { return Converted::Unreadable(crate::UNEXPECTED.to_string()) };
        let record = crate::process_file(&input.path, &input.source, opts);
        if record.status == Status::Failed {
            return Converted::Unreadable(record.errors.join("; "));
        }
        match write_record(&record, target, out) {
            Ok(()) => Converted::Written(out.clone()),
            Err(e) => Converted::NotWritten(out.clone(), e),
        }
    };
    let timed_out = |f: &Input| Converted::Unreadable(crate::too_slow(&f.path, &f.source).errors.join("; "));
    crate::read_watched(files, opts, work, timed_out, |_| {})
}

/// "YYYY-MM-DD" as the form's day-first "dd/mm/yyyy"; anything else as it is.
pub(crate) fn uk_date(iso: &str) -> String {
    match crate::dates::parse_iso(iso) {
        Some(d) => crate::dates::uk(d),
        None => iso.to_string(),
    }
}

/// Which of the YES and NO cells carry a mark.
pub(crate) fn marks(answer: Option<Answer>) -> (bool, bool) {
    match answer {
        Some(Answer::Yes) => (true, false),
        Some(Answer::No) => (false, true),
        Some(Answer::Both) => (true, true),
        None => (false, false),
    }
}

/// "Yes" / "No" for a Y/N field; `None` leaves the printed "Y/N" untouched.
pub(crate) fn yes_no_word(value: Option<bool>) -> Option<&'static str> {
    value.map(|v| if v { "Yes" } else { "No" })
}

/// The catalogue's wording for a standards/review field.
pub(crate) fn standards_wording(id: &str) -> &'static str {
    crate::catalogue::STANDARDS.iter().find(|f| f.id == id).map(|f| f.wording).unwrap_or("")
}

/// The scale "1     2     3     4     5" split around the chosen number: (before, chosen, after).
/// With no choice, everything is in `before`.
pub(crate) fn scale_parts(chosen: Option<u8>) -> (String, Option<String>, String) {
    const GAP: &str = "     ";
    let mut before = String::new();
    let mut after = String::new();
    let mut mark = None;
    for n in 1u8..=5 {
        let target = if mark.is_some() { &mut after } else { &mut before };
        if n > 1 {
            target.push_str(GAP);
        }
        if Some(n) == chosen {
            mark = Some(format!("({n})"));
        } else if mark.is_some() {
            after.push_str(&n.to_string());
        } else {
            before.push_str(&n.to_string());
        }
    }
    (before, mark, after)
}

/// The record's header value for a catalogue header id (the date as ISO).
pub(crate) fn header_value(record: &Record, id: &str) -> Option<String> {
    let h = &record.header;
    match id {
        "reviewer" => h.reviewer.clone(),
        "reviewer_role" => h.reviewer_role.clone(),
        "subject" => h.subject.clone(),
        "subject_role" => h.subject_role.clone(),
        "external_auditor" => h.external_auditor.clone(),
        "school" => h.school.clone(),
        "date" => h.date.clone(),
        _ => None,
    }
}

/// The record's sign-off value for a catalogue signature id (the date as ISO).
pub(crate) fn signature_value(record: &Record, id: &str) -> Option<String> {
    let s = &record.signatures;
    match id {
        "head" => s.head.clone(),
        "designated_person" => s.designated_person.clone(),
        "external_auditor" => s.external_auditor.clone(),
        "date" => s.date.clone(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_marks_the_chosen_number_in_brackets() {
        let (b, m, a) = scale_parts(Some(3));
        assert_eq!(format!("{b}{}{a}", m.clone().unwrap_or_default()), "1     2     (3)     4     5");
        assert_eq!(m.as_deref(), Some("(3)"));
        let (b, m, a) = scale_parts(None);
        assert_eq!((b.as_str(), m, a.as_str()), ("1     2     3     4     5", None, ""));
        let (b, m, a) = scale_parts(Some(1));
        assert_eq!((b.as_str(), m.as_deref(), a.as_str()), ("", Some("(1)"), "     2     3     4     5"));
    }

    #[test]
    fn output_names_are_unique_and_never_an_input() {
        let dir = std::env::temp_dir().join(format!("cpoms-qa-names-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::create_dir_all(dir.join("b")).unwrap();
        let input = |p: &str| {
            let path = dir.join(p);
            std::fs::write(&path, b"x").unwrap();
            Input { path: path.clone(), source: path.to_string_lossy().into_owned() }
        };
        let files = vec![input("a/x.docx"), input("b/x.docx"), input("b/X.xlsx"), input("a/y.docx")];
        let got = output_paths(&files, Target::Docx, &dir.join("a"));
        let names: Vec<_> = got.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        // a/x.docx and a/y.docx are inputs in the output folder: never written over.
        assert_eq!(names, ["x (2).docx", "x (3).docx", "X (4).docx", "y (2).docx"]);
        let json = output_paths(&files, Target::Json, &dir);
        let names: Vec<_> = json.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["x.json", "x (2).json", "X (3).json", "y.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dates_are_written_day_first() {
        assert_eq!(uk_date("2024-10-24"), "24/10/2024");
        assert_eq!(uk_date("not a date"), "not a date");
    }

    #[test]
    fn private_files_are_0600_and_replace_whole() {
        let dir = std::env::temp_dir().join(format!("cpoms-qa-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
        write_private(&path, b"first").unwrap();
        write_private(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
