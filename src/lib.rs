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
use std::sync::mpsc;
use std::sync::Once;
use std::time::Duration;

use rayon::prelude::*;

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
                format!("internal error while reading this file{at} (please report it with the file); the rest of the batch was read"),
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
        _ => read::sniff::sniff_path(path).unwrap_or_else(|_| claimed_format(path)),
    }
}

fn claimed_format(path: &Path) -> Format {
    read::sniff::format_from_extension(path)
}

/// Like [`process_file`], but the caller never waits much past the file's time limit: the work
/// runs on a file thread of its own, and if a reader hangs without checking its deadline the file
/// gets a failed record and the batch moves on (the stuck thread is left to finish on its own).
///
/// File threads are kept and reused (see [`file_thread`]): starting a thread per file cost about
/// as much as unzipping the file.
pub fn process_file_watched(path: &Path, source: &str, opts: &Options) -> Record {
    let grace = Duration::from_secs(5);
    // A legacy file is converted by LibreOffice first, under its own limit (the reader stops the
    // conversion itself, so no LibreOffice is left running), then read under max_time. (Only a
    // regular file is sniffed here: opening a pipe would wait for a writer.)
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let legacy = regular && matches!(read::sniff::sniff_path(path), Ok(Format::Doc | Format::Rtf));
    let limit = opts.limits.max_time + grace + if legacy { opts.limits.convert_time } else { Duration::ZERO };
    let (reply, answer) = mpsc::channel();
    let job = FileJob { path: path.to_path_buf(), source: source.to_string(), opts: opts.clone(), reply };
    if let Err(job) = file_thread::run(job) {
        // No thread to spare: read it here, relying on the readers' own deadline checks.
        return process_file(&job.path, &job.source, &job.opts);
    }
    match answer.recv_timeout(limit) {
        Ok(record) => record,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Record::failed(source, claimed_format(path).as_str(), ReadError::TooSlow.to_string())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Record::failed(
            source,
            claimed_format(path).as_str(),
            "internal error while reading this file (please report it with the file); the rest of the batch was read",
        ),
    }
}

/// One file for a file thread: what [`process_file`] needs, and where its record goes.
struct FileJob {
    path: PathBuf,
    source: String,
    opts: Options,
    reply: mpsc::Sender<Record>,
}

/// The file threads behind [`process_file_watched`]: each reads one file at a time, then offers
/// itself for the next. A thread still busy past a file's time limit is simply not offered again
/// until it finishes, so a stuck file never holds up the batch.
mod file_thread {
    use std::sync::{mpsc, Mutex};

    use super::FileJob;

    /// Idle file threads, each waiting on its own channel.
    static IDLE: Mutex<Vec<mpsc::Sender<FileJob>>> = Mutex::new(Vec::new());

    /// Hand `job` to an idle file thread, or to a new one; gives it back if no thread can start.
    pub(super) fn run(mut job: FileJob) -> Result<(), FileJob> {
        loop {
            let idle = IDLE.lock().map(|mut v| v.pop()).unwrap_or(None);
            let Some(thread) = idle else { break };
            match thread.send(job) {
                Ok(()) => return Ok(()),
                // That thread has gone (it cannot, but then try the next).
                Err(mpsc::SendError(back)) => job = back,
            }
        }
        let (tx, rx) = mpsc::channel::<FileJob>();
        let me = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("cpoms-qa-file".into())
            // Deeply nested documents are read with explicit stacks, but leave room all the same.
            .stack_size(16 * 1024 * 1024)
            .spawn(move || {
                for job in rx {
                    let record = super::process_file(&job.path, &job.source, &job.opts);
                    let _ = job.reply.send(record);
                    if let Ok(mut idle) = IDLE.lock() {
                        idle.push(me.clone());
                    }
                }
            });
        match spawned {
            Ok(_) => tx.send(job).map_err(|mpsc::SendError(job)| job),
            Err(_) => Err(job),
        }
    }
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
    let run = || -> Vec<Record> {
        files
            .par_iter()
            .with_max_len(1)
            .map(|input| {
                let record = process_file_watched(&input.path, &input.source, opts);
                progress(&record);
                record
            })
            .collect()
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.threads.unwrap_or(0)).build();
    let mut records = match pool {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    records.sort_by(|a, b| a.source.cmp(&b.source));
    records
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
pub fn write_output(out: &Path, bytes: &[u8], inputs: &walk::Inputs) -> Result<(), OutputError> {
    use std::io::Write;
    if inputs.contains_file(out) {
        return Err(OutputError::IsInput(out.to_path_buf()));
    }
    if out.is_dir() {
        return Err(OutputError::Write(format!("{} is a folder; give a file name", out.display())));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let fail = |what: &str, e: &std::io::Error| {
        OutputError::Write(format!("cannot write {}: {what} ({})", out.display(), read::io_reason(e)))
    };
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
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(fail("cannot create a file in that folder", &e)),
        }
    };
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    let result = match written {
        Ok(()) => std::fs::rename(&tmp, out).map_err(|e| fail("cannot move it into place", &e)),
        Err(e) => Err(fail("writing failed", &e)),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_failed_record_naming_the_code_not_the_content() {
        let record = guarded(Path::new("x.docx"), "x.docx", || {
            let secret = String::from("Jane Doe disclosed");
            panic!("byte index 3 is inside {secret}");
        });
        assert_eq!(record.status, Status::Failed);
        assert_eq!(record.format, "docx");
        let error = record.errors.join(" ");
        assert!(error.contains("internal error") && error.contains("lib.rs:"), "{error}");
        assert!(!error.contains("Jane"), "{error}");
        // Panics outside file processing still reach the previous hook (not quiet any more).
        assert!(!QUIET_PANICS.with(Cell::get));
    }
}
