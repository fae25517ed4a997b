//! The record as an Excel workbook laid out like the form's own spreadsheet edition: label/value
//! header cells, the overview questions with their answers, one block of
//! No | Question | YES | NO | Comments rows per section, then the standards, the action table,
//! the review and the sign-off. Dates are real Excel dates. Written with rust_xlsxwriter.

use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::catalogue::{self, Kind};
use crate::record::Record;

use super::{header_value, marks, signature_value, scale_parts, standards_wording, yes_no_word, WriteError};

/// Column of labels / row numbers, wording, YES (and values), NO, comments.
const LABEL: u16 = 0;
const WORDING: u16 = 1;
const VALUE: u16 = 2;
const NO: u16 = 3;
const COMMENT: u16 = 4;

/// How the YES/NO cells are marked (`convert` types "X"; the generator varies it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// "X" typed in the chosen cell.
    TypedX,
    /// "✓" typed in the chosen cell.
    Tick,
    /// "Y" typed in the chosen cell.
    TypedY,
    /// The chosen cell filled yellow, no text.
    Filled,
}

/// The record as the bytes of a .xlsx file.
pub fn to_bytes(record: &Record) -> Result<Vec<u8>, WriteError> {
    styled_bytes(record, Mark::TypedX, None)
}

/// The record as a .xlsx file with YES/NO marked as `mark`; with `created`, the file's creation
/// time is that day (so the same record gives the same bytes), else now.
pub fn styled_bytes(record: &Record, mark: Mark, created: Option<ExcelDateTime>) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    if let Some(created) = created {
        workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    }
    fill(&mut workbook, record, mark).map_err(build_error)?;
    workbook.save_to_buffer().map_err(build_error)
}

fn build_error(e: XlsxError) -> WriteError {
    WriteError::Build(e.to_string())
}

struct Formats {
    title: Format,
    bold: Format,
    wrap: Format,
    heading: Format,
    mark: Format,
    filled: Format,
    date: Format,
    number: Format,
}

fn formats() -> Formats {
    Formats {
        title: Format::new().set_bold().set_font_size(16),
        bold: Format::new().set_bold(),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        heading: Format::new().set_bold().set_border(rust_xlsxwriter::FormatBorder::Thin),
        mark: Format::new().set_align(FormatAlign::Center).set_border(rust_xlsxwriter::FormatBorder::Thin),
        filled: Format::new()
            .set_border(rust_xlsxwriter::FormatBorder::Thin)
            .set_background_color(rust_xlsxwriter::Color::Yellow)
            .set_pattern(rust_xlsxwriter::FormatPattern::Solid),
        date: Format::new().set_num_format("dd/mm/yyyy").set_align(FormatAlign::Left),
        number: Format::new().set_align(FormatAlign::Left),
    }
}

/// The whole form on one sheet.
pub fn fill(workbook: &mut Workbook, record: &Record, mark: Mark) -> Result<(), XlsxError> {
    let f = formats();
    let ws = workbook.add_worksheet();
    ws.set_name("QA")?;
    ws.set_column_width(LABEL, 14)?;
    ws.set_column_width(WORDING, 60)?;
    ws.set_column_width(VALUE, 14)?;
    ws.set_column_width(NO, 8)?;
    ws.set_column_width(COMMENT, 50)?;
    // Printed, the form fits the page width.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);

    let mut row: u32 = 0;
    ws.write_string_with_format(row, LABEL, catalogue::TITLE, &f.title)?;
    row += 2;

    for field in catalogue::HEADER {
        ws.write_string_with_format(row, LABEL, format!("{}:", field.wording), &f.bold)?;
        match header_value(record, field.id) {
            Some(value) if field.id == "date" => write_date(ws, row, VALUE, &value, &f)?,
            Some(value) => {
                ws.write_string(row, VALUE, value)?;
            }
            None => {}
        }
        row += 1;
    }
    row += 1;

    ws.write_string_with_format(row, LABEL, catalogue::OVERVIEW_TITLE, &f.bold)?;
    row += 1;
    for field in catalogue::OVERVIEW {
        ws.write_string(row, LABEL, field.wording)?;
        if let Some(Some(text)) = record.overview.get(field.id) {
            ws.write_string_with_format(row, VALUE, text, &f.wrap)?;
        }
        row += 1;
    }
    row += 2;

    for section in catalogue::SECTIONS {
        ws.write_string_with_format(row, LABEL, "", &f.heading)?;
        ws.write_string_with_format(row, WORDING, section.title, &f.heading)?;
        for (i, heading) in catalogue::ANSWER_COLUMNS.iter().enumerate() {
            ws.write_string_with_format(row, VALUE + i as u16, *heading, &f.heading)?;
        }
        row += 1;
        for question in catalogue::QUESTIONS.iter().filter(|q| q.section == section.number) {
            let answer = record.questions.get(question.id);
            // Row numbers as text, so "9.10" never becomes the number 9.1.
            ws.write_string_with_format(row, LABEL, question.id, &f.mark)?;
            if question.kind == Kind::Rating {
                let rating = answer.and_then(|a| a.rating).flatten();
                let (before, mark, after) = scale_parts(rating);
                let plain = Format::new().set_text_wrap();
                let bold = Format::new().set_text_wrap().set_bold();
                let head = format!("{}\n{before}", question.wording);
                let tail = format!("{after}\n{}\n{}", catalogue::SCALE_KEY[0], catalogue::SCALE_KEY[1]);
                let mut parts: Vec<(&Format, &str)> = vec![(&plain, head.as_str())];
                if let Some(mark) = mark.as_deref() {
                    parts.push((&bold, mark));
                }
                parts.push((&plain, tail.as_str()));
                ws.write_rich_string(row, WORDING, &parts)?;
            } else {
                ws.write_string_with_format(row, WORDING, question.wording, &f.wrap)?;
            }
            let (yes, no) = marks(answer.and_then(|a| a.answer));
            for (col, marked) in [(VALUE, yes), (NO, no)] {
                match (mark, marked) {
                    (_, false) => ws.write_string_with_format(row, col, "", &f.mark)?,
                    (Mark::TypedX, true) => ws.write_string_with_format(row, col, "X", &f.mark)?,
                    (Mark::Tick, true) => ws.write_string_with_format(row, col, "✓", &f.mark)?,
                    (Mark::TypedY, true) => ws.write_string_with_format(row, col, "Y", &f.mark)?,
                    (Mark::Filled, true) => ws.write_blank(row, col, &f.filled)?,
                };
            }
            match answer.and_then(|a| a.comment.as_deref()) {
                Some(comment) => ws.write_string_with_format(row, COMMENT, comment, &f.wrap)?,
                None => ws.write_string_with_format(row, COMMENT, "", &f.wrap)?,
            };
            row += 1;
        }
        row += 2;
    }

    ws.write_string_with_format(row, LABEL, catalogue::STANDARDS_TITLE, &f.bold)?;
    row += 1;
    let overall = format!(
        "{} ({}, {})",
        standards_wording("overall_standard"),
        catalogue::SCALE_KEY[0],
        catalogue::SCALE_KEY[1]
    );
    ws.write_string(row, LABEL, overall)?;
    if let Some(n) = record.overall_standard {
        ws.write_number_with_format(row, VALUE, n, &f.number)?;
    }
    row += 2;
    ws.write_string(row, LABEL, format!("{} {}", standards_wording("actions_required"), catalogue::YES_NO_CHOICE))?;
    if let Some(word) = yes_no_word(record.actions_required) {
        ws.write_string(row, VALUE, word)?;
    }
    row += 2;

    // The action table: ACTION REQUIRED in A, BY WHOM in C, TIMESCALE in E, as on the form.
    let action_cols = [LABEL, VALUE, COMMENT];
    for (heading, col) in catalogue::ACTION_COLUMNS.iter().zip(action_cols) {
        ws.write_string_with_format(row, col, *heading, &f.heading)?;
    }
    row += 1;
    for action in &record.actions {
        let values = [Some(action.action.as_str()), action.by_whom.as_deref(), action.timescale.as_deref()];
        for (value, col) in values.iter().zip(action_cols) {
            if let Some(v) = value {
                ws.write_string_with_format(row, col, *v, &f.wrap)?;
            }
        }
        row += 1;
    }
    row += catalogue::PRINTED_ACTION_ROWS.saturating_sub(record.actions.len()) as u32;
    row += 1;

    ws.write_string(row, LABEL, format!("{} {}", standards_wording("review_required"), catalogue::YES_NO_CHOICE))?;
    if let Some(word) = yes_no_word(record.review_required) {
        ws.write_string(row, VALUE, word)?;
    }
    row += 1;
    ws.write_string(row, LABEL, standards_wording("review_date"))?;
    if let Some(date) = record.review_date.as_deref() {
        write_date(ws, row, VALUE, date, &f)?;
    }
    row += 2;

    for field in catalogue::SIGNATURES {
        let value = signature_value(record, field.id);
        if field.id == "date" {
            ws.write_string(row, LABEL, field.wording)?;
            if let Some(date) = value {
                write_date(ws, row, VALUE, &date, &f)?;
            }
        } else {
            ws.write_string(row, LABEL, format!("{} ({})", catalogue::SIGNED, field.wording))?;
            if let Some(name) = value {
                ws.write_string(row, VALUE, name)?;
            }
        }
        row += 1;
    }
    row += 1;
    if let Some(edition) = record.form_version.as_deref() {
        ws.write_string(row, LABEL, edition)?;
    }
    Ok(())
}

/// An ISO date as a real Excel date shown day first; text that is not a date stays text.
fn write_date(ws: &mut Worksheet, row: u32, col: u16, iso: &str, f: &Formats) -> Result<(), XlsxError> {
    let excel = crate::dates::parse_iso(iso).and_then(|d| {
        let year = u16::try_from(d.year()).ok()?;
        ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
    });
    match excel {
        Some(dt) => ws.write_datetime_with_format(row, col, &dt, &f.date)?,
        None => ws.write_string(row, col, iso)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Answer;
    use std::io::Read;

    #[test]
    fn writes_a_workbook_with_real_dates_and_marks() {
        let mut r = Record::empty("x.xlsx", "xlsx");
        r.header.date = Some("2024-10-24".into());
        r.header.school = Some("Old Mill & Co".into());
        if let Some(q) = r.questions.get_mut("9.10") {
            q.answer = Some(Answer::No);
        }
        if let Some(q) = r.questions.get_mut("4.2") {
            q.rating = Some(Some(5));
        }
        let bytes = to_bytes(&r).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut sheet).unwrap();
        let mut strings = String::new();
        zip.by_name("xl/sharedStrings.xml").unwrap().read_to_string(&mut strings).unwrap();
        // 24/10/2024 is Excel serial 45589.
        assert!(sheet.contains("<v>45589</v>"), "header date is a real date");
        assert!(strings.contains("Old Mill &amp; Co"));
        assert!(strings.contains(">9.10<"));
        assert!(strings.contains(">(5)<"));
    }
}
