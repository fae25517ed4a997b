//! Readers: one module per file format, each turning a file into the neutral
//! [`Document`](crate::model::Document). The format is recognised by content, not by extension
//! (a `.docx` that is really a `.doc`, an `.xls` that is really HTML).

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::model::{Document, Format};

pub mod docx;
pub mod legacy;
pub mod odt;
pub mod pdf;
pub mod sheet;
pub mod sniff;
pub mod text;
pub mod zipped;

/// Per-file limits that keep one hostile file from stopping or slowing the batch.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest input file read at all.
    pub max_file_bytes: u64,
    /// Largest total of bytes inflated from one zip package (zip bombs).
    pub max_inflated_bytes: u64,
    /// Deepest XML element nesting / table nesting accepted.
    pub max_depth: usize,
    /// Most table cells (or spreadsheet cells) read from one file.
    pub max_cells: usize,
    /// Most paragraphs read from one file (the form has about 300): a small file can hold
    /// millions of empty paragraphs, each costing memory in the document model.
    pub max_paragraphs: usize,
    /// Most text read from one file, in bytes (a filled form holds well under 1 MB).
    pub max_text_bytes: usize,
    /// Longest time spent reading one file.
    pub max_time: Duration,
    /// LibreOffice program used to convert legacy .doc/.rtf: `None` looks for `soffice` or
    /// `libreoffice` on the PATH; a bare name is looked up on the PATH, a path used as given.
    pub soffice: Option<std::path::PathBuf>,
    /// Longest a LibreOffice conversion may run before it is stopped.
    pub convert_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 200 * 1024 * 1024,
            max_inflated_bytes: 256 * 1024 * 1024,
            max_depth: 256,
            max_cells: 200_000,
            max_paragraphs: 100_000,
            max_text_bytes: 16 * 1024 * 1024,
            max_time: Duration::from_secs(20),
            soffice: None,
            convert_time: Duration::from_secs(30),
        }
    }
}

/// What a reader has put into the document model so far, counted against the limits on
/// paragraphs and text (one mechanism for every reader that builds paragraphs).
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelBudget {
    paragraphs: usize,
    text_bytes: usize,
}

impl ModelBudget {
    /// One more paragraph.
    pub fn paragraph(&mut self, limits: &Limits) -> Result<(), ReadError> {
        self.paragraphs += 1;
        if self.paragraphs > limits.max_paragraphs {
            return Err(ReadError::TooLarge(format!("more than {} paragraphs", limits.max_paragraphs)));
        }
        Ok(())
    }

    /// `n` more bytes of text.
    pub fn text(&mut self, n: usize, limits: &Limits) -> Result<(), ReadError> {
        self.text_bytes = self.text_bytes.saturating_add(n);
        if self.text_bytes > limits.max_text_bytes {
            return Err(ReadError::TooLarge(format!("more than {} MB of text", limits.max_text_bytes / (1024 * 1024))));
        }
        Ok(())
    }
}

/// A deadline for one file's processing, checked by readers in their loops.
///
/// It counts the processor time of the thread reading the file, not the clock on the wall, so
/// whether a file is "too slow" does not depend on how many other files are read at once
/// (`--threads`): the records are the same whatever the thread count. (Where a thread's processor
/// time cannot be read, wall time is used.) Create and check it on the same thread.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: Option<Duration>,
    budget: Duration,
    end: Instant,
}

impl Deadline {
    pub fn after(d: Duration) -> Self {
        let now = Instant::now();
        Deadline { start: thread_cpu_time(), budget: d, end: now.checked_add(d).unwrap_or(now) }
    }

    /// `Err(ReadError::TooSlow)` once the deadline has passed.
    pub fn check(&self) -> Result<(), ReadError> {
        let passed = match (self.start, thread_cpu_time()) {
            (Some(start), Some(now)) => now.saturating_sub(start) > self.budget,
            _ => Instant::now() > self.end,
        };
        if passed {
            Err(ReadError::TooSlow)
        } else {
            Ok(())
        }
    }
}

/// The processor time this thread has used.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime(2) writes one timespec into a value this function owns.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    Some(Duration::new(u64::try_from(ts.tv_sec).ok()?, u32::try_from(ts.tv_nsec).ok()?))
}

#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

/// Why a file could not be read, in words a consultant understands, with what to do.
/// Never holds text from inside the file (it is personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file is empty (0 bytes).
    Empty,
    /// Password protected (encrypted OOXML, encrypted spreadsheet).
    Encrypted,
    /// Damaged: truncated zip, missing main part, malformed XML. The detail is technical, not personal.
    Damaged(String),
    /// Not a document of any kind we read (random bytes, an image).
    NotADocument(String),
    /// Beyond a safety limit (zip bomb, nesting, cell count, size).
    TooLarge(String),
    /// Reading took longer than the per-file limit.
    TooSlow,
    /// A helper program is needed (LibreOffice for .doc/.rtf, pdftotext for .pdf).
    NeedsTool(String),
    /// A PDF with no text layer.
    ScannedImage,
    /// Anything else, described.
    Other(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Empty => write!(f, "the file is empty (0 bytes): ask the school to send it again"),
            ReadError::Encrypted => write!(
                f,
                "password protected: open it in Word or Excel with the password and save it without one"
            ),
            ReadError::Damaged(why) => write!(
                f,
                "file is damaged or truncated ({why}): ask the school to send it again, or open and re-save it in Word"
            ),
            ReadError::NotADocument(what) => write!(f, "not a document this tool can read ({what})"),
            ReadError::TooLarge(why) => write!(
                f,
                "file is beyond a safety limit ({why}) and was not read: a filled form is far smaller; check it is the right file"
            ),
            ReadError::TooSlow => write!(f, "reading the file took too long and was stopped; open and re-save it in Word"),
            ReadError::NeedsTool(what) => write!(f, "{what}"),
            ReadError::ScannedImage => write!(
                f,
                "scanned image: no text to read; type the answers into the form or run OCR on it first"
            ),
            ReadError::Other(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Read a file into the document model, recognising its format by content.
pub fn read_path(path: &Path, limits: &Limits) -> Result<(Format, Document), ReadError> {
    let deadline = Deadline::after(limits.max_time);
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Other(crate::walk::open_failure(path, &e)))?;
    if !meta.is_file() {
        // A pipe or device is never opened: reading a pipe waits for a writer, a device never ends.
        return Err(ReadError::Other(crate::walk::not_a_file(path).unwrap_or_else(|| crate::walk::NOT_REGULAR.into())));
    }
    if meta.len() == 0 {
        return Err(ReadError::Empty);
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ReadError::TooLarge(format!("{} MB is larger than any return", meta.len() / 1_000_000)));
    }
    let format = sniff::sniff_path(path)?;
    let doc = match format {
        Format::Docx => docx::read(path, limits, &deadline)?,
        Format::Odt => odt::read(path, limits, &deadline)?,
        Format::Xlsx | Format::Xlsm | Format::Xls | Format::Ods => sheet::read(path, format, limits, &deadline)?,
        Format::Txt => text::read(path, limits, &deadline)?,
        Format::Pdf => pdf::read(path, limits, &deadline)?,
        Format::Doc | Format::Rtf => legacy::read(path, format, limits, &deadline)?,
        Format::Unknown => return Err(ReadError::NotADocument("unrecognised file type".into())),
    };
    Ok((format, doc))
}

/// An I/O error in plain words, without the path (callers name the file).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "the file was not found".into(),
        PermissionDenied => "permission denied: check you can open the file".into(),
        _ => e.to_string(),
    }
}
