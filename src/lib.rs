//! cpoms-qa: reads returned CPOMS Quality Assurance Tool forms and writes records and a summary.
//!
//! The pipeline, one module each:
//! **read** ([`read`]: one reader per file format → the neutral [`model::Document`]) →
//! **extract** ([`extract`]: one extractor over that model, matching rows to the [`catalogue`]) →
//! **record** ([`record::Record`], the public JSON of `SPEC.md`) →
//! **summarise** ([`summarise`]: aggregate the records, write the workbook).
//!
//! ```no_run
//! let opts = cpoms_qa::Options::default();
//! let records = cpoms_qa::process_paths(&["returns/".into()], &opts);
//! for r in &records {
//!     println!("{} {}", r.source, r.status.as_str());
//! }
//! ```

mod batch;
pub mod catalogue;
pub mod check;
pub mod dates;
pub mod extract;
pub mod generate;
pub mod model;
pub mod read;
pub mod record;
pub mod redact;
pub mod summarise;
pub mod walk;
pub mod write;

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Once;
use std::time::Duration;


use crate::model::Format;
use crate::read::ReadError;
use crate::record::{Record, Status};

/// Options shared by every command.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: read::Limits,
    /// Worker threads; `None` = one per core. The output is the same whatever the number.
    pub threads: Option<usize>,
    /// Replace person names by pseudonyms in every record ([`redact`]).
    pub redact: bool,
}

/// Everything one run found: a record per input file (sorted by source), and the files under
/// folders that were passed over because they cannot hold a return.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub records: Vec<Record>,
    /// Files not read (images, archives, data files), with their type: for the Problems sheet.
    pub skipped: Vec<walk::Skipped>,
}

thread_local! {
    /// Set while this thread processes one file: its panics are caught and must not be printed
    /// (a panic message can quote the file's text, which is personal data).
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
    /// Where the last quiet panic happened (source file and line of the code, never data).
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Install, once per process, a panic hook that stays silent for panics inside file processing
/// and hands every other panic to the hook that was there before.
fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET_PANICS.with(Cell::get) {
                let at = info.location().map(|l| {
                    // Keep the last parts of the code path: enough to find the bug, no home folder.
                    let parts: Vec<&str> = l.file().rsplit(['/', '\\']).take(3).collect();
                    let short: Vec<&str> = parts.into_iter().rev().collect();
                    format!("{}:{}", short.join("/"), l.line())
                });
                PANIC_AT.with(|p| *p.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// In the reason of a file whose reader stopped on something it did not expect (a caught panic):
/// tests look for it to tell a reader bug from a plain failure.
pub const UNEXPECTED: &str = "damaged in a way the reader did not expect";

/// Run `work` with its panics caught and kept off stderr (a panic message can quote a file's
/// text). `Err` carries where in the code the panic happened, when known.
pub(crate) fn quietly<T>(work: impl FnOnce() -> T) -> Result<T, Option<String>> {
    install_quiet_panic_hook();
    let was_quiet = QUIET_PANICS.with(|q| q.replace(true));
    PANIC_AT.with(|p| *p.borrow_mut() = None);
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    QUIET_PANICS.with(|q| q.set(was_quiet));
    outcome.map_err(|_| PANIC_AT.with(|p| p.borrow_mut().take()))
}

/// Read and extract one file. Never panics: a panic inside a reader or the extractor becomes this
/// file's failed record, so one bad file cannot stop the batch. Nothing is printed.
pub fn process_file(path: &Path, source: &str, opts: &Options) -> Record {
    let mut record = guarded(path, source, || process_file_inner(path, source, opts));
    record.shrink_to_fit();
    record
}

/// Run one file's work with its panics caught and kept off stderr.
fn guarded(path: &Path, source: &str, work: impl FnOnce() -> Record) -> Record {
    match quietly(work) {
        Ok(record) => record,
        Err(at) => {
            let at = at.map(|a| format!(" at {a}")).unwrap_or_default();
            Record::failed(
                source,
                claimed_format(path).as_str(),
                format!(
                    "the file could not be read: it is {UNEXPECTED}; open it and save it again, then retry (if it still fails, please report it with the file{at})"
                ),
            )
        }
    }
}

fn process_file_inner(path: &Path, source: &str, opts: &Options) -> Record {
    match read::read_path(path, &opts.limits) {
        Ok((format, doc)) => extract::extract(&doc, format, source),
        Err(e) => Record::failed(source, failed_format(path, &e).as_str(), e.to_string()),
    }
}

/// The `format` of a failed record: what the content is where that is known, else what the
/// name claims (an empty `x.docx` is a failed docx).
fn failed_format(path: &Path, e: &ReadError) -> Format {
    match e {
        ReadError::Empty | ReadError::Encrypted | ReadError::NotADocument(_) => claimed_format(path),
        // Only a regular file is sniffed: opening a pipe would wait for a writer.
        _ if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) => claimed_format(path),
        _ => read::sniff::sniff_path(path).unwrap_or_else(|_| claimed_format(path)),
    }
}

fn claimed_format(path: &Path) -> Format {
    read::sniff::format_from_extension(path)
}

/// How long the batch waits for one file before giving up on it: the readers' own limit
/// (`max_time`, processor time) as wall-clock time, stretched when more files are read at once
/// than there are cores, plus a grace, plus LibreOffice's limit when the file may need converting.
fn watch_limit(path: &Path, opts: &Options) -> Duration {
    let grace = Duration::from_secs(5);
    // A legacy file is converted by LibreOffice first, under its own limit (the reader stops the
    // conversion itself, so no LibreOffice is left running), then read under max_time. (Only a
    // regular file is sniffed here: opening a pipe would wait for a writer.)
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let legacy = regular && read::sniff::may_need_libreoffice(path);
    // The readers' own limit counts processor time; with more files read at once than there are
    // cores, each gets a share of a core, so the wall-clock backstop stretches to match.
    let cores = processor_cores();
    let share = u32::try_from(opts.threads.unwrap_or(cores).div_ceil(cores).max(1)).unwrap_or(u32::MAX);
    opts.limits.max_time.saturating_mul(share) + grace + if legacy { opts.limits.convert_time } else { Duration::ZERO }
}

/// The record of a file the batch gave up on.
pub(crate) fn too_slow(path: &Path, source: &str) -> Record {
    Record::failed(source, claimed_format(path).as_str(), ReadError::TooSlow.to_string())
}

/// The number of processor cores, asked once: the standard library reads the cgroup files
/// under /proc and /sys on every call, three opens per file when asked per file.
pub(crate) fn processor_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Every input under `paths` (files as given, folders walked recursively), in a stable order.
pub fn collect_inputs(paths: &[PathBuf]) -> walk::Inputs {
    walk::collect(paths)
}

/// Read every file under `paths` in parallel; records come back sorted by source path, whatever
/// the thread count or the order the files finished in. Paths that do not exist get a failed
/// record each.
pub fn process_paths(paths: &[PathBuf], opts: &Options) -> Vec<Record> {
    process_batch(&collect_inputs(paths), opts, |_| {}).records
}

/// The whole run over collected inputs: a record for every file and for every path that could
/// not be read, the skipped files, and names pseudonymised when `opts.redact` is set.
pub fn process_batch(inputs: &walk::Inputs, opts: &Options, progress: impl Fn(&Record) + Sync) -> Batch {
    let mut records = process_inputs(&inputs.files, opts, progress);
    for m in &inputs.missing {
        records.push(Record::failed(&m.source, Format::Unknown.as_str(), m.reason.clone()));
    }
    records.sort_by(|a, b| a.source.cmp(&b.source));
    if opts.redact {
        redact::redact(&mut records);
    }
    Batch { records, skipped: inputs.skipped.clone() }
}

/// Read the given files in parallel on `opts.threads` threads, calling `progress` after each one
/// (for a progress bar). Records come back sorted by source.
pub fn process_inputs(files: &[walk::Input], opts: &Options, progress: impl Fn(&Record) + Sync) -> Vec<Record> {
    let mut records = read_watched(files, opts, |_, f, opts| process_file(&f.path, &f.source, opts), |f| too_slow(&f.path, &f.source), progress);
    records.sort_by(|a, b| a.source.cmp(&b.source));
    records
}

/// Run `work` on each of `files` in parallel under the batch's watch ([`batch::run`]), with the
/// file's index, the file and the options; `timed_out` is the outcome of a file given up on.
/// Outcomes come back in the order of `files`. Shared by reading (`extract`, `summarise`) and
/// `convert`.
pub(crate) fn read_watched<T: Send + 'static>(
    files: &[walk::Input],
    opts: &Options,
    work: impl Fn(usize, &walk::Input, &Options) -> T + Send + Sync + 'static,
    timed_out: impl Fn(&walk::Input) -> T,
    progress: impl Fn(&T),
) -> Vec<T> {
    // Shared with the workers, which may outlive this call (a worker given up on).
    let files: Arc<Vec<walk::Input>> = Arc::new(files.to_vec());
    let shared_opts = Arc::new(opts.clone());
    let missing = || walk::Input { path: PathBuf::new(), source: String::new() };
    let run_one: Arc<batch::Work<T>> = {
        let (files, opts) = (Arc::clone(&files), Arc::clone(&shared_opts));
        Arc::new(move |i| work(i, files.get(i).unwrap_or(&missing()), &opts))
    };
    let limit: Arc<batch::Limit> = {
        let (files, opts) = (Arc::clone(&files), Arc::clone(&shared_opts));
        Arc::new(move |i| files.get(i).map_or(Duration::ZERO, |f| watch_limit(&f.path, &opts)))
    };
    let threads = opts.threads.unwrap_or_else(processor_cores);
    let given_up = |i: usize| timed_out(files.get(i).unwrap_or(&missing()));
    batch::run(files.len(), threads, run_one, limit, given_up, progress)
}

/// `text` safe to print on a terminal: control characters (ESC, BEL, CR, tab, newline …) and
/// the bidirectional overrides become visible escapes such as `\u{1b}`, so a file name cannot
/// move the cursor, retitle the window or hide itself.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    printable_keeping(text, false)
}

/// Like [`printable`], but line breaks are kept (for multi-line text such as `check`'s report).
pub fn printable_lines(text: &str) -> std::borrow::Cow<'_, str> {
    printable_keeping(text, true)
}

fn printable_keeping(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && !(keep_newlines && c == '\n')) || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// True when every record was read (ok or partial): the exit-code rule shared by all commands.
pub fn all_read(records: &[Record]) -> bool {
    records.iter().all(|r| r.status != Status::Failed)
}

/// The process exit code for a run whose output was written: 0 when every file was read (ok or
/// partial), 1 when some failed. (2, usage error or output not written, is the CLI's.)
pub fn exit_code(records: &[Record]) -> u8 {
    if all_read(records) { 0 } else { 1 }
}

/// Why an output could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// The output path is one of the input files.
    IsInput(PathBuf),
    /// Writing or renaming failed.
    Write(String),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::IsInput(p) => {
                write!(f, "refusing to write {}: it is one of the input files; choose another output name", p.display())
            }
            OutputError::Write(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for OutputError {}

/// Write an output file safely: never over an input file; into a temporary file beside `out`,
/// created readable by the owner only (0600 on Unix); renamed into place once complete, so an
/// interrupted run never leaves a half-written file over a good one.
///
/// When `out` is a symlink, the file it leads to is replaced (the link survives). When `out`
/// already exists and is neither a regular file nor a folder (a pipe, a terminal, `/dev/null`),
/// the bytes are written straight to it: it is never created, replaced or given new permissions.
pub fn write_output(out: &Path, bytes: &[u8], inputs: &walk::Inputs) -> Result<(), OutputError> {
    use std::io::Write;
    if inputs.contains_file(out) {
        return Err(OutputError::IsInput(out.to_path_buf()));
    }
    let fail = |what: &str, e: &std::io::Error| {
        OutputError::Write(format!("cannot write {}: {what} ({})", out.display(), read::io_reason(e)))
    };
    match std::fs::metadata(out) {
        Ok(meta) if meta.is_dir() => {
            return Err(OutputError::Write(format!("{} is a folder; give a file name", out.display())));
        }
        Ok(meta) if !meta.is_file() => {
            // A pipe or device: open the existing one for writing (no create, no truncate).
            let mut file = std::fs::OpenOptions::new().write(true).open(out).map_err(|e| fail("cannot open it", &e))?;
            return file.write_all(bytes).and_then(|()| file.flush()).map_err(|e| fail("writing failed", &e));
        }
        _ => {}
    }
    // Replace the file a symlink leads to, not the link itself.
    let target = link_target(out).map_err(|e| fail("cannot follow the link", &e))?;
    if target != out && inputs.contains_file(&target) {
        return Err(OutputError::IsInput(out.to_path_buf()));
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&tmp) {
            Ok(f) => {
                if let Ok(mut unfinished) = UNFINISHED_OUTPUTS.lock() {
                    unfinished.push(tmp.clone());
                }
                break (tmp, f);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(fail("cannot create a file in that folder", &e)),
        }
    };
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    let result = match written {
        Ok(()) => std::fs::rename(&tmp, &target).map_err(|e| fail("cannot move it into place", &e)),
        Err(e) => Err(fail("writing failed", &e)),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    if let Ok(mut unfinished) = UNFINISHED_OUTPUTS.lock() {
        unfinished.retain(|p| *p != tmp);
    }
    result
}

/// Temporary output files still being written (they hold the returns' data).
static UNFINISHED_OUTPUTS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Note a temporary output file as being written (removed if the run is interrupted).
pub(crate) fn track_unfinished(tmp: &Path) {
    if let Ok(mut unfinished) = UNFINISHED_OUTPUTS.lock() {
        unfinished.push(tmp.to_path_buf());
    }
}

/// A temporary output file is complete (renamed into place) or gone.
pub(crate) fn untrack_unfinished(tmp: &Path) {
    if let Ok(mut unfinished) = UNFINISHED_OUTPUTS.lock() {
        unfinished.retain(|p| p != tmp);
    }
}

/// Remove the temporary files of outputs still being written: for an interrupted run, so no
/// half-written copy of the data is left beside the output.
pub fn remove_unfinished_outputs() {
    if let Ok(mut unfinished) = UNFINISHED_OUTPUTS.lock() {
        for path in unfinished.drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The path a chain of symlinks at `path` ends at (which need not exist yet); `path` itself when
/// it is not a symlink. Only the last component is followed: renaming through linked folders works.
fn link_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if next.is_relative() => parent.join(next),
                    _ => next,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(walk::LINK_LOOP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_output_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("cpoms-qa-unfinished-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A finished output is no longer listed.
        let out = dir.join("done.json");
        write_output(&out, b"{}", &walk::Inputs::default()).unwrap();
        assert!(UNFINISHED_OUTPUTS.lock().unwrap().iter().all(|p| p.parent() != Some(dir.as_path())));
        // One still being written is removed on interruption.
        let tmp = dir.join(".half.xlsx.1.0.tmp");
        std::fs::write(&tmp, b"half").unwrap();
        UNFINISHED_OUTPUTS.lock().unwrap().push(tmp.clone());
        remove_unfinished_outputs();
        assert!(!tmp.exists());
        assert!(out.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_panic_becomes_a_failed_record_naming_the_code_not_the_content() {
        let record = guarded(Path::new("x.docx"), "x.docx", || {
            let secret = String::from("Jane Doe disclosed");
            panic!("byte index 3 is inside {secret}");
        });
        assert_eq!(record.status, Status::Failed);
        assert_eq!(record.format, "docx");
        let error = record.errors.join(" ");
        assert!(error.contains("could not be read") && error.contains("save it again") && error.contains("lib.rs:"), "{error}");
        assert!(!error.contains("Jane"), "{error}");
        // Panics outside file processing still reach the previous hook (not quiet any more).
        assert!(!QUIET_PANICS.with(Cell::get));
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cpoms-lib-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn output_to_a_symlink_replaces_its_target_and_keeps_the_link() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let dir = temp_dir("symlink");
        std::fs::create_dir_all(dir.join("real")).unwrap();
        std::fs::write(dir.join("real/out.json"), b"old").unwrap();
        symlink("real/out.json", dir.join("link.json")).unwrap();
        symlink("real/new.json", dir.join("to_new.json")).unwrap();
        let none = walk::Inputs::default();
        write_output(&dir.join("link.json"), b"new", &none).unwrap();
        assert!(std::fs::symlink_metadata(dir.join("link.json")).unwrap().file_type().is_symlink(), "the link survives");
        assert_eq!(std::fs::read(dir.join("real/out.json")).unwrap(), b"new");
        // A link to a file not written yet: the file is created where the link leads, 0600.
        write_output(&dir.join("to_new.json"), b"fresh", &none).unwrap();
        assert!(std::fs::symlink_metadata(dir.join("to_new.json")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(dir.join("real/new.json")).unwrap(), b"fresh");
        assert_eq!(std::fs::metadata(dir.join("real/new.json")).unwrap().permissions().mode() & 0o777, 0o600);
        // A link to an input is refused, and the input untouched.
        std::fs::write(dir.join("real/input.docx"), b"input").unwrap();
        symlink("real/input.docx", dir.join("to_input.json")).unwrap();
        let inputs = walk::collect(&[dir.join("real/input.docx")]);
        assert!(matches!(write_output(&dir.join("to_input.json"), b"x", &inputs), Err(OutputError::IsInput(_))));
        assert_eq!(std::fs::read(dir.join("real/input.docx")).unwrap(), b"input");
        // A loop of links is an error, not a hang.
        symlink("loop2", dir.join("loop1")).unwrap();
        symlink("loop1", dir.join("loop2")).unwrap();
        assert!(write_output(&dir.join("loop1"), b"x", &none).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn output_to_a_fifo_is_written_into_it_and_it_stays_a_fifo() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = temp_dir("fifo");
        let fifo = dir.join("out.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipping: mkfifo is not available");
            return;
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                std::fs::File::open(&fifo).and_then(|mut f| f.read_to_end(&mut got)).map(|_| got)
            })
        };
        write_output(&fifo, b"records through a pipe", &walk::Inputs::default()).unwrap();
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
        assert_eq!(reader.join().unwrap().unwrap(), b"records through a pipe");
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(printable("plain Ü名前.docx"), "plain Ü名前.docx");
        assert_eq!(printable("bad\u{1b}[31mred\u{7}\r.docx"), "bad\\u{1b}[31mred\\u{7}\\r.docx");
        assert_eq!(printable("tab\there\n"), "tab\\there\\n");
        assert_eq!(printable("evil\u{202e}xcod.exe"), "evil\\u{202e}xcod.exe");
        assert_eq!(printable_lines("a\u{1b}\nb\n"), "a\\u{1b}\nb\n");
    }
}
