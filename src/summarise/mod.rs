//! The summary workbook: aggregate records and write the .xlsx a trust board or consultancy acts
//! on. Sheets, in order: Dashboard, Schools, Answers, Actions, Questions, Problems (and History
//! when a school has several returns).
//!
//! - [`status`]: review status, action due dates and status, RAG, history (computed once).
//! - [`terms`]: the England term calendar for "by half term"-style timescales.
//! - [`register`]: the `--schools` register and school-name matching.
//! - [`previous`]: last term's workbook read back for term-on-term changes.
//! - [`workbook`]: formats and the table writer; [`sheets`]: one module per sheet.

pub mod previous;
pub mod register;
pub mod sheets;
pub mod status;
pub mod terms;
pub mod workbook;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::record::{Record, Status};

pub use previous::Previous;
pub use register::Register;
pub use status::{ActionStatus, ReviewStatus};
pub use terms::TermCalendar;

/// Options for the summary.
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    /// The day overdue is measured against.
    pub as_of: NaiveDate,
    /// Standards up to this value are green (default 2).
    pub green_max: u8,
    /// Standards up to this value (above green) are amber (default 3); above it red and "poor".
    pub amber_max: u8,
    /// The term calendar for term phrases (default: the built-in England calendar).
    pub terms: Option<TermCalendar>,
    /// `--schools`: the register each return is joined to.
    pub register: Option<Register>,
    /// `--group-by`: a register column to group and subtotal the Dashboard and Schools sheets by.
    pub group_by: Option<String>,
    /// `--previous`: last term's summary, for term-on-term changes.
    pub previous: Option<Previous>,
    /// Files passed over (path, why), listed on the Problems sheet.
    pub skipped: Vec<(String, String)>,
    /// Input files the output must never replace (the records' sources are checked too).
    pub inputs: Vec<PathBuf>,
    /// Sheets built at once (default: one per processor core); the workbook is the same whatever
    /// the number.
    pub threads: Option<usize>,
}

impl SummaryOptions {
    /// Defaults: RAG 1-2 green, 3 amber, 4-5 red; built-in terms; no register or previous.
    pub fn new(as_of: NaiveDate) -> SummaryOptions {
        SummaryOptions {
            as_of,
            green_max: 2,
            amber_max: 3,
            terms: None,
            register: None,
            group_by: None,
            previous: None,
            skipped: Vec::new(),
            inputs: Vec::new(),
            threads: None,
        }
    }
}

/// What the workbook holds, for the command's closing line and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub read_ok: usize,
    pub read_partial: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Schools counted (each school's latest return).
    pub schools: usize,
    pub overdue_reviews: usize,
    pub poor_standards: usize,
    pub open_actions: usize,
    pub overdue_actions: usize,
    /// Returns whose school is not in the register (source paths).
    pub unmatched: Vec<String>,
    /// Sheet names, in order.
    pub sheets: Vec<String>,
}

/// Write the summary workbook for `records` to `out` (atomically, 0600 on Unix, never over an input).
pub fn write_workbook(records: &[Record], out: &Path, opts: &SummaryOptions) -> Result<Summary, String> {
    let calendar = opts.terms.clone().unwrap_or_default();
    let analysis = status::analyse(records, opts, &calendar);
    let (bytes, sheets) = sheets::build(records, &analysis, opts)?;
    let mut inputs: Vec<PathBuf> = opts.inputs.clone();
    inputs.extend(records.iter().map(|r| PathBuf::from(&r.source)));
    write_atomically(out, &bytes, &inputs)?;
    let latest: Vec<&status::ReturnView> = analysis.returns.iter().filter(|r| r.latest).collect();
    Ok(Summary {
        files: records.len(),
        read_ok: records.iter().filter(|r| r.status == Status::Ok).count(),
        read_partial: records.iter().filter(|r| r.status == Status::Partial).count(),
        failed: analysis.failed.len(),
        skipped: opts.skipped.len(),
        schools: latest.len(),
        overdue_reviews: latest.iter().filter(|r| r.review_status == ReviewStatus::Overdue).count(),
        poor_standards: latest.iter().filter(|r| r.poor).count(),
        open_actions: latest.iter().map(|r| r.open_actions()).sum(),
        overdue_actions: latest.iter().map(|r| r.overdue_actions()).sum(),
        unmatched: analysis.unmatched.iter().filter_map(|&i| analysis.returns.get(i)).map(|r| r.record.source.clone()).collect(),
        sheets,
    })
}

/// Write `bytes` to `out` safely (see [`crate::write_output`]): refuse when `out` is one of `inputs`; write a temporary file in
/// the same folder (created 0600 on Unix, so the data is never readable by others), then rename it
/// into place so a crash never leaves half a workbook.
pub fn write_atomically(out: &Path, bytes: &[u8], inputs: &[PathBuf]) -> Result<(), String> {
    if out.as_os_str().is_empty() {
        return Err("no output file given".into());
    }
    let inputs = crate::walk::Inputs {
        files: inputs
            .iter()
            .map(|p| crate::walk::Input { path: p.clone(), source: p.to_string_lossy().into_owned() })
            .collect(),
        ..crate::walk::Inputs::default()
    };
    crate::write_output(out, bytes, &inputs).map_err(|e| e.to_string())
}
