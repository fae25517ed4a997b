//! One module per sheet; [`build`] writes them in order and returns the workbook's bytes.

mod actions;
mod answers;
mod comments;
mod dashboard;
mod history;
mod problems;
mod questions;
mod schools;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::status::{Analysis, ReturnView};
use super::workbook::{legend_format, Formats};
use super::SummaryOptions;
use crate::catalogue::{self, Question};
use crate::record::{Answer, Record};

/// Sheet names, in order (History only when a school has several returns).
pub const DASHBOARD: &str = "Dashboard";
pub const SCHOOLS: &str = "Schools";
pub const ANSWERS: &str = "Answers";
pub const ACTIONS: &str = "Actions";
pub const QUESTIONS: &str = "Questions";
pub const PROBLEMS: &str = "Problems";
pub const HISTORY: &str = "History";
/// Only when there are more comments than [`NOTE_LIMIT`]: one row per comment.
pub const COMMENTS: &str = "Comments";

/// The most comments the Answers sheet carries as cell notes. Every note costs the workbook
/// about 2 KB while it is built and Excel slows to a crawl with tens of thousands of them, so a
/// larger pile (an archive of thousands of returns) lists its comments on a Comments sheet instead.
pub const NOTE_LIMIT: usize = 20_000;

/// How one question was answered across the returns counted.
#[derive(Debug, Clone)]
pub struct QuestionStat {
    pub question: &'static Question,
    pub yes: usize,
    pub no: usize,
    pub both: usize,
    /// Rating rows answered by their rating alone (neither YES nor NO, not blank).
    pub rated: usize,
    pub blank: usize,
}

impl QuestionStat {
    pub fn total(&self) -> usize {
        self.yes + self.no + self.both + self.rated + self.blank
    }
    pub fn no_or_blank(&self) -> usize {
        self.no + self.blank
    }
}

/// Everything the sheets share.
pub struct Ctx<'a, 'r> {
    pub records: &'r [Record],
    pub analysis: &'a Analysis<'r>,
    pub opts: &'a SummaryOptions,
    pub f: Formats,
    /// Per question over each school's latest return, worst (most NO or blank) first.
    pub questions: Vec<QuestionStat>,
    /// Comments go on the Answers sheet as cell notes (else on the Comments sheet).
    pub comments_as_notes: bool,
}

impl<'a, 'r> Ctx<'a, 'r> {
    pub fn latest(&self) -> impl Iterator<Item = &'a ReturnView<'r>> {
        self.analysis.returns.iter().filter(|r| r.latest)
    }

    /// Returns in the order the Schools and Answers sheets list them: latest returns first, then
    /// overdue reviews with poor standards, then either, then the rest; by school, then date.
    pub fn school_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.analysis.returns.len()).collect();
        let returns = &self.analysis.returns;
        // Keys made once per return (a stable sort: equal keys keep the pile's order).
        order.sort_by_cached_key(|&i| {
            returns.get(i).map(|r| (r.group.clone(), !r.latest, std::cmp::Reverse(r.flag_rank()), r.school.to_lowercase(), r.form_date))
        });
        order
    }
}

fn question_stats(analysis: &Analysis) -> Vec<QuestionStat> {
    let mut stats: Vec<QuestionStat> = catalogue::QUESTIONS
        .iter()
        .map(|q| QuestionStat { question: q, yes: 0, no: 0, both: 0, rated: 0, blank: 0 })
        .collect();
    for r in analysis.returns.iter().filter(|r| r.latest) {
        for s in &mut stats {
            let qa = r.record.questions.get(s.question.id);
            match qa.and_then(|a| a.answer) {
                Some(Answer::Yes) => s.yes += 1,
                Some(Answer::No) => s.no += 1,
                Some(Answer::Both) => s.both += 1,
                None if qa.and_then(|a| a.rating.flatten()).is_some() => s.rated += 1,
                None => s.blank += 1,
            }
        }
    }
    // Stable sort: ties keep form order.
    stats.sort_by(|a, b| {
        let ra = a.no_or_blank() as f64 / a.total().max(1) as f64;
        let rb = b.no_or_blank() as f64 / b.total().max(1) as f64;
        rb.partial_cmp(&ra).unwrap_or(std::cmp::Ordering::Equal).then(b.no.cmp(&a.no))
    });
    stats
}

fn xlsx(e: XlsxError) -> String {
    format!("the workbook could not be built: {e}")
}

/// Build the workbook; returns its bytes and its sheet names in order.
///
/// The sheets are built at once on up to `opts.threads` threads (the long ones take most of the
/// time). Each sheet's content depends only on the records, and every cell format is numbered
/// before any sheet is written, so the workbook is the same whatever the number of threads.
pub fn build(records: &[Record], analysis: &Analysis, opts: &SummaryOptions) -> Result<(Vec<u8>, Vec<String>), String> {
    let comments: usize = analysis.returns.iter().map(|r| r.record.questions.values().filter(|q| q.comment.is_some()).count()).sum();
    let ctx = Ctx { records, analysis, opts, f: Formats::new(), questions: question_stats(analysis), comments_as_notes: comments <= NOTE_LIMIT };
    let mut wb = Workbook::new();
    // Sheets written on several threads would number the formats in the order the threads first
    // used them; numbered here, in a fixed order, the workbook's bytes do not vary from run to run.
    for format in ctx.f.all() {
        wb.register_format(format);
    }
    for format in ctx.f.all() {
        wb.register_format(&legend_format(format));
    }
    let mut names = vec![DASHBOARD, SCHOOLS, ANSWERS];
    if !ctx.comments_as_notes {
        names.push(COMMENTS);
    }
    names.extend([ACTIONS, QUESTIONS, PROBLEMS]);
    if history::needed(&ctx) {
        names.push(HISTORY);
    }
    // Every sheet is written row by row as its rows are made, so several can be built at once
    // without their rows piling up in memory. They are taken longest first (the Comments and
    // Answers sheets have a row per comment and per answer) by up to `opts.threads` threads.
    let mut queue: Vec<(&str, Worksheet)> = Vec::new();
    for name in &names {
        // Sheets with a row per return (or per action or comment) are written to a temporary file
        // as they are built, so memory does not grow with the pile; the Dashboard and Questions
        // sheets are small and are written out of order (charts, tables side by side).
        let mut ws = match *name {
            DASHBOARD | QUESTIONS => Worksheet::new(),
            _ => wb.new_worksheet_with_constant_memory().map_err(xlsx)?,
        };
        ws.set_name(*name).map_err(xlsx)?;
        ws.set_active(*name == DASHBOARD);
        queue.push((*name, ws));
    }
    const LONGEST_FIRST: [&str; 8] = [COMMENTS, ANSWERS, ACTIONS, SCHOOLS, HISTORY, PROBLEMS, QUESTIONS, DASHBOARD];
    queue.sort_by_key(|(name, _)| LONGEST_FIRST.iter().position(|n| n == name));
    let write = |(name, ws): &mut (&str, Worksheet)| match *name {
        DASHBOARD => dashboard::write(ws, &ctx),
        SCHOOLS => schools::write(ws, &ctx),
        ANSWERS => answers::write(ws, &ctx),
        COMMENTS => comments::write(ws, &ctx),
        ACTIONS => actions::write(ws, &ctx),
        QUESTIONS => questions::write(ws, &ctx),
        PROBLEMS => problems::write(ws, &ctx),
        _ => history::write(ws, &ctx),
    };
    let workers = opts.threads.unwrap_or_else(crate::processor_cores).clamp(1, queue.len().max(1));
    let mut sheets: Vec<(&str, Worksheet)> = if workers == 1 {
        for sheet in &mut queue {
            write(sheet).map_err(xlsx)?;
        }
        queue
    } else {
        let queue: Vec<std::sync::Mutex<(&str, Worksheet)>> = queue.into_iter().map(std::sync::Mutex::new).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        // Each worker takes the next sheet not yet taken, until none is left.
        let work = || -> Result<(), XlsxError> {
            loop {
                let Some(sheet) = queue.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) else { return Ok(()) };
                let mut sheet = sheet.lock().map_err(|_| XlsxError::ParameterError("a sheet could not be built".into()))?;
                write(&mut sheet)?;
            }
        };
        let results: Vec<Result<(), XlsxError>> = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
            let mut results = vec![work()];
            for helper in helpers {
                // A sheet writer that panicked is a bug; say so rather than take the run down.
                results.push(helper.join().unwrap_or_else(|_| Err(XlsxError::ParameterError("a sheet could not be built".into()))));
            }
            results
        });
        for result in results {
            result.map_err(xlsx)?;
        }
        let mut sheets = Vec::new();
        for sheet in queue {
            sheets.push(sheet.into_inner().map_err(|_| "a sheet could not be built".to_string())?);
        }
        sheets
    };
    sheets.sort_by_key(|(name, _)| names.iter().position(|n| n == name));
    for (_, ws) in sheets {
        wb.push_worksheet(ws);
    }
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_title("CPOMS QA summary").set_author("cpoms-qa"));
    // Deflating the sheets is the last step and runs on one thread: level 2 instead of the
    // default 6 takes 64 ms instead of 202 ms for 2,000 returns, for a file 3.4 MB instead of 2.6 MB.
    wb.set_zip_compression_level(2);
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    Ok((bytes, names.iter().map(|s| s.to_string()).collect()))
}
