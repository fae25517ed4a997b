//! The extractor: one pass over the neutral document model, matching rows to the form's
//! catalogue and reading marks, ratings and dates into a [`Record`]. Every format's reader produces
//! the same model, so this is the only place that knows how the form is laid out and filled in.
//!
//! It reads the form the way a person does: it finds each part by its printed label or wording
//! (not by position), reads YES/NO by the columns the section's header row names, and reports in a
//! warning anything it could not read or had to choose between.

mod lines;
mod marks;
pub mod text;

use std::collections::HashMap;

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

use crate::catalogue::{self, Kind};
use crate::dates;
use crate::model::{Document, Format, Run};
use crate::record::{Action, Answer, Record, Status};

use lines::{Line, LineCell};
use marks::Choice;
use text::{at_word_boundary, clean_value, normalise, strip_label};

/// The reason given when a document holds no part of the form.
pub const NOT_THE_FORM: &str = "not a CPOMS Quality Assurance form (no form sections or questions found)";

/// Labels people use for each header field; the catalogue's printed label comes first.
const HEADER_ALIASES: &[(&str, &[&str])] = &[
    ("reviewer", &["Name of Person conducting the Quality Assurance", "Person conducting the Quality Assurance", "Name of person conducting the QA", "Quality Assurance conducted by", "Reviewer"]),
    ("reviewer_role", &["Position/Role of Person conducting the Quality Assurance", "Role of Person conducting the Quality Assurance", "Position of Person conducting the Quality Assurance", "Position/Role of person conducting the QA", "Reviewer role"]),
    ("subject", &["Name of Person whose CPOMS recording is being Quality Assured", "Person whose CPOMS recording is being Quality Assured", "Name of Person whose CPOMS recording is Quality Assured", "Name of DSL"]),
    ("subject_role", &["Position/Role of Person in School/Setting", "Role of Person in School/Setting", "Position/Role of Person in School", "Position/Role in School/Setting"]),
    ("external_auditor", &["Name of External Auditor", "External Auditor"]),
    ("school", &["Name of school", "School name", "Name of setting", "School"]),
    ("date", &["Date of Quality Assurance", "Date of QA", "Date"]),
];

/// Extract the record from a document read from `source`.
pub fn extract(doc: &Document, format: Format, source: &str) -> Record {
    let lines = lines::lines(doc);
    let mut ex = Extractor { lines: &lines, record: Record::empty(source, format.as_str()), format };
    ex.run(doc);
    ex.record
}

struct Extractor<'l, 'a> {
    lines: &'l [Line<'a>],
    record: Record,
    format: Format,
}

/// Where the parts of the form were found (line indices).
#[derive(Debug, Default)]
struct Anchors {
    overview: Option<usize>,
    first_section_row: Option<usize>,
    standards: Option<usize>,
    overall: Option<usize>,
    actions_required: Option<usize>,
    action_header: Option<usize>,
    review: Option<usize>,
    review_date: Option<usize>,
    first_signed: Option<usize>,
}

static ROW_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*[.)]?\s*$").expect("static regex"));
static LEADING_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2}(?:\.\d{1,2})?)[.)]?\s+(\S.*)$").expect("static regex"));
static HINT_YN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\(\s*y\s*/\s*n\s*\)").expect("static regex"));
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\(?\s*(headteacher|principal|designated person|external auditor)[^)\t]*\)?").expect("static regex")
});
static LEGEND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[1-5]\s*[=\-–:]\s*(good|poor|outstanding|inadequate)").expect("static regex"));

/// The scale's legend as printed in brackets beside a label: "(1 = good, 5 = poor)".
static LEGEND_IN_BRACKETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\(\s*1\s*[=\-–:]\s*good\s*[,;/]?\s*5\s*[=\-–:]\s*poor\s*\)").expect("static regex")
});

fn line_starts_with(line: &Line, label: &str) -> Option<String> {
    let t = line.text();
    let rest = strip_label(t.trim_start(), label)?;
    at_word_boundary(rest).then(|| rest.to_string())
}

impl<'l, 'a> Extractor<'l, 'a> {
    fn run(&mut self, doc: &Document) {
        let mut anchors = self.find_anchors();
        let questions_found = self.read_questions(&mut anchors);
        let header_end = anchors
            .overview
            .or(anchors.first_section_row)
            .unwrap_or_else(|| self.lines.len().min(30));
        self.read_header(header_end);
        let overview_found = self.read_overview(&anchors);
        self.read_standards(&anchors);
        self.read_actions(&anchors);
        self.read_review(&anchors);
        self.read_signatures(&anchors);
        self.read_version(doc);
        self.decide_status(&anchors, questions_found, overview_found);
        self.check_single_copy();
        if self.record.status != Status::Failed && !doc.unread.is_empty() {
            // What the reader could not read is a gap in the record, said in its own words.
            self.record.warnings.extend(doc.unread.iter().cloned());
            self.record.status = Status::Partial;
        }
    }

    /// Two returns in one file (the form pasted twice, a workbook with a sheet per school): only
    /// the first is read, so say so. Told by the overview's first question appearing again.
    fn check_single_copy(&mut self) {
        if self.record.status == Status::Failed {
            return;
        }
        let Some(first) = catalogue::OVERVIEW.first() else { return };
        let copies = self.lines.iter().filter(|l| line_starts_with(l, first.wording).is_some()).count();
        if copies > 1 {
            self.warn(format!(
                "the form appears {copies} times in this file (several returns in one file?): only the first is in the record; save each return as its own file"
            ));
            self.record.status = Status::Partial;
        }
    }

    fn warn(&mut self, w: impl Into<String>) {
        self.record.warnings.push(w.into());
    }

    fn find_anchors(&self) -> Anchors {
        let mut a = Anchors::default();
        for (i, line) in self.lines.iter().enumerate() {
            let n = line.normalised();
            if n.is_empty() {
                continue;
            }
            if a.overview.is_none() && !line.is_row() && (n == "overview" || n.starts_with("overview ")) && n.len() < 40 {
                a.overview = Some(i);
            }
            if a.standards.is_none() && n.starts_with("standards and actions") {
                a.standards = Some(i);
            }
            if a.overall.is_none() && line_starts_with(line, "Overall Standard of recording").is_some() {
                a.overall = Some(i);
            }
            if a.actions_required.is_none() && line_starts_with(line, "Actions required").is_some() {
                a.actions_required = Some(i);
            }
            if a.action_header.is_none() && line.is_row() && n.contains("action") && n.contains("by whom") {
                a.action_header = Some(i);
            }
            if a.review.is_none()
                && (line_starts_with(line, "Quality Assurance to be reviewed").is_some()
                    || line_starts_with(line, "QA to be reviewed").is_some())
            {
                a.review = Some(i);
            }
            if a.review_date.is_none() && line_starts_with(line, "Date of review").is_some() {
                a.review_date = Some(i);
            }
            if a.first_signed.is_none() && line_starts_with(line, "Signed").is_some() {
                a.first_signed = Some(i);
            }
        }
        a
    }

    // ---------------------------------------------------------------- header

    fn read_header(&mut self, end: usize) {
        let mut found: HashMap<&'static str, String> = HashMap::new();
        let mut i = 0usize;
        while i < end.min(self.lines.len()) {
            let Some(line) = self.lines.get(i) else { break };
            if line.is_row() && line.filled().count() >= 3 {
                // A header table of label | value pairs, several to a row: each label's value is
                // the rest of its cell or the cell after it.
                let cells = &line.cells;
                for (k, c) in cells.iter().enumerate() {
                    let Some((field, _, rest)) = header_label(c.text.trim_start()) else { continue };
                    if found.contains_key(field) {
                        continue;
                    }
                    let mut value = clean_value(&rest);
                    if value.is_none() {
                        if let Some(next) = cells.get(k + 1).filter(|n| header_label(n.text.trim_start()).is_none()) {
                            value = clean_value(&next.text);
                        }
                    }
                    if let Some(v) = value {
                        found.insert(field, v);
                    }
                }
                i += 1;
                continue;
            }
            // One label and its value, or several joined on one line: each in turn.
            let mut segment = line.text().trim_start().to_string();
            while let Some((field, _, full)) = header_label(&segment) {
                let cut = next_header_label(&full, field);
                let rest = cut.and_then(|c| full.get(..c)).unwrap_or(&full);
                if !found.contains_key(field) {
                    let mut value = clean_value(rest);
                    if value.is_none() && cut.is_none() {
                        // Typed on the next line.
                        if let Some(next) = self.lines.get(i + 1).filter(|_| i + 1 < end) {
                            if !self.is_header_label(next) {
                                value = clean_value(next.text());
                                if value.is_some() {
                                    i += 1;
                                }
                            }
                        }
                    }
                    if let Some(v) = value {
                        found.insert(field, v);
                    }
                }
                match cut.and_then(|c| full.get(c..)) {
                    Some(next) => segment = next.to_string(),
                    None => break,
                }
            }
            i += 1;
        }
        let h = &mut self.record.header;
        h.reviewer = found.remove("reviewer");
        h.reviewer_role = found.remove("reviewer_role");
        h.subject = found.remove("subject");
        h.subject_role = found.remove("subject_role");
        h.external_auditor = found.remove("external_auditor");
        h.school = found.remove("school");
        if let Some(d) = found.remove("date") {
            match dates::parse_uk_date(&d) {
                Some(date) => self.record.header.date = Some(dates::iso(date)),
                None => self.warn(format!("header date: could not read '{}' as a date", short(&d))),
            }
        }
    }

    fn is_header_label(&self, line: &Line) -> bool {
        let text = line.text();
        let t = text.trim_start();
        HEADER_ALIASES.iter().any(|(_, labels)| labels.iter().any(|l| strip_label(t, l).is_some_and(at_word_boundary)))
            || normalise(t).starts_with("overview")
    }

    fn form_date(&self) -> Option<NaiveDate> {
        self.record.header.date.as_deref().and_then(dates::parse_iso)
    }

    // ---------------------------------------------------------------- overview

    fn read_overview(&mut self, a: &Anchors) -> bool {
        let start = a.overview.map_or(0, |o| o + 1);
        let end = a.first_section_row.or(a.standards).unwrap_or(self.lines.len());
        if start >= end {
            return false;
        }
        // Where each overview question stands.
        let mut at: Vec<(usize, usize, f64)> = Vec::new(); // (line, question index, score)
        for i in start..end {
            let Some(line) = self.lines.get(i) else { break };
            let first = line.cells.iter().find(|c| !c.text.trim().is_empty()).map(|c| c.text.as_str()).unwrap_or("");
            // The question is the first line of its cell/paragraph.
            let first_line = first.lines().next().unwrap_or("");
            let line_words = text::word_keys(first_line);
            if line_words.len() < 3 {
                continue;
            }
            let mut best: Option<(usize, f64)> = None;
            for (qi, wording) in OVERVIEW_WORDS.iter().enumerate() {
                let s = overview_score(&line_words, wording);
                if s >= 0.8 && best.is_none_or(|b| s > b.1) {
                    best = Some((qi, s));
                }
            }
            if let Some((qi, s)) = best {
                // Keep the best line per question.
                if let Some(pos) = at.iter().position(|x| x.1 == qi) {
                    if at.get(pos).is_some_and(|x| x.2 < s) {
                        at.remove(pos);
                    } else {
                        continue;
                    }
                }
                at.push((i, qi, s));
            }
        }
        at.sort_by_key(|x| x.0);
        let found = at.len() >= 2;
        for (k, &(line_no, qi, _)) in at.iter().enumerate() {
            let next = at.get(k + 1).map_or(end, |x| x.0);
            let Some(q) = catalogue::OVERVIEW.get(qi) else { continue };
            let mut parts: Vec<String> = Vec::new();
            if let Some(line) = self.lines.get(line_no) {
                // Same line: the other cells, or the text after the question's wording.
                let filled: Vec<&LineCell> = line.filled().collect();
                if filled.len() > 1 {
                    for c in filled.iter().skip(1) {
                        if let Some(v) = text::cell_value(&c.text) {
                            parts.push(v);
                        }
                    }
                } else if let Some(c) = filled.first() {
                    let mut cell_lines = c.text.lines();
                    let first_line = cell_lines.next().unwrap_or("");
                    if let Some(rest) = strip_question(first_line, q.wording) {
                        let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '?' | ':' | '.' | '_' | '…'));
                        if let Some(v) = text::cell_value(rest) {
                            parts.push(v);
                        }
                    }
                    for l in cell_lines {
                        if let Some(v) = text::cell_value(l) {
                            parts.push(v);
                        }
                    }
                }
            }
            for j in line_no + 1..next {
                let Some(line) = self.lines.get(j) else { break };
                if self.is_section_title(line) {
                    break;
                }
                for c in line.filled() {
                    if let Some(v) = text::cell_value(&c.text) {
                        parts.push(v);
                    }
                }
            }
            let value = if parts.is_empty() { None } else { Some(parts.join("\n")) };
            if let Some(slot) = self.record.overview.get_mut(q.id) {
                *slot = value;
            }
        }
        for (key, oid) in catalogue::CASE_COUNTS {
            let count = self.record.overview.get(*oid).and_then(|v| v.as_deref()).and_then(text::parse_count);
            let c = &mut self.record.case_counts;
            match *key {
                "cp" => c.cp = count,
                "cin" => c.cin = count,
                "lac" => c.lac = count,
                _ => c.eh = count,
            }
        }
        found
    }

    /// The number of the section whose title the line starts with.
    fn section_number(&self, line: &Line) -> Option<u8> {
        let n = line.normalised();
        SECTION_TITLES.iter().find(|(_, title)| n.starts_with(title.as_str())).map(|(number, _)| *number)
    }

    fn is_section_title(&self, line: &Line) -> bool {
        self.section_number(line).is_some()
    }

    // ---------------------------------------------------------------- questions

    /// Read the numbered rows; returns how many catalogue rows were found.
    fn read_questions(&mut self, a: &mut Anchors) -> usize {
        let mut cols = ColumnMap::default();
        let mut seen: HashMap<&'static str, usize> = HashMap::new();
        let mut last_q: Option<(usize, &'static str)> = None; // (line, id)
        let mut pending: Vec<PendingRow> = Vec::new();
        // The numbered rows stand between the first section title and the standards; before the
        // first title, only a row that matches the catalogue well counts (a form with no titles).
        let first_title = self.lines.iter().position(|l| {
            l.is_row() && (ColumnMap::from_header(l).is_some() || self.is_section_title(l) && !has_number_cell(l))
        });
        let start = first_title.or(a.overview.map(|o| o + 1)).unwrap_or(0);
        let stop = [a.overall, a.standards, a.action_header, a.actions_required]
            .into_iter()
            .flatten()
            .filter(|&e| e > start)
            .min()
            .unwrap_or(self.lines.len());
        let mut section: u8 = 0;
        let mut strong = 0usize;
        for i in start..stop {
            let Some(line) = self.lines.get(i) else { break };
            if !line.is_row() {
                if !line.is_row() && !line.text().trim().is_empty() {
                    last_q = None;
                }
                continue;
            }
            if let Some(n) = self.section_number(line) {
                section = n;
            }
            if let Some(map) = ColumnMap::from_header(line) {
                cols = map;
                last_q = None;
                if a.first_section_row.is_none() && self.is_section_title(line) {
                    a.first_section_row = Some(i);
                }
                continue;
            }
            if self.is_section_title(line) && line.filled().count() <= 4 && !has_number_cell(line) {
                if a.first_section_row.is_none() {
                    a.first_section_row = Some(i);
                }
                last_q = None;
                continue;
            }
            let Some((number, qcell_idx, qtext)) = number_and_question(line) else {
                // A continuation of the row above (merged cells, a question wrapped onto a new row).
                if let Some((_, id)) = last_q {
                    if let Some(p) = pending.iter_mut().rev().find(|p| p.id == id) {
                        p.absorb(line, &cols);
                    }
                }
                continue;
            };
            let Some(QuestionMatch { question: q, warning: how, strength }) = match_question(&number, &qtext, section) else {
                if !qtext.trim().is_empty() || !number.is_empty() {
                    let what = if number.is_empty() { "a row".to_string() } else { format!("row {number}") };
                    if words_count(&qtext) >= 3 {
                        self.warn(format!("{what} is not a question of the July 2019 form (extra row): not in the record"));
                    }
                }
                last_q = None;
                continue;
            };
            if a.first_section_row.is_none() {
                a.first_section_row = Some(i);
            }
            if let Some(w) = how {
                self.warn(w);
            }
            if let Some(prev) = seen.get(q.id) {
                let _ = prev;
                self.warn(format!("row {}: appears twice on the form; the first is kept", q.id));
                last_q = None;
                continue;
            }
            if strength >= 0.6 {
                strong += 1;
            }
            seen.insert(q.id, i);
            pending.push(PendingRow::new(q.id, line, qcell_idx, &cols));
            last_q = Some((i, q.id));
        }
        // A form printed with YES and NO in every row (the filler deletes or marks one): an
        // untouched row shows both words and is unanswered, not "both".
        let both_words = pending.iter().filter(|p| p.both_label_words()).count();
        // Typed forms rarely have more than a couple of rows marked both ways; printed-word forms
        // leave every untouched row with both.
        let prefilled = both_words >= 3 || pending.len() >= 4 && both_words * 2 >= pending.len();
        let printed = printed_marks(&pending);
        let baseline = if prefilled { unmarked_twin(&pending, &printed) } else { None };
        for p in &pending {
            self.finish_row(p, prefilled, baseline.as_ref(), &printed);
        }
        for q in catalogue::QUESTIONS {
            if !seen.contains_key(q.id) && !pending.is_empty() {
                self.record.warnings.push(format!("row {}: not found on the form", q.id));
            }
        }
        if strong < 3 {
            // A handful of numbers with little of the form's wording: not this form's rows.
            return 0;
        }
        seen.len()
    }

    /// `baseline`: on a form with YES and NO printed in every row, how an unchosen word looks
    /// (learnt from the rows where one word is marked), so a row with both words marked the same
    /// way reads as "both" rather than as untouched.
    fn finish_row(&mut self, p: &PendingRow, prefilled: bool, baseline: Option<&Option<String>>, printed: &Printed) {
        let Some(q) = catalogue::question(p.id) else { return };
        let comment = p.comment.as_deref().and_then(text::cell_value);
        let mut answer: Option<Answer> = None;
        let mut rating: Option<u8> = None;
        if let Some(word) = &p.answer_word {
            let w = word.trim();
            if q.kind == Kind::Rating && w.len() == 1 && w.chars().all(|c| ('1'..='5').contains(&c)) {
                rating = w.parse().ok();
            } else {
                answer = match marks::answer_word(w) {
                    Some(true) => Some(Answer::Yes),
                    Some(false) => Some(Answer::No),
                    None if marks::is_tick_token(w) => Some(Answer::Yes),
                    None if w.eq_ignore_ascii_case("both") => Some(Answer::Both),
                    None => None,
                };
            }
        } else if let Some(d) = (q.kind == Kind::Rating).then(|| p.digit_in_mark_cell()).flatten() {
            // A rating row's number typed in its YES or NO cell: the rating, not an answer.
            rating = Some(d);
        } else {
            let (mut yes, mut no) = p.marks(printed);
            if prefilled && (yes.tick && !yes.label_only && no.label_only || no.tick && !no.label_only && yes.label_only) {
                // Printed words, a mark typed beside one of them ("YES ✓"): the other word is
                // only print.
                if yes.tick {
                    no.label_only = false;
                } else {
                    yes.label_only = false;
                }
            }
            if !prefilled && yes.label_only && no.label_only {
                // Both words typed by the filler.
                yes.tick = true;
                no.tick = true;
                yes.label_only = false;
                no.label_only = false;
            }
            answer = match marks::choose_yes_no(&yes, &no) {
                Choice::Yes => Some(Answer::Yes),
                Choice::No => Some(Answer::No),
                Choice::Both => Some(Answer::Both),
                Choice::None => None,
            };
            if yes.opposite && answer == Some(Answer::No) {
                self.warn(format!("row {}: 'No' typed in the YES column; read as NO", q.id));
            }
            if answer.is_none()
                && prefilled
                && yes.label_only
                && no.label_only
                && !yes.struck
                && !no.struck
                && baseline.is_some_and(|b| {
                    marks::more_marked(&yes.formatted, b) == Some(true) && marks::more_marked(&no.formatted, b) == Some(true)
                })
            {
                // Both printed words marked (alike or not), unlike the form's unchosen words.
                answer = Some(Answer::Both);
            }
            if answer == Some(Answer::Both) && (yes.check && no.cross || no.check && yes.cross) {
                // A tick on one side and a cross on the other: the cross says "not this".
                let (side, other, a) = if yes.check { ("YES", "NO", Answer::Yes) } else { ("NO", "YES", Answer::No) };
                self.warn(format!(
                    "row {}: a tick under {side} and a cross under {other}; read as {side} (the cross taken to mean 'not this')",
                    q.id
                ));
                answer = Some(a);
            }
            let from_cells = answer;
            if answer.is_none() && !yes.tick && !no.tick && !yes.label_only && !no.label_only {
                if let Some(c) = &comment {
                    answer = marks::answer_in_comment(c).map(|v| if v { Answer::Yes } else { Answer::No });
                    if let Some(a) = answer {
                        let word = if a == Answer::Yes { "YES" } else { "NO" };
                        self.warn(format!(
                            "row {}: neither YES nor NO marked; read as {word} from the comment, which begins '{}'",
                            q.id,
                            if a == Answer::Yes { "Yes" } else { "No" }
                        ));
                    }
                }
            }
            if let (Some(a @ (Answer::Yes | Answer::No)), Some(c)) = (from_cells, &comment) {
                if let Some(said) = marks::answer_in_comment(c) {
                    if said != (a == Answer::Yes) {
                        let (marked, word) = if a == Answer::Yes { ("YES", "No") } else { ("NO", "Yes") };
                        self.warn(format!(
                            "row {}: marked {marked} but the comment begins '{word}'; read as {marked} (the mark)",
                            q.id
                        ));
                    }
                }
            }
        }
        if answer == Some(Answer::Both) {
            self.warn(format!("row {}: both YES and NO marked", q.id));
        }
        if q.kind == Kind::Rating {
            if rating.is_none() {
                let lines: Vec<Vec<Run>> = p.rating_lines.clone();
                let refs: Vec<Vec<&Run>> = lines.iter().map(|l| l.iter().collect()).collect();
                rating = marks::choose_digit(&refs);
                let marked = marks::marked_digits(&refs);
                if rating.is_none() && marked.len() > 1 {
                    self.warn(format!("row {}: more than one rating marked ({}); left blank", q.id, join_digits(&marked)));
                }
            }
            if rating.is_none() {
                if let Some(r) = &p.rating_cell {
                    rating = marks::rating_in_comment(r);
                }
            }
            if rating.is_none() {
                if let Some(c) = &comment {
                    rating = marks::rating_in_comment(c);
                }
            }
        }
        if let Some(slot) = self.record.questions.get_mut(q.id) {
            slot.answer = answer;
            slot.comment = comment;
            if q.kind == Kind::Rating {
                slot.rating = Some(rating);
            }
        }
    }

    // ---------------------------------------------------------------- standards

    fn read_standards(&mut self, a: &Anchors) {
        let Some(start) = a.overall else { return };
        let Some(line) = self.lines.get(start) else { return };
        let end = [a.actions_required, a.action_header, a.review, a.first_signed]
            .into_iter()
            .flatten()
            .filter(|&e| e > start)
            .min()
            .unwrap_or((start + 12).min(self.lines.len()));
        // Typed on the label's own line ("Overall Standard of recording   2", or a cell beside it).
        let label_runs = runs_after_label(line, "Overall Standard of recording");
        let label_text: String = label_runs.iter().map(|r| r.text.as_str()).collect();
        let mut lines_runs: Vec<Vec<Run>> = Vec::new();
        if !label_text.trim().is_empty() {
            lines_runs.push(label_runs);
        }
        let own = marks::choose_digit(&lines_runs.iter().map(|l| l.iter().collect()).collect::<Vec<_>>());
        if own.is_some() && digits_in(&label_text) == 1 {
            // A number typed beside the label.
            self.record.overall_standard = own;
            return;
        }
        // Typed beside the label in words or as a fraction ("Four", "2/5", "1 = good"), once the
        // printed "(1 = good, 5 = poor)" is set aside.
        let typed = LEGEND_IN_BRACKETS.replace_all(&label_text, " ");
        if let Some(d) = marks::rating_in_comment(typed.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '.' | '…' | '_'))) {
            self.record.overall_standard = Some(d);
            return;
        }
        for j in start + 1..end {
            let Some(l) = self.lines.get(j) else { break };
            let t = l.text();
            if LEGEND.is_match(t) || normalise(t).is_empty() {
                continue;
            }
            if l.is_row() {
                lines_runs.push(l.runs());
            } else {
                lines_runs.push(l.cells.iter().flat_map(|c| c.runs.iter().cloned()).collect());
            }
        }
        let refs: Vec<Vec<&Run>> = lines_runs.iter().map(|l| l.iter().collect()).collect();
        self.record.overall_standard = marks::choose_digit(&refs).or_else(|| self.grid_choice(start, end));
        let marked = marks::marked_digits(&refs);
        if self.record.overall_standard.is_none() && marked.len() > 1 {
            self.warn(format!("overall standard: more than one marked ({}); left blank", join_digits(&marked)));
        }
    }

    /// A spreadsheet grid: a row of 1..5 with an X under (or beside) the chosen one.
    fn grid_choice(&self, start: usize, end: usize) -> Option<u8> {
        for j in start..end {
            let l = self.lines.get(j)?;
            let digit_cols: Vec<(u32, u8)> = l
                .cells
                .iter()
                .filter_map(|c| {
                    let t = c.text.trim();
                    (t.len() == 1).then(|| t.parse::<u8>().ok()).flatten().filter(|d| (1..=5).contains(d)).map(|d| (c.col, d))
                })
                .collect();
            if digit_cols.len() < 5 {
                continue;
            }
            let next = self.lines.get(j + 1)?;
            let chosen: Vec<u8> = digit_cols
                .iter()
                .filter(|(col, _)| {
                    next.cells.iter().any(|c| c.col == *col && marks::is_tick_token(&c.text))
                })
                .map(|(_, d)| *d)
                .collect();
            if chosen.len() == 1 {
                return chosen.first().copied();
            }
        }
        None
    }

    // ---------------------------------------------------------------- actions

    fn read_actions(&mut self, a: &Anchors) {
        if let Some(i) = a.actions_required {
            self.record.actions_required = self.y_n_field(i, "Actions required", a);
            if self.record.actions_required.is_none() && self.y_n_both(i, "Actions required", a) {
                self.warn("actions required: both Y and N marked; left blank");
            }
        }
        let Some(h) = a.action_header else { return };
        let Some(header) = self.lines.get(h) else { return };
        let mut col_action = None;
        let mut col_whom = None;
        let mut col_time = None;
        for c in &header.cells {
            let n = normalise(&c.text);
            if n.contains("by whom") || n == "who" || n.contains("owner") {
                col_whom = Some(c.col);
            } else if n.contains("timescale") || n.contains("deadline") || n.contains("by when") || n.contains("date") {
                col_time = Some(c.col);
            } else if n.contains("action") {
                col_action = Some(c.col);
            }
        }
        let form_date = self.form_date();
        let mut table = header.table;
        let stop = [a.review, a.review_date, a.first_signed]
            .into_iter()
            .flatten()
            .filter(|&e| e > h)
            .min()
            .unwrap_or(self.lines.len());
        let heading: Vec<String> = header.cells.iter().map(|c| normalise(&c.text)).filter(|t| !t.is_empty()).collect();
        // Each column's value on the row above, for cells merged down.
        let mut above: [Option<String>; 3] = [None, None, None];
        for j in h + 1..stop {
            let Some(l) = self.lines.get(j) else { break };
            if line_starts_with(l, "On completion").is_some() {
                break;
            }
            if l.is_row() && l.cells.iter().map(|c| normalise(&c.text)).filter(|t| !t.is_empty()).eq(heading.iter().cloned()) {
                // The heading repeated where the table runs onto a new page.
                continue;
            }
            if !l.is_row() {
                if l.text().trim().is_empty() {
                    continue;
                }
                break;
            }
            if l.table != table {
                // A table split across pages continues only when it has the same shape.
                if l.cells.len() != header.cells.len() {
                    break;
                }
                table = l.table;
            }
            let cell = |col: Option<u32>| -> Option<&LineCell> {
                let col = col?;
                l.cells.iter().find(|c| c.col <= col && col < c.col + c.span)
            };
            // A cell merged down from the row above says the same as that row ("DSL" for two
            // actions); a note spanning the whole row is an action with no owner or timescale.
            let mut get = |col: Option<u32>, k: usize| -> Option<String> {
                let c = cell(col)?;
                let value = if c.merged_above { above.get(k).cloned().flatten() } else { text::cell_value(&c.text) };
                if let Some(slot) = above.get_mut(k) {
                    *slot = value.clone();
                }
                value
            };
            let action = get(col_action, 0);
            let spans_all = |col: Option<u32>| cell(col).zip(cell(col_action)).is_some_and(|(a, b)| a.col == b.col);
            let by_whom = if spans_all(col_whom) { None } else { get(col_whom, 1) };
            let timescale = if spans_all(col_time) { None } else { get(col_time, 2) };
            if action.is_none() && by_whom.is_none() && timescale.is_none() {
                continue;
            }
            let due = timescale.as_deref().and_then(|t| dates::record_due(t, form_date)).map(dates::iso);
            self.record.actions.push(Action { action: action.unwrap_or_default(), by_whom, timescale, due });
        }
    }

    /// A Y/N choice after `label` on line `i`, or on the lines after it.
    fn y_n_field(&self, i: usize, label: &str, a: &Anchors) -> Option<bool> {
        marks::choose_y_n(&self.y_n_runs(i, label, a)?.iter().collect::<Vec<_>>())
    }

    /// True when the Y/N after `label` has both letters marked (both bracketed or highlighted).
    fn y_n_both(&self, i: usize, label: &str, a: &Anchors) -> bool {
        self.y_n_runs(i, label, a).is_some_and(|r| marks::y_n_both_marked(&r.iter().collect::<Vec<_>>()))
    }

    /// The runs holding the Y/N choice after `label` on line `i`, or on the lines after it.
    fn y_n_runs(&self, i: usize, label: &str, a: &Anchors) -> Option<Vec<Run>> {
        let line = self.lines.get(i)?;
        let runs = runs_after_label(line, label);
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        if has_y_n(&text) {
            return Some(runs);
        }
        let stops = [a.action_header, a.review, a.review_date, a.first_signed];
        for j in i + 1..(i + 10).min(self.lines.len()) {
            if stops.contains(&Some(j)) {
                break;
            }
            let l = self.lines.get(j)?;
            let runs: Vec<Run> = l.runs();
            let t: String = runs.iter().map(|r| r.text.as_str()).collect();
            if t.trim().is_empty() {
                continue;
            }
            if has_y_n(&t) {
                return Some(runs);
            }
            break;
        }
        None
    }

    // ---------------------------------------------------------------- review

    fn read_review(&mut self, a: &Anchors) {
        if let Some(i) = a.review {
            let label = if self.lines.get(i).and_then(|l| line_starts_with(l, "QA to be reviewed")).is_some() {
                "QA to be reviewed"
            } else {
                "Quality Assurance to be reviewed"
            };
            self.record.review_required = self.y_n_field(i, label, a);
            if self.record.review_required.is_none() && self.y_n_both(i, label, a) {
                self.warn("review required: both Y and N marked; left blank");
            }
        }
        if let Some(i) = a.review_date {
            let Some(line) = self.lines.get(i) else { return };
            let rest = line_starts_with(line, "Date of review (if applicable)")
                .or_else(|| line_starts_with(line, "Date of review"))
                .unwrap_or_default();
            let mut value = clean_value(&rest);
            if value.is_none() {
                if let Some(next) = self.lines.get(i + 1) {
                    let t = next.text();
                    if line_starts_with(next, "On completion").is_none() && line_starts_with(next, "Signed").is_none() {
                        value = clean_value(t);
                    }
                }
            }
            if let Some(v) = value {
                match dates::parse_uk_date(&v) {
                    Some(d) => self.record.review_date = Some(dates::iso(d)),
                    None => self.warn(format!("review date: could not read '{}' as a date", short(&v))),
                }
            }
        }
    }

    // ---------------------------------------------------------------- sign-off

    fn read_signatures(&mut self, a: &Anchors) {
        let Some(first) = a.first_signed else { return };
        let mut last_signed = first;
        for j in first..self.lines.len() {
            let Some(line) = self.lines.get(j) else { break };
            let Some(rest) = line_starts_with(line, "Signed") else { continue };
            last_signed = j;
            let lower = rest.to_lowercase();
            let key = if lower.contains("headteacher") || lower.contains("principal") || lower.contains("chair of governors") {
                "head"
            } else if lower.contains("designated") {
                "designated_person"
            } else if lower.contains("external") || lower.contains("auditor") {
                "external_auditor"
            } else {
                continue;
            };
            // The name stands before (or, in a spreadsheet, after) the bracketed role.
            let name_part = ROLE.replace(&rest, "\t");
            // A sign-off table gives the date in its own cell beside the name: "R Ambler", "03/02/2025".
            let mut kept: Vec<&str> = Vec::new();
            for part in name_part.split('\t') {
                let date = (part.trim().len() <= 20).then(|| dates::parse_uk_date(part)).flatten();
                match date {
                    Some(d) if part.chars().any(|c| c.is_ascii_digit()) => {
                        self.record.signatures.date.get_or_insert_with(|| dates::iso(d));
                    }
                    _ => kept.push(part),
                }
            }
            let name = clean_value(&kept.join("\t")).or_else(|| self.name_on_next_line(j));
            let s = &mut self.record.signatures;
            match key {
                "head" => s.head = name,
                "designated_person" => s.designated_person = name,
                _ => s.external_auditor = name,
            }
        }
        for j in last_signed + 1..(last_signed + 6).min(self.lines.len()) {
            let Some(line) = self.lines.get(j) else { break };
            let Some(rest) = line_starts_with(line, "Date") else { continue };
            if let Some(v) = clean_value(&rest) {
                match dates::parse_uk_date(&v) {
                    Some(d) => self.record.signatures.date = Some(dates::iso(d)),
                    None => self.warn(format!("sign-off date: could not read '{}' as a date", short(&v))),
                }
            }
            break;
        }
    }

    /// A name typed on the line under a "Signed …… (role)" line: short, and not the next label.
    fn name_on_next_line(&self, j: usize) -> Option<String> {
        let next = self.lines.get(j + 1)?;
        let t = next.text().trim();
        let is_label = ["Signed", "Date", "Name", "Position"].iter().any(|l| line_starts_with(next, l).is_some());
        let short = t.chars().count() <= 60 && t.split_whitespace().count() <= 6;
        if is_label || !short || normalise(t).contains("july 2019") {
            return None;
        }
        clean_value(t)
    }

    fn read_version(&mut self, doc: &Document) {
        let furniture = lines::furniture_text(doc);
        let has = |t: &str| normalise(t).contains("july 2019");
        if furniture.iter().any(|t| has(t)) || self.lines.iter().rev().take(12).any(|l| has(l.text())) {
            self.record.form_version = Some(catalogue::FORM_VERSION.to_string());
        }
    }

    fn decide_status(&mut self, a: &Anchors, questions: usize, overview: bool) {
        if questions == 0 && !overview {
            // Whatever was half-matched in a document that is not the form means nothing.
            let source = std::mem::take(&mut self.record.source);
            self.record = Record::failed(source, self.format.as_str(), NOT_THE_FORM);
            return;
        }
        let mut sections_found: Vec<u8> = Vec::new();
        let tail_missing = a.overall.is_none() && a.action_header.is_none() && a.review.is_none() && a.first_signed.is_none();
        if questions == 0 && !tail_missing {
            // The overview and the standards were read, the numbered rows between them not: say
            // so rather than give 42 blank answers as if the form were unanswered.
            self.record.warnings.retain(|w| !w.ends_with(": not found on the form"));
            self.warn(
                "the numbered rows (sections 1-9) could not be read from this copy: no YES/NO answers, ratings or comments are in the record; check the form by hand",
            );
            self.record.status = Status::Partial;
            return;
        }
        for q in catalogue::QUESTIONS {
            let answered = questions > 0 && self.record.warnings.iter().all(|w| w != &format!("row {}: not found on the form", q.id));
            if answered && !sections_found.contains(&q.section) {
                sections_found.push(q.section);
            }
        }
        let last = sections_found.iter().copied().max().unwrap_or(0);
        if tail_missing && last < 9 {
            // Drop the per-row warnings: one plain sentence says it better.
            self.record.warnings.retain(|w| !w.ends_with(": not found on the form"));
            let what = if last == 0 {
                "the form has no numbered sections, standards and actions, review or sign-off".to_string()
            } else {
                format!(
                    "form ends after section {last}: sections {}-9, standards and actions, review and sign-off are missing",
                    last + 1
                )
            };
            self.warn(what);
            self.record.status = Status::Partial;
        } else if sections_found.len() < catalogue::SECTIONS.len() {
            let missing: Vec<String> = catalogue::SECTIONS
                .iter()
                .filter(|s| !sections_found.contains(&s.number))
                .map(|s| s.number.to_string())
                .collect();
            self.warn(format!("section(s) {} not found on the form", missing.join(", ")));
            self.record.status = Status::Partial;
        } else if tail_missing {
            self.warn("standards and actions, review and sign-off not found on the form");
            self.record.status = Status::Partial;
        }
    }
}

/// The header field a text starts with, the label's length and the text after it. The longest
/// label that fits wins ("Name of External Auditor" over "Name of …"); labels worded differently
/// are matched by their words.
fn header_label(trimmed: &str) -> Option<(&'static str, usize, String)> {
    exact_header_label(trimmed).or_else(|| fuzzy_header_label(trimmed))
}

/// [`header_label`] with the form's own labels only (and their known variants).
fn exact_header_label(trimmed: &str) -> Option<(&'static str, usize, String)> {
    let mut best: Option<(&'static str, usize, String)> = None;
    for (field, labels) in HEADER_ALIASES {
        for label in labels.iter() {
            if let Some(rest) = strip_label(trimmed, label) {
                if at_word_boundary(rest) && best.as_ref().is_none_or(|b| label.len() > b.1) {
                    best = Some((field, label.len(), rest.to_string()));
                }
            }
        }
    }
    best
}

/// Where another header label starts inside a value: a PDF's text layer can join two header
/// lines ("Mr Carl Dyson Position/Role of Person in School/Setting: DSL"). Only a label of the
/// form after a value and a space, of some length and followed by its colon or dots, or long:
/// "External Auditor" and "Head of School___" are roles, "Date Park Primary" a school.
fn next_header_label(value: &str, field: &str) -> Option<usize> {
    value.char_indices().filter(|&(i, c)| i > 0 && c.is_uppercase() && value[..i].ends_with(' ')).map(|(i, _)| i).find(|&i| {
        clean_value(&value[..i]).is_some()
            && exact_header_label(&value[i..]).is_some_and(|(f, len, rest)| {
                f != field && (len >= 25 || len >= 12 && rest.trim_start().starts_with([':', '_', '…']))
            })
    })
}

/// A header label worded differently ("Name of the school:", "School's name -"): the part before
/// the first colon, underscore, dot leader or tab, compared by its words with every known label.
fn fuzzy_header_label(text: &str) -> Option<(&'static str, usize, String)> {
    let cut = text.find([':', '_', '…', '\t'])?;
    let (left, right) = text.split_at(cut);
    let left_words = text::word_keys(left);
    if left_words.is_empty() || left_words.len() > 14 {
        return None;
    }
    let mut best: Option<(&'static str, f64)> = None;
    for (field, label_words) in HEADER_ALIAS_WORDS.iter() {
        if label_words.len() < 2 {
            continue;
        }
        let s = text::containment(&left_words, label_words).min(text::containment(label_words, &left_words));
        if s >= 0.75 && best.is_none_or(|b| s > b.1) {
            best = Some((field, s));
        }
    }
    best.map(|(field, _)| (field, 0, right.to_string()))
}

fn join_digits(d: &[u8]) -> String {
    d.iter().map(u8::to_string).collect::<Vec<_>>().join(" and ")
}

fn short(s: &str) -> String {
    let one_line = s.replace('\n', " ");
    if one_line.chars().count() > 40 {
        format!("{}…", one_line.chars().take(40).collect::<String>())
    } else {
        one_line
    }
}

/// How many [`text::words`] `s` has (counted, not built).
fn words_count(s: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in s.chars() {
        let alnum = c.is_alphanumeric();
        if alnum && !in_word {
            count += 1;
        }
        in_word = alnum;
    }
    count
}

fn digits_in(s: &str) -> usize {
    s.chars().filter(|c| ('1'..='5').contains(c)).count()
}

fn has_y_n(t: &str) -> bool {
    let w = text::words(t);
    w.iter().any(|x| matches!(x.as_str(), "y" | "n" | "yes" | "no"))
}

/// How well a line matches an overview question: containment both ways, so a line that is the
/// question plus a typed answer still matches, and a short answer does not.
fn overview_score(line: &[text::WordKey], wording: &[text::WordKey]) -> f64 {
    if line.len() < wording.len() / 2 {
        return 0.0;
    }
    let a = text::containment(line, wording);
    if a < 0.75 {
        // The score cannot reach the 0.8 a match needs: skip the second comparison.
        return a.min(1.0) * 0.8 + 0.2;
    }
    let b = text::containment(wording, line);
    a.min(1.0) * 0.8 + b.min(1.0) * 0.2
}

/// The overview questions' wording split into words once, not once per line compared.
static OVERVIEW_WORDS: LazyLock<Vec<Vec<text::WordKey>>> =
    LazyLock::new(|| catalogue::OVERVIEW.iter().map(|q| text::word_keys(q.wording)).collect());

/// The numbered questions' wording split into words once (by id), not once per row compared.
static QUESTION_WORDS: LazyLock<HashMap<&'static str, Vec<text::WordKey>>> =
    LazyLock::new(|| catalogue::QUESTIONS.iter().map(|q| (q.id, text::word_keys(q.wording))).collect());

/// A question's wording as [`text::words`].
fn question_words(q: &catalogue::Question) -> &'static [text::WordKey] {
    QUESTION_WORDS.get(q.id).map_or(&[], Vec::as_slice)
}

/// Every header label's words, for matching labels worded differently.
static HEADER_ALIAS_WORDS: LazyLock<Vec<(&'static str, Vec<text::WordKey>)>> = LazyLock::new(|| {
    HEADER_ALIASES.iter().flat_map(|(field, labels)| labels.iter().map(move |l| (*field, text::word_keys(l)))).collect()
});

/// The sections' titles, [`normalise`]d once.
static SECTION_TITLES: LazyLock<Vec<(u8, String)>> =
    LazyLock::new(|| catalogue::SECTIONS.iter().map(|s| (s.number, normalise(s.title))).collect());

/// The text after the question's wording on the same line, if the line starts with it.
fn strip_question<'t>(line: &'t str, wording: &str) -> Option<&'t str> {
    if let Some(rest) = strip_label(line, wording) {
        return Some(rest);
    }
    // Edited wording: everything after the question mark.
    line.find('?').map(|p| &line[p + 1..])
}

/// The runs of a line after its label (the label's letters counted off the front).
fn runs_after_label(line: &Line, label: &str) -> Vec<Run> {
    // In a table row the answer is in the cells after the label's cell when they hold anything
    // (the label cell may carry a printed hint such as "(Y/N)" or "(1 = good, 5 = poor)").
    if line.cells.len() > 1 {
        if let Some(k) = line.cells.iter().position(|c| strip_label(c.text.trim_start(), label).is_some()) {
            let later: Vec<Run> = line
                .cells
                .iter()
                .skip(k + 1)
                .filter(|c| !c.text.trim().is_empty())
                .flat_map(|c| {
                    let mut v = c.runs.clone();
                    v.push(Run::plain("\t"));
                    v
                })
                .collect();
            if !later.is_empty() {
                return blank_hints(later);
            }
        }
    }
    blank_hints(runs_after_label_text(line, label))
}

/// Printed hints ("(Y/N)", "1 = good", "5 = poor") blanked out of runs, keeping the marks around
/// them. A lone "Y/N" is kept: it is what people mark.
fn blank_hints(runs: Vec<Run>) -> Vec<Run> {
    let text: String = runs.iter().map(|r| r.text.as_str()).collect();
    let mut ranges: Vec<(usize, usize)> = LEGEND.find_iter(&text).map(|m| (m.start(), m.end())).collect();
    let rest_has_choice = {
        let stripped = HINT_YN.replace_all(&text, " ");
        has_y_n(&stripped)
    };
    if rest_has_choice {
        ranges.extend(HINT_YN.find_iter(&text).map(|m| (m.start(), m.end())));
    }
    if ranges.is_empty() {
        return runs;
    }
    let mut out = Vec::with_capacity(runs.len());
    let mut pos = 0usize;
    for r in runs {
        let start = pos;
        pos += r.text.len();
        let mut t = String::with_capacity(r.text.len());
        for (off, ch) in r.text.char_indices() {
            let at = start + off;
            if ranges.iter().any(|(a, b)| at >= *a && at < *b) {
                t.push(' ');
            } else {
                t.push(ch);
            }
        }
        out.push(Run { text: t, format: r.format, kind: r.kind });
    }
    out
}

fn runs_after_label_text(line: &Line, label: &str) -> Vec<Run> {
    let runs = line.runs();
    let text: String = runs.iter().map(|r| r.text.as_str()).collect();
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let Some(rest) = strip_label(trimmed, label) else { return Vec::new() };
    let skip_bytes = lead + trimmed.len() - rest.len();
    let mut out = Vec::new();
    let mut pos = 0usize;
    for r in runs {
        let end = pos + r.text.len();
        if end <= skip_bytes {
            pos = end;
            continue;
        }
        if pos >= skip_bytes {
            out.push(r);
        } else {
            let cut = skip_bytes - pos;
            if let Some(tail) = r.text.get(cut..) {
                out.push(Run { text: tail.to_string(), format: r.format.clone(), kind: r.kind });
            }
        }
        pos = end;
    }
    out
}

/// Where YES, NO, Comments (or one Answer column, or a Rating column) stand, by grid column.
#[derive(Debug, Clone, Default)]
struct ColumnMap {
    yes: Option<u32>,
    no: Option<u32>,
    comment: Option<u32>,
    answer: Option<u32>,
    rating: Option<u32>,
}

impl ColumnMap {
    /// A section header row names its columns: "YES", "NO", "Comments/Actions" (or "Answer").
    fn from_header(line: &Line) -> Option<ColumnMap> {
        // A question row with "Yes" and "No" typed in it is not a header.
        if has_number_cell(line) && line.cells.iter().any(|c| words_count(&c.text) >= 4) {
            return None;
        }
        let mut map = ColumnMap::default();
        let mut no_cands: Vec<u32> = Vec::new();
        let mut question_col: Option<u32> = None;
        for c in &line.cells {
            // Header cells are short: a long cell (a comment) is only lower-cased far enough to
            // tell it is none of these.
            let n = text::normalise_prefix(&c.text, 24);
            match n.as_str() {
                "yes" | "y" => map.yes = Some(c.col),
                "no" | "n" => no_cands.push(c.col),
                "answer" | "response" | "yes no" | "y n" | "answer yes no" => map.answer = Some(c.col),
                "rating" | "score" | "grade" | "rating 1 5" | "standard" => map.rating = Some(c.col),
                "question" | "questions" => question_col = Some(c.col),
                _ if n.starts_with("comment") || n == "notes" || n.starts_with("evidence") => map.comment = Some(c.col),
                _ if n.starts_with("rating") => map.rating = Some(c.col),
                _ if n.starts_with("answer") => map.answer = Some(c.col),
                _ => {}
            }
        }
        // "No" can head the number column too: the answer NO is the one after the question column.
        let after_q = |c: &u32| question_col.is_none_or(|q| *c > q);
        map.no = no_cands.iter().copied().filter(after_q).find(|c| map.yes.is_none_or(|y| *c != y)).or_else(|| {
            if no_cands.len() > 1 {
                no_cands.last().copied()
            } else {
                None
            }
        });
        if map.yes.is_some() && map.no.is_some() || map.answer.is_some() {
            Some(map)
        } else {
            None
        }
    }
}

/// The cells of one question row, by role, gathered before the answer is decided (a row can
/// continue on the next table row).
#[derive(Debug, Clone)]
struct PendingRow {
    id: &'static str,
    yes: Option<OwnedCell>,
    no: Option<OwnedCell>,
    comment: Option<String>,
    answer_word: Option<String>,
    rating_cell: Option<String>,
    /// Lines of the question cell after its wording (the "1 2 3 4 5" of a rating row).
    rating_lines: Vec<Vec<Run>>,
    question_col: u32,
}

#[derive(Debug, Clone, Default)]
struct OwnedCell {
    text: String,
    runs: Vec<Run>,
    shading: Option<String>,
}

impl OwnedCell {
    fn from(c: &LineCell) -> Self {
        OwnedCell { text: c.text.clone(), runs: c.runs.clone(), shading: c.shading.map(str::to_string) }
    }

    fn extend(&mut self, c: &LineCell) {
        if c.text.trim().is_empty() && c.shading.is_none() {
            return;
        }
        if !self.text.is_empty() && !c.text.is_empty() {
            self.text.push('\n');
            self.runs.push(Run::plain("\n"));
        }
        self.text.push_str(&c.text);
        self.runs.extend(c.runs.iter().cloned());
        if self.shading.is_none() {
            self.shading = c.shading.map(str::to_string);
        }
    }
}

fn cell_at<'c, 'x>(line: &'c Line<'x>, col: u32) -> Option<&'c LineCell<'x>> {
    line.cells.iter().find(|c| c.col <= col && col < c.col.saturating_add(c.span))
}

impl PendingRow {
    fn new(id: &'static str, line: &Line, qcell: usize, cols: &ColumnMap) -> Self {
        let qc = line.cells.get(qcell);
        let question_col = qc.map_or(1, |c| c.col);
        let mut row = PendingRow {
            id,
            yes: None,
            no: None,
            comment: None,
            answer_word: None,
            rating_cell: None,
            rating_lines: Vec::new(),
            question_col,
        };
        if let Some(c) = qc {
            row.rating_lines = rating_lines(c);
        }
        row.assign(line, cols, false);
        row
    }

    fn assign(&mut self, line: &Line, cols: &ColumnMap, continuation: bool) {
        let after_q: Vec<&LineCell> = line.cells.iter().filter(|c| c.col > self.question_col).collect();
        let pick = |col: Option<u32>, nth: usize| -> Option<&LineCell> {
            match col {
                Some(col) => cell_at(line, col),
                None => after_q.get(nth).copied(),
            }
        };
        let have_map = cols.yes.is_some() || cols.answer.is_some();
        let (yes, no, comment) = if have_map {
            (cols.yes.and_then(|c| cell_at(line, c)), cols.no.and_then(|c| cell_at(line, c)), cols.comment.and_then(|c| cell_at(line, c)))
        } else {
            (pick(None, 0), pick(None, 1), pick(None, 2))
        };
        let (yes, no) = match (yes, no) {
            (Some(y), Some(n)) if y.col == n.col => {
                // One cell spans both YES and NO: what is typed in it is the answer ("Yes", "No").
                if !y.merged_above && !y.text.trim().is_empty() {
                    self.answer_word.get_or_insert_with(|| y.text.clone());
                }
                (None, None)
            }
            other => other,
        };
        let merge = |slot: &mut Option<OwnedCell>, c: Option<&LineCell>| {
            if let Some(c) = c.filter(|c| !c.merged_above) {
                match slot {
                    Some(s) if continuation => s.extend(c),
                    Some(_) => {}
                    None => *slot = Some(OwnedCell::from(c)),
                }
            }
        };
        merge(&mut self.yes, yes);
        merge(&mut self.no, no);
        if let Some(c) = comment.filter(|c| !c.merged_above && !c.text.trim().is_empty()) {
            match &mut self.comment {
                Some(s) => {
                    s.push('\n');
                    s.push_str(&c.text);
                }
                None => self.comment = Some(c.text.clone()),
            }
        }
        if let Some(c) = cols.answer.and_then(|col| cell_at(line, col)).filter(|c| !c.merged_above && !c.text.trim().is_empty()) {
            self.answer_word.get_or_insert_with(|| c.text.clone());
        }
        if let Some(c) = cols.rating.and_then(|col| cell_at(line, col)).filter(|c| !c.merged_above && !c.text.trim().is_empty()) {
            self.rating_cell.get_or_insert_with(|| c.text.clone());
        }
    }

    /// A lone digit 1..5 typed in the YES or NO cell (a rating row's rating put there).
    fn digit_in_mark_cell(&self) -> Option<u8> {
        let digit = |c: &Option<OwnedCell>| {
            let t = c.as_ref().map(|c| c.text.trim().trim_matches(['(', ')', '.']).to_string()).unwrap_or_default();
            (t.len() == 1).then(|| t.parse::<u8>().ok()).flatten().filter(|d| (1..=5).contains(d))
        };
        match (digit(&self.yes), digit(&self.no)) {
            (Some(d), None) | (None, Some(d)) => Some(d),
            _ => None,
        }
    }

    /// What the YES and NO cells show.
    fn marks(&self, printed: &Printed) -> (marks::CellMark, marks::CellMark) {
        let (mut yes, mut no) = self.raw_marks();
        yes.formatted = without(yes.formatted.take(), &printed.yes);
        no.formatted = without(no.formatted.take(), &printed.no);
        (yes, no)
    }

    /// What the YES and NO cells show, the column's printed colours included.
    fn raw_marks(&self) -> (marks::CellMark, marks::CellMark) {
        let mark = |c: &Option<OwnedCell>, label: &str| {
            c.as_ref()
                .map(|c| marks::cell_mark(&c.text, &c.runs.iter().collect::<Vec<_>>(), c.shading.as_deref(), label))
                .unwrap_or_default()
        };
        (mark(&self.yes, "yes"), mark(&self.no, "no"))
    }

    /// True when the YES cell holds just "yes" and the NO cell just "no" (printed or typed).
    fn both_label_words(&self) -> bool {
        let word = |c: &Option<OwnedCell>| c.as_ref().map(|c| normalise(&c.text)).unwrap_or_default();
        word(&self.yes) == "yes" && word(&self.no) == "no"
    }

    /// A following row with no number: the same form row continued.
    fn absorb(&mut self, line: &Line, cols: &ColumnMap) {
        if let Some(qc) = line.cells.iter().find(|c| c.col == self.question_col) {
            let extra = rating_lines_all(qc);
            self.rating_lines.extend(extra);
        }
        self.assign(line, cols, true);
    }
}

/// Cell shading and font colours that every YES (or every NO) cell of the form carries: a
/// column coloured by the form's designer (YES green, NO red), which is print, not a mark.
#[derive(Debug, Default)]
struct Printed {
    yes: Vec<String>,
    no: Vec<String>,
}

fn printed_marks(pending: &[PendingRow]) -> Printed {
    let common = |side: usize| -> Vec<String> {
        let mut inter: Option<Vec<String>> = None;
        let mut n = 0usize;
        for p in pending {
            if (if side == 0 { &p.yes } else { &p.no }).is_none() {
                continue;
            }
            let (yes, no) = p.raw_marks();
            let m = if side == 0 { yes } else { no };
            let set: Vec<String> = m.formatted.map(|f| f.split('+').map(String::from).collect()).unwrap_or_default();
            n += 1;
            inter = Some(match inter {
                None => set,
                Some(i) => i.into_iter().filter(|x| set.contains(x)).collect(),
            });
        }
        let kept = inter.unwrap_or_default();
        if n < 4 {
            return Vec::new();
        }
        kept.into_iter().filter(|m| m.starts_with("cell shading") || m.starts_with("colour")).collect()
    };
    Printed { yes: common(0), no: common(1) }
}

/// A `formatted` description with the column's printed marks taken out.
fn without(f: Option<String>, printed: &[String]) -> Option<String> {
    let f = f?;
    if printed.is_empty() {
        return Some(f);
    }
    let kept: Vec<&str> = f.split('+').filter(|m| !printed.iter().any(|p| p == m)).collect();
    (!kept.is_empty()).then(|| kept.join("+"))
}

/// How an unchosen printed word looks on a form with YES and NO printed in every row: the
/// less-marked word of the rows where one word is marked more than the other, by majority (a
/// row or two marked twice over, say shaded and highlighted, does not hide it). `None` when no
/// row shows it or there is no majority.
fn unmarked_twin(pending: &[PendingRow], printed: &Printed) -> Option<Option<String>> {
    let mut counts: Vec<(Option<String>, usize)> = Vec::new();
    for p in pending {
        let (yes, no) = p.marks(printed);
        if !(yes.label_only && no.label_only) || yes.struck || no.struck {
            continue;
        }
        let plain = match marks::more_marked(&yes.formatted, &no.formatted) {
            Some(true) => no.formatted,
            Some(false) => yes.formatted,
            None => continue,
        };
        match counts.iter_mut().find(|(f, _)| *f == plain) {
            Some((_, n)) => *n += 1,
            None => counts.push((plain, 1)),
        }
    }
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    counts.into_iter().find(|(_, n)| n * 2 > total).map(|(f, _)| f)
}

/// The lines of a question cell after its first line (where "1 2 3 4 5" stands on rating rows),
/// legend lines removed.
fn rating_lines(c: &LineCell) -> Vec<Vec<Run>> {
    c.run_lines()
        .into_iter()
        .skip(1)
        .filter(|l| {
            let t: String = l.iter().map(|r| r.text.as_str()).collect();
            !LEGEND.is_match(&t) && !t.trim().is_empty()
        })
        .collect()
}

fn rating_lines_all(c: &LineCell) -> Vec<Vec<Run>> {
    c.run_lines()
        .into_iter()
        .filter(|l| {
            let t: String = l.iter().map(|r| r.text.as_str()).collect();
            !LEGEND.is_match(&t) && !t.trim().is_empty() && digits_in(&t) > 0
        })
        .collect()
}

fn has_number_cell(line: &Line) -> bool {
    line.cells.iter().any(|c| ROW_NUMBER.is_match(&c.text))
}

/// The row number and the question text of a row, and which cell holds the question.
fn number_and_question(line: &Line) -> Option<(String, usize, String)> {
    // A row continuing a vertically merged row above is never a question of its own.
    if line.cells.iter().any(|c| c.merged_above) && !has_number_cell(line) {
        return None;
    }
    for (i, c) in line.cells.iter().enumerate() {
        if c.merged_above {
            continue;
        }
        if let Some(m) = ROW_NUMBER.captures(&c.text) {
            let number = m.get(1)?.as_str().replace(',', ".");
            // The question: the next cell with words.
            let (qi, qc) = line
                .cells
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, c)| words_count(&c.text) >= 2)?;
            let _ = qc;
            return Some((number, qi, line.cells.get(qi).map(|c| c.text.clone()).unwrap_or_default()));
        }
        if !c.text.trim().is_empty() {
            // Number and question typed in one cell: "1.4 Does the chronology…".
            if let Some(m) = LEADING_NUMBER.captures(c.text.lines().next().unwrap_or("")) {
                let number = m.get(1)?.as_str().to_string();
                let rest = m.get(2)?.as_str();
                if words_count(rest) >= 3 {
                    let mut full = rest.to_string();
                    for l in c.text.lines().skip(1) {
                        full.push('\n');
                        full.push_str(l);
                    }
                    return Some((number, i, full));
                }
            }
            // A question with no number: matched by wording alone.
            if words_count(&c.text) >= 4 {
                return Some((String::new(), i, c.text.clone()));
            }
            return None;
        }
    }
    None
}

/// Match a row to the catalogue by number and wording together. Returns the question and, when
/// the match needed judgement, a warning saying what was seen.
/// A form row matched to a catalogue question.
struct QuestionMatch {
    question: &'static catalogue::Question,
    /// Said in the record's warnings (a row matched by wording despite its number, say).
    warning: Option<String>,
    /// How much of the question's wording the whole row holds (0 to 1): a form whose rows are
    /// mostly strong matches is the July 2019 form.
    strength: f64,
}

fn match_question(number: &str, qtext: &str, section: u8) -> Option<QuestionMatch> {
    // The row's words split once; each question's wording was split once for the whole run.
    let all_words = text::word_keys(qtext);
    let first_line = qtext.lines().next().unwrap_or("");
    let first_line_words = (first_line.len() != qtext.len()).then(|| text::word_keys(first_line));
    let score = |q: &catalogue::Question| {
        let wording = question_words(q);
        let all = text::containment(&all_words, wording);
        first_line_words.as_ref().map_or(all, |first| all.max(text::containment(first, wording)))
    };
    let found = |question: &'static catalogue::Question, warning: Option<String>| {
        let strength = text::containment(&all_words, question_words(question));
        Some(QuestionMatch { question, warning, strength })
    };
    let by_number = catalogue::question(number);
    // The usual case, a row numbered and worded as on the form, needs no scan of every question.
    if let Some(q) = by_number {
        if score(q) >= 0.5 {
            return found(q, None);
        }
    }
    let mut best: Option<(&'static catalogue::Question, f64)> = None;
    for q in catalogue::QUESTIONS {
        let s = score(q);
        // Rows worded alike (3.3 and 4.2 are both "Standard of completion of the report"): the
        // one in the section being read.
        let tie_in_section = |b: &(&catalogue::Question, f64)| (s - b.1).abs() <= 1e-9 && q.section == section && b.0.section != section;
        if best.is_none_or(|b| s > b.1 + 1e-9 || tie_in_section(&b)) {
            best = Some((q, s));
        }
    }
    let (best_q, best_s) = best?;
    let by_wording = |number: &str| {
        let warning = (!number.is_empty())
            .then(|| format!("row {}: numbered {number} on this form; matched to question {} by its wording", best_q.id, best_q.id));
        found(best_q, warning)
    };
    if let Some(q) = by_number {
        let s = score(q);
        if s >= 0.5 || (s >= best_s - 0.05 && s > 0.2) {
            return found(q, None);
        }
    }
    // "9.1" written for 9.10 (a number cell in a spreadsheet).
    if let Some(q) = catalogue::question(&format!("{number}0")) {
        if score(q) >= 0.6 {
            return found(q, None);
        }
    }
    if best_s >= 0.75 {
        return by_wording(number);
    }
    if let Some(q) = by_number {
        // Reworded: trust the number only inside its own section, or with some wording in common.
        if q.section == section || score(q) >= 0.3 {
            return found(q, Some(format!("row {}: wording differs from the July 2019 form; matched by its number", q.id)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, Paragraph};

    /// Header lines, then enough of the overview for the document to be the form.
    fn header_then_overview(header: &[&str]) -> Document {
        let overview = ["OVERVIEW:", "When did you start recording electronically?", "2019", "How have you stored/archived existing paper files?", "Scanned"];
        doc_of(&[header, &overview[..]].concat())
    }

    fn doc_of(lines: &[&str]) -> Document {
        Document {
            blocks: lines.iter().map(|l| Block::Paragraph(Paragraph::plain(*l))).collect(),
            ..Document::default()
        }
    }

    #[test]
    fn header_labels_worded_differently_still_match() {
        let doc = header_then_overview(&[
            "Name of the school: Old Mill Primary",
            "Date of the QA: 3/4/2024",
        ]);
        let r = extract(&doc, Format::Txt, "x.txt");
        assert_eq!(r.header.school.as_deref(), Some("Old Mill Primary"));
        assert_eq!(r.header.date.as_deref(), Some("2024-04-03"));
    }

    /// A section table whose YES and NO cells were merged into one, the answer typed in it.
    #[test]
    fn one_cell_spanning_yes_and_no_holds_the_answer_word() {
        use crate::model::{Cell, Row, Table};
        let cell = |text: &str, span: u32| Cell { blocks: vec![Block::Paragraph(Paragraph::plain(text))], span, ..Cell::default() };
        let mut rows = vec![Row { cells: vec![cell("BASIC INFORMATION", 2), cell("YES", 1), cell("NO", 1), cell("Comments/Actions", 1)] }];
        let typed = ["Yes", "No", "Both", "", "yes", "Y", "No", "X"];
        let section: Vec<&catalogue::Question> = catalogue::QUESTIONS.iter().filter(|q| q.section == 1).collect();
        for (q, t) in section.iter().zip(typed) {
            rows.push(Row { cells: vec![cell(q.id, 1), cell(q.wording, 1), cell(t, 2), cell("", 1)] });
        }
        let doc = Document { blocks: vec![Block::Table(Table { rows, name: None })], ..Document::default() };
        let r = extract(&doc, Format::Docx, "merged.docx");
        let answers: Vec<Option<Answer>> = section.iter().map(|q| r.questions.get(q.id).and_then(|a| a.answer)).collect();
        use Answer::{Both, No, Yes};
        assert_eq!(answers, vec![Some(Yes), Some(No), Some(Both), None, Some(Yes), Some(Yes), Some(No), Some(Yes)]);
        assert!(!r.warnings.iter().any(|w| w.contains("both YES and NO") && !w.starts_with("row 1.2:")), "{:?}", r.warnings);
    }

    /// A PDF's text layer can join two header lines; a value that only looks like a label stays.
    #[test]
    fn header_lines_joined_on_one_line_are_told_apart() {
        let doc = header_then_overview(&[
            "Name of Person conducting the Quality Assurance: Ann Lee Position/Role of Person conducting the Quality Assurance: Head of School____",
            "Name of Person whose CPOMS recording is being Quality Assured: Mr Carl Dyson Position/Role of Person in School/Setting: DSL",
            "Name of External Auditor: n/a",
            "Name of school: Date Park Primary",
        ]);
        let r = extract(&doc, Format::Pdf, "x.pdf");
        assert_eq!(r.header.reviewer.as_deref(), Some("Ann Lee"));
        assert_eq!(r.header.reviewer_role.as_deref(), Some("Head of School"));
        assert_eq!(r.header.subject.as_deref(), Some("Mr Carl Dyson"));
        assert_eq!(r.header.subject_role.as_deref(), Some("DSL"));
        assert_eq!(r.header.school.as_deref(), Some("Date Park Primary"));
    }

    #[test]
    fn a_document_with_no_form_fails_with_the_reason() {
        let doc = doc_of(&["Dear parents,", "The school trip is on Friday."]);
        let r = extract(&doc, Format::Docx, "letter.docx");
        assert_eq!(r.status, Status::Failed);
        assert_eq!(r.errors, vec![NOT_THE_FORM.to_string()]);
    }
}
