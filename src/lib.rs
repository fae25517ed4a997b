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
pub mod summarise;
pub mod walk;
pub mod write;

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::model::Format;
use crate::record::{Record, Status};

/// Options shared by every command.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: read::Limits,
}

/// Read and extract one file. Never panics: a panic inside a reader or the extractor becomes this
/// file's failed record, so one bad file cannot stop the batch.
pub fn process_file(path: &Path, source: &str, opts: &Options) -> Record {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| process_file_inner(path, source, opts)));
    match outcome {
        Ok(record) => record,
        Err(_) => Record::failed(
            source,
            Format::Unknown.as_str(),
            "internal error while reading this file (please report it); the rest of the batch was read",
        ),
    }
}

fn process_file_inner(path: &Path, source: &str, opts: &Options) -> Record {
    match read::read_path(path, &opts.limits) {
        Ok((format, doc)) => extract::extract(&doc, format, source),
        Err(e) => {
            let format = read::sniff::sniff_path(path).unwrap_or(Format::Unknown);
            Record::failed(source, format.as_str(), e.to_string())
        }
    }
}

/// Every input under `paths` (files as given, folders walked recursively), in a stable order.
pub fn collect_inputs(paths: &[PathBuf]) -> walk::Inputs {
    walk::collect(paths)
}

/// Read every file under `paths` in parallel; records come back sorted by source path, whatever
/// the thread count or the order the files finished in.
pub fn process_paths(paths: &[PathBuf], opts: &Options) -> Vec<Record> {
    let inputs = collect_inputs(paths);
    process_inputs(&inputs.files, opts, |_| {})
}

/// Read the given files in parallel, calling `progress` after each one (for a progress bar).
pub fn process_inputs(files: &[walk::Input], opts: &Options, progress: impl Fn(&Record) + Sync) -> Vec<Record> {
    let mut records: Vec<Record> = files
        .par_iter()
        .with_max_len(1)
        .map(|input| {
            let record = process_file(&input.path, &input.source, opts);
            progress(&record);
            record
        })
        .collect();
    records.sort_by(|a, b| a.source.cmp(&b.source));
    records
}

/// True when every record was read (ok or partial): the exit-code rule shared by all commands.
pub fn all_read(records: &[Record]) -> bool {
    records.iter().all(|r| r.status != Status::Failed)
}
