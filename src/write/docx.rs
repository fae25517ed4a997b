//! The record as a Word document: a clean copy of the July 2019 form with the answers filled in
//! the plainest way (typed "X" in the YES/NO cells, the chosen rating as a bold "(n)", values
//! after their labels), written with docx-rs.

use docx_rs::{AlignmentType, Docx, Footer, Paragraph, Run, Table, TableCell, TableRow, WidthType};

use crate::catalogue::{self, Kind};
use crate::record::Record;

use super::{header_value, marks, scale_parts, signature_value, standards_wording, uk_date, yes_no_word, WriteError};

/// Column widths (twentieths of a point) of a section table: number, wording, YES, NO, comments.
const GRID: [usize; 5] = [700, 4700, 700, 700, 3200];
/// Column widths of the action table.
const ACTION_GRID: [usize; 3] = [5000, 2500, 2500];
/// What an untouched header line shows after its label.
const BLANK_LINE: &str = "_____________________";
/// What an untouched sign-off line shows.
const BLANK_DOTS: &str = "………………………………….";

/// The record as the bytes of a .docx file.
pub fn to_bytes(record: &Record) -> Result<Vec<u8>, WriteError> {
    let doc = build(record);
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).map_err(|e| WriteError::Build(e.to_string()))?;
    Ok(buf.into_inner())
}

/// The document, before packing.
pub fn build(record: &Record) -> Docx {
    let mut doc = Docx::new();
    doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(catalogue::TITLE).bold().size(32)));
    doc = doc.add_paragraph(Paragraph::new());

    // Header: "Label: value", one line each.
    for field in catalogue::HEADER {
        // A header value is one line on the form; dates are written day first.
        let value = header_value(record, field.id)
            .map(|v| if field.id == "date" { uk_date(&v) } else { v.replace('\n', " ") });
        doc = doc.add_paragraph(label_value(field.wording, value.as_deref()));
    }
    doc = doc.add_paragraph(Paragraph::new());

    // Overview: each question in bold, its answer in the paragraphs after it.
    doc = doc.add_paragraph(bold_line(catalogue::OVERVIEW_TITLE));
    for field in catalogue::OVERVIEW {
        doc = doc.add_paragraph(bold_line(field.wording));
        match record.overview.get(field.id).and_then(|v| v.as_deref()) {
            Some(text) => {
                for line in text.split('\n') {
                    doc = doc.add_paragraph(plain_line(line));
                }
            }
            None => doc = doc.add_paragraph(Paragraph::new()),
        }
    }
    doc = doc.add_paragraph(Paragraph::new());

    // The nine section tables.
    for section in catalogue::SECTIONS {
        doc = doc.add_table(section_table(record, section));
        doc = doc.add_paragraph(Paragraph::new());
    }

    // Standards and actions.
    doc = doc.add_paragraph(bold_line(catalogue::STANDARDS_TITLE));
    doc = doc.add_paragraph(bold_line(standards_wording("overall_standard")));
    doc = doc.add_paragraph(scale_paragraph(record.overall_standard));
    for key in catalogue::SCALE_KEY {
        doc = doc.add_paragraph(plain_line(key));
    }
    doc = doc.add_paragraph(Paragraph::new());
    doc = doc.add_paragraph(yes_no_paragraph(standards_wording("actions_required"), record.actions_required));
    doc = doc.add_paragraph(Paragraph::new());
    doc = doc.add_table(action_table(record));
    doc = doc.add_paragraph(Paragraph::new());

    // Review.
    doc = doc.add_paragraph(yes_no_paragraph(standards_wording("review_required"), record.review_required));
    let review_date = record.review_date.as_deref().map(uk_date);
    doc = doc.add_paragraph(match review_date {
        Some(date) => Paragraph::new().add_run(Run::new().add_text(format!("{}: {date}", standards_wording("review_date")))),
        None => plain_line(&format!("{}{BLANK_DOTS}", standards_wording("review_date"))),
    });
    doc = doc.add_paragraph(Paragraph::new());

    // Sign-off: "Signed <name> (role)", then the date.
    for field in catalogue::SIGNATURES {
        let value = signature_value(record, field.id);
        let line = if field.id == "date" {
            match value {
                Some(date) => format!("{}: {}", field.wording, uk_date(&date)),
                None => format!("{}{BLANK_DOTS}", field.wording),
            }
        } else {
            match value {
                Some(name) => format!("{} {name} ({})", catalogue::SIGNED, field.wording),
                None => format!("{}{BLANK_DOTS} ({})", catalogue::SIGNED, field.wording),
            }
        };
        doc = doc.add_paragraph(plain_line(&line));
        doc = doc.add_paragraph(Paragraph::new());
    }

    if let Some(edition) = record.form_version.as_deref() {
        doc = doc.footer(Footer::new().add_paragraph(plain_line(edition)));
    }
    doc
}

fn section_table(record: &Record, section: &catalogue::Section) -> Table {
    let mut rows = Vec::new();
    let mut header = vec![cell(&GRID[..2], vec![bold_line(section.title)])];
    for (i, heading) in catalogue::ANSWER_COLUMNS.iter().enumerate() {
        header.push(cell(&GRID[2 + i..3 + i], vec![bold_line(heading)]));
    }
    rows.push(TableRow::new(header));

    for question in catalogue::QUESTIONS.iter().filter(|q| q.section == section.number) {
        let answer = record.questions.get(question.id);
        let (yes, no) = marks(answer.and_then(|a| a.answer));
        let mut wording = vec![plain_line(question.wording)];
        if question.kind == Kind::Rating {
            let rating = answer.and_then(|a| a.rating).flatten();
            wording.push(scale_paragraph(rating));
            for key in catalogue::SCALE_KEY {
                wording.push(plain_line(key));
            }
        }
        let comment = answer.and_then(|a| a.comment.as_deref());
        rows.push(TableRow::new(vec![
            cell(&GRID[0..1], vec![plain_line(question.id)]),
            cell(&GRID[1..2], wording),
            cell(&GRID[2..3], vec![mark_paragraph(yes)]),
            cell(&GRID[3..4], vec![mark_paragraph(no)]),
            cell(&GRID[4..5], text_paragraphs(comment)),
        ]));
    }
    Table::new(rows).set_grid(GRID.to_vec())
}

fn action_table(record: &Record) -> Table {
    let mut rows = vec![TableRow::new(
        catalogue::ACTION_COLUMNS
            .iter()
            .zip(ACTION_GRID.iter())
            .map(|(heading, w)| cell(std::slice::from_ref(w), vec![bold_line(heading)]))
            .collect(),
    )];
    for action in &record.actions {
        let values = [Some(action.action.as_str()), action.by_whom.as_deref(), action.timescale.as_deref()];
        rows.push(TableRow::new(
            values
                .iter()
                .zip(ACTION_GRID.iter())
                .map(|(v, w)| cell(std::slice::from_ref(w), text_paragraphs(*v)))
                .collect(),
        ));
    }
    // The form prints five rows; keep at least that many so the copy looks like the form.
    for _ in record.actions.len()..catalogue::PRINTED_ACTION_ROWS {
        rows.push(TableRow::new(
            ACTION_GRID.iter().map(|w| cell(std::slice::from_ref(w), vec![Paragraph::new()])).collect(),
        ));
    }
    Table::new(rows).set_grid(ACTION_GRID.to_vec())
}

/// A table cell spanning the grid columns whose widths are given.
fn cell(widths: &[usize], paragraphs: Vec<Paragraph>) -> TableCell {
    let mut c = TableCell::new().width(widths.iter().sum(), WidthType::Dxa);
    if widths.len() > 1 {
        c = c.grid_span(widths.len());
    }
    if paragraphs.is_empty() {
        return c.add_paragraph(Paragraph::new());
    }
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c
}

fn plain_line(text: &str) -> Paragraph {
    if text.is_empty() {
        return Paragraph::new();
    }
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn bold_line(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).bold())
}

/// A cell's text, one paragraph per line ("\n" in the record).
fn text_paragraphs(text: Option<&str>) -> Vec<Paragraph> {
    match text {
        Some(t) => t.split('\n').map(plain_line).collect(),
        None => vec![Paragraph::new()],
    }
}

fn mark_paragraph(marked: bool) -> Paragraph {
    let p = Paragraph::new().align(AlignmentType::Center);
    if marked {
        p.add_run(Run::new().add_text("X"))
    } else {
        p
    }
}

/// "1     2     (3)     4     5" with the chosen number bracketed and bold.
fn scale_paragraph(chosen: Option<u8>) -> Paragraph {
    let (before, mark, after) = scale_parts(chosen);
    let mut p = Paragraph::new();
    if !before.is_empty() {
        p = p.add_run(Run::new().add_text(before));
    }
    if let Some(mark) = mark {
        p = p.add_run(Run::new().add_text(mark).bold());
    }
    if !after.is_empty() {
        p = p.add_run(Run::new().add_text(after));
    }
    p
}

/// "Question? Yes" / "Question? No", or the printed "Question? Y/N" when unanswered.
fn yes_no_paragraph(question: &str, value: Option<bool>) -> Paragraph {
    let answer = yes_no_word(value).unwrap_or(catalogue::YES_NO_CHOICE);
    Paragraph::new().add_run(Run::new().add_text(question).bold()).add_run(Run::new().add_text(format!(" {answer}")))
}

/// "Label: value", or the label and a blank line when there is no value.
fn label_value(label: &str, value: Option<&str>) -> Paragraph {
    match value {
        Some(v) => Paragraph::new().add_run(Run::new().add_text(format!("{label}: {v}"))),
        None => Paragraph::new().add_run(Run::new().add_text(format!("{label}:{BLANK_LINE}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Action, Answer};
    use std::io::Read;

    fn document_xml(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        xml
    }

    #[test]
    fn writes_answers_ratings_and_escapes_text() {
        let mut r = Record::empty("x.docx", "docx");
        r.header.school = Some("St Mary & St John <Primary>".into());
        r.header.date = Some("2024-10-24".into());
        if let Some(q) = r.questions.get_mut("1.4") {
            q.answer = Some(Answer::Yes);
            q.comment = Some("line one\nline two".into());
        }
        if let Some(q) = r.questions.get_mut("3.3") {
            q.rating = Some(Some(4));
        }
        r.overall_standard = Some(2);
        r.actions_required = Some(true);
        r.actions.push(Action { action: "Scan files".into(), by_whom: None, timescale: Some("2 weeks".into()), due: None });
        r.form_version = Some("July 2019".into());
        let bytes = to_bytes(&r).unwrap();
        let xml = document_xml(&bytes);
        assert!(xml.contains("Name of school: St Mary &amp; St John &lt;Primary&gt;"));
        assert!(xml.contains("Date: 24/10/2024"));
        assert!(xml.contains(">line two<"));
        assert!(xml.contains(">(4)<"));
        assert!(xml.contains(">(2)<"));
        assert!(xml.contains(">Scan files<"));
        assert!(xml.contains("Actions required?"));
        assert!(xml.contains(" Yes<"));
        for section in catalogue::SECTIONS {
            assert!(xml.contains(section.title), "{}", section.title);
        }
    }
}
