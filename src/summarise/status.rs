//! What the workbook says about each return: review status, action due dates and status, RAG,
//! which return is a school's latest, and what was carried over. Computed once here so that every
//! sheet, the dashboard and the tests agree.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::register::{self, Register};
use super::terms::{self, DueSource, TermCalendar};
use super::SummaryOptions;
use crate::catalogue::{self, Kind};
use crate::dates;
use crate::record::{Action, Answer, Record, Status};

/// Where a return's QA review stands on `--as-of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReviewStatus {
    /// The review date has passed and no later return for the school is dated on or after it.
    Overdue,
    /// A review is required and its date has not passed (or no date was given).
    Due,
    /// A later return for the same school is dated on or after the review date.
    Done,
    /// No review required.
    None,
    /// The "to be reviewed? Y/N" was left blank and no review date given: to chase.
    Unanswered,
}

impl ReviewStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Overdue => "overdue",
            ReviewStatus::Due => "due",
            ReviewStatus::Done => "done",
            ReviewStatus::None => "none",
            ReviewStatus::Unanswered => "not answered",
        }
    }
    pub const ALL: [ReviewStatus; 5] =
        [ReviewStatus::Overdue, ReviewStatus::Due, ReviewStatus::Done, ReviewStatus::None, ReviewStatus::Unanswered];
}

/// Where an action stands on `--as-of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionStatus {
    Overdue,
    /// Due on or after `--as-of` and within 4 weeks of it.
    DueSoon,
    Later,
    NoDate,
    /// On an earlier return, and repeated on the school's later return (which carries it now).
    CarriedOver,
    /// On an earlier return and not repeated on the later one: no longer open.
    Superseded,
}

impl ActionStatus {
    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Overdue => "overdue",
            ActionStatus::DueSoon => "due within 4 weeks",
            ActionStatus::Later => "later",
            ActionStatus::NoDate => "no date",
            ActionStatus::CarriedOver => "carried over",
            ActionStatus::Superseded => "superseded",
        }
    }

    /// Still open (on a school's latest return).
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Overdue | ActionStatus::DueSoon | ActionStatus::Later | ActionStatus::NoDate)
    }
}

/// Red / amber / green for a 1..5 standard (1 = good).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rag {
    Green,
    Amber,
    Red,
}

/// An action with its resolved due date and status.
#[derive(Debug, Clone)]
pub struct ActionView<'a> {
    pub action: &'a Action,
    pub due: Option<NaiveDate>,
    pub due_source: Option<DueSource>,
    /// The due-date status, whatever the return (overdue / due within 4 weeks / later / no date).
    pub date_status: ActionStatus,
    /// The status shown: the date status on a latest return, carried over / superseded on an
    /// earlier one.
    pub status: ActionStatus,
    /// On a latest return: the date of the earlier return that had the same action.
    pub carried_from: Option<NaiveDate>,
    /// On an earlier return: the date of the later return that repeats it.
    pub repeated_in: Option<NaiveDate>,
}

/// One return (a record that is not failed) as the workbook sees it.
#[derive(Debug, Clone)]
pub struct ReturnView<'a> {
    pub record: &'a Record,
    /// The school as shown: the register's name when matched, else as written.
    pub school: String,
    /// The key returns for one school share.
    pub school_key: String,
    pub form_date: Option<NaiveDate>,
    pub review_date: Option<NaiveDate>,
    pub review_status: ReviewStatus,
    /// True for the school's latest return by form date.
    pub latest: bool,
    /// Other returns of the same school (indices into `Analysis::returns`), oldest first.
    pub history: Vec<usize>,
    pub actions: Vec<ActionView<'a>>,
    pub yes: usize,
    pub no: usize,
    pub both: usize,
    /// Rows with no mark (a rating row with its rating given is not blank).
    pub blank: usize,
    /// Overall standard or a rating worse than the amber threshold.
    pub poor: bool,
    pub register_row: Option<usize>,
    /// The `--group-by` value ("(not in register)" when unmatched).
    pub group: Option<String>,
}

impl ReturnView<'_> {
    pub fn rating(&self, id: &str) -> Option<u8> {
        self.record.questions.get(id).and_then(|q| q.rating.flatten())
    }

    pub fn overdue_actions(&self) -> usize {
        self.actions.iter().filter(|a| a.status == ActionStatus::Overdue).count()
    }

    pub fn open_actions(&self) -> usize {
        self.actions.iter().filter(|a| a.status.is_open()).count()
    }

    /// Flagged rows sort first: overdue review and poor standard first, then either, then a
    /// return whose only flag is an overdue action, then the rest.
    pub fn flag_rank(&self) -> u8 {
        let main = u8::from(self.review_status == ReviewStatus::Overdue) + u8::from(self.poor);
        main * 2 + u8::from(self.overdue_actions() > 0)
    }
}

/// Every return analysed, plus the files that failed.
#[derive(Debug, Clone)]
pub struct Analysis<'a> {
    pub returns: Vec<ReturnView<'a>>,
    pub failed: Vec<&'a Record>,
    /// Indices of returns whose school is not in the register (only with `--schools`).
    pub unmatched: Vec<usize>,
}

/// The RAG of a 1..5 standard under the thresholds.
pub fn rag(value: u8, opts: &SummaryOptions) -> Rag {
    if value <= opts.green_max {
        Rag::Green
    } else if value <= opts.amber_max {
        Rag::Amber
    } else {
        Rag::Red
    }
}

/// The status of a due date on `as_of`.
pub fn date_status(due: Option<NaiveDate>, as_of: NaiveDate) -> ActionStatus {
    match due {
        None => ActionStatus::NoDate,
        Some(d) if d < as_of => ActionStatus::Overdue,
        Some(d) if d <= as_of.checked_add_days(Days::new(28)).unwrap_or(as_of) => ActionStatus::DueSoon,
        Some(_) => ActionStatus::Later,
    }
}

/// Two actions are the same when their wording shares most of its words (this much of it).
const SAME_ACTION: f64 = 0.6;

/// Analyse the records: one view per return that is not failed, in record order.
pub fn analyse<'a>(records: &'a [Record], opts: &SummaryOptions, calendar: &TermCalendar) -> Analysis<'a> {
    let register: Option<&Register> = opts.register.as_ref();
    let group_col = match (register, opts.group_by.as_deref()) {
        (Some(reg), Some(g)) => reg.column(g),
        _ => None,
    };
    let mut returns = Vec::new();
    let mut failed = Vec::new();
    let mut unmatched = Vec::new();
    for record in records {
        if record.status == Status::Failed {
            failed.push(record);
            continue;
        }
        let written = record.header.school.clone().unwrap_or_default();
        let register_row = register.and_then(|r| if written.is_empty() { None } else { r.find(&written) });
        if register.is_some() && register_row.is_none() {
            unmatched.push(returns.len());
        }
        let school = match (register, register_row) {
            (Some(reg), Some(row)) => reg.display_name(row).unwrap_or(&written).to_string(),
            _ if written.is_empty() => "(school not given)".to_string(),
            _ => written.clone(),
        };
        let school_key = match register_row {
            Some(row) => format!("#register {row}"),
            None if written.is_empty() => format!("#source {}", record.source),
            None => register::school_key(&written),
        };
        let group = opts.group_by.as_ref().map(|_| match (register, register_row, group_col) {
            (Some(reg), Some(row), Some(col)) => reg.cell(row, col).unwrap_or("(blank)").to_string(),
            (Some(_), Some(_), None) => "(no such register column)".to_string(),
            _ => "(not in register)".to_string(),
        });
        let form_date = record.header.date.as_deref().and_then(dates::parse_iso);
        let review_date = record.review_date.as_deref().and_then(dates::parse_iso);
        let (mut yes, mut no, mut both, mut blank) = (0, 0, 0, 0);
        for q in catalogue::QUESTIONS {
            let qa = record.questions.get(q.id);
            match qa.and_then(|a| a.answer) {
                Some(Answer::Yes) => yes += 1,
                Some(Answer::No) => no += 1,
                Some(Answer::Both) => both += 1,
                // A rating row answered with its rating alone is not blank.
                None if qa.and_then(|a| a.rating.flatten()).is_some() => {}
                None => blank += 1,
            }
        }
        let rating_poor = catalogue::QUESTIONS
            .iter()
            .filter(|q| q.kind == Kind::Rating)
            .filter_map(|q| record.questions.get(q.id).and_then(|a| a.rating.flatten()))
            .any(|r| rag(r, opts) == Rag::Red);
        let poor = rating_poor || record.overall_standard.is_some_and(|s| rag(s, opts) == Rag::Red);
        let actions = record
            .actions
            .iter()
            .map(|a| {
                let resolved = a.timescale.as_deref().and_then(|t| terms::resolve_due(t, form_date, calendar));
                // The record's own due date stands when the timescale gives none (e.g. no timescale).
                let resolved = resolved.or_else(|| a.due.as_deref().and_then(dates::parse_iso).map(|d| (d, DueSource::Record)));
                let due = resolved.map(|(d, _)| d);
                let st = date_status(due, opts.as_of);
                ActionView {
                    action: a,
                    due,
                    due_source: resolved.map(|(_, s)| s),
                    date_status: st,
                    status: st,
                    carried_from: None,
                    repeated_in: None,
                }
            })
            .collect();
        let review_status = match (record.review_required, review_date) {
            (Some(false), _) => ReviewStatus::None,
            (_, Some(d)) if d < opts.as_of => ReviewStatus::Overdue,
            (_, Some(_)) | (Some(true), None) => ReviewStatus::Due,
            (None, None) => ReviewStatus::Unanswered,
        };
        returns.push(ReturnView {
            record,
            school,
            school_key,
            form_date,
            review_date,
            review_status,
            latest: true,
            history: Vec::new(),
            actions,
            yes,
            no,
            both,
            blank,
            poor,
            register_row,
            group,
        });
    }
    apply_history(&mut returns);
    Analysis { returns, failed, unmatched }
}

/// Several returns for one school: the latest by form date counts; earlier reviews are done when a
/// later return is dated on or after the review date; earlier actions are carried over where a
/// later return repeats them, superseded otherwise.
fn apply_history(returns: &mut [ReturnView<'_>]) {
    let mut by_school: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in returns.iter().enumerate() {
        by_school.entry(r.school_key.clone()).or_default().push(i);
    }
    // Action wordings as comparable words, once per return that shares its school with another
    // (comparing them pairwise re-split every wording for every pair: quadratic in a school's returns).
    let mut wordings: Vec<Vec<Vec<String>>> = vec![Vec::new(); returns.len()];
    for members in by_school.values().filter(|m| m.len() > 1) {
        for &i in members {
            if let (Some(w), Some(r)) = (wordings.get_mut(i), returns.get(i)) {
                *w = r.record.actions.iter().map(|a| register::name_tokens(&a.action)).collect();
            }
        }
    }
    let repeats = |words: &[String], j: usize| {
        wordings.get(j).is_some_and(|acts| acts.iter().any(|b| register::similarity(words, b) >= SAME_ACTION))
    };
    for members in by_school.values() {
        let mut ordered = members.clone();
        // Undated returns count as the oldest; ties broken by source path for a stable order.
        ordered.sort_by(|&a, &b| {
            let ka = returns.get(a).map(|r| (r.form_date, &r.record.source));
            let kb = returns.get(b).map(|r| (r.form_date, &r.record.source));
            ka.cmp(&kb)
        });
        let Some(&last) = ordered.last() else { continue };
        let dates: Vec<Option<NaiveDate>> = ordered.iter().map(|&j| returns.get(j).and_then(|r| r.form_date)).collect();
        for (pos, &i) in ordered.iter().enumerate() {
            let later = ordered.get(pos + 1..).unwrap_or_default();
            let later_dates = dates.get(pos + 1..).unwrap_or_default();
            let Some(r) = returns.get_mut(i) else { continue };
            r.latest = i == last;
            r.history = ordered.iter().copied().filter(|&j| j != i).collect();
            if let Some(rd) = r.review_date {
                if r.review_status != ReviewStatus::None && later_dates.iter().flatten().any(|d| *d >= rd) {
                    r.review_status = ReviewStatus::Done;
                }
            }
            if !r.latest {
                for a in &mut r.actions {
                    let words = register::name_tokens(&a.action.action);
                    match later.iter().zip(later_dates).find(|(&j, _)| repeats(&words, j)) {
                        Some((_, d)) => {
                            a.status = ActionStatus::CarriedOver;
                            a.repeated_in = *d;
                        }
                        None => a.status = ActionStatus::Superseded,
                    }
                }
            }
        }
        // The latest return's actions that repeat an earlier return's.
        let earlier: Vec<(usize, Option<NaiveDate>)> =
            ordered.iter().copied().zip(dates.iter().copied()).filter(|&(j, _)| j != last).collect();
        if let Some(r) = returns.get_mut(last) {
            for a in &mut r.actions {
                let words = register::name_tokens(&a.action.action);
                if let Some((_, d)) = earlier.iter().find(|(j, _)| repeats(&words, *j)) {
                    a.carried_from = *d;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn action_status_windows() {
        let as_of = d(2025, 1, 10);
        assert_eq!(date_status(Some(d(2025, 1, 9)), as_of), ActionStatus::Overdue);
        assert_eq!(date_status(Some(d(2025, 1, 10)), as_of), ActionStatus::DueSoon);
        assert_eq!(date_status(Some(d(2025, 2, 7)), as_of), ActionStatus::DueSoon);
        assert_eq!(date_status(Some(d(2025, 2, 8)), as_of), ActionStatus::Later);
        assert_eq!(date_status(None, as_of), ActionStatus::NoDate);
    }

    fn rec(school: &str, date: &str, review: Option<&str>, actions: &[&str]) -> Record {
        let mut r = Record::empty(format!("{school}-{date}.docx"), "docx");
        r.header.school = Some(school.into());
        r.header.date = Some(date.into());
        r.review_required = Some(review.is_some());
        r.review_date = review.map(String::from);
        r.actions = actions.iter().map(|a| Action { action: a.to_string(), ..Default::default() }).collect();
        r
    }

    #[test]
    fn history_latest_review_done_and_carried_over() {
        let records = vec![
            rec("St Mary's CE Primary", "2024-02-01", Some("2024-06-01"), &["Update the chronology for every child", "Buy a new cabinet"]),
            rec("St. Marys C of E Primary School", "2024-07-01", Some("2024-12-01"), &["Update chronologies for every child"]),
        ];
        let opts = SummaryOptions::new(d(2025, 1, 1));
        let a = analyse(&records, &opts, &TermCalendar::england());
        assert_eq!(a.returns.len(), 2);
        assert!(!a.returns[0].latest && a.returns[1].latest);
        assert_eq!(a.returns[0].review_status, ReviewStatus::Done);
        assert_eq!(a.returns[1].review_status, ReviewStatus::Overdue);
        assert_eq!(a.returns[0].actions[0].status, ActionStatus::CarriedOver);
        assert_eq!(a.returns[0].actions[1].status, ActionStatus::Superseded);
        assert_eq!(a.returns[1].actions[0].carried_from, Some(d(2024, 2, 1)));
    }

    #[test]
    fn review_left_blank_is_not_answered_not_none_required() {
        let mut blank = rec("Old Mill Primary", "2024-02-01", None, &[]);
        blank.review_required = None;
        let no = rec("Rowan Tree Primary", "2024-02-01", None, &[]);
        let records = vec![blank, no];
        let a = analyse(&records, &SummaryOptions::new(d(2025, 1, 1)), &TermCalendar::england());
        let status = |school: &str| a.returns.iter().find(|r| r.school.starts_with(school)).map(|r| r.review_status);
        assert_eq!(status("Old Mill"), Some(ReviewStatus::Unanswered));
        assert_eq!(status("Rowan Tree"), Some(ReviewStatus::None));
    }
}
