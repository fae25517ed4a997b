//! Answers: one row per return, one column per question id (the wording in the heading's note),
//! YES / NO / BOTH / blank with the comment as the cell's note; NO red and blank amber by
//! conditional formatting.

use rust_xlsxwriter::{ConditionalFormatBlank, ConditionalFormatCell, ConditionalFormatCellRule, Note, Worksheet, XlsxError};

use super::Ctx;
use crate::catalogue;
use crate::record::Answer;
use crate::summarise::workbook::{write_legend_spanning, write_table, Cell, Column};

pub const HEADER_ROW: u32 = 1;
/// The first question column.
pub const FIRST_QUESTION_COL: u16 = 3;

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let mut cols = vec![Column::wrapped("School", 28.0), Column::date("Form date"), Column::new("Return", 9.0)];
    for q in catalogue::QUESTIONS {
        let mut c = Column::new(q.id, 6.5);
        c.note = Some(format!("{}: {}", q.id, q.wording));
        cols.push(c);
    }
    cols.push(Column::wrapped("Source file", 40.0));
    let order = ctx.school_order();
    let mut notes: Vec<(u32, u16, String)> = Vec::new();
    // Rows are built as they are written (a pile of 10,000 returns never has its sheet in memory).
    let mut excel_row = HEADER_ROW;
    let rows = order.iter().filter_map(|&i| ctx.analysis.returns.get(i)).map(|r| {
        excel_row += 1;
        let mut row = vec![Cell::text(r.school.clone()), Cell::opt_date(r.form_date), Cell::text(if r.latest { "latest" } else { "earlier" })];
        for (k, q) in catalogue::QUESTIONS.iter().enumerate() {
            let qa = r.record.questions.get(q.id);
            let answer = match qa.and_then(|a| a.answer) {
                Some(Answer::Yes) => "YES",
                Some(Answer::No) => "NO",
                Some(Answer::Both) => "BOTH",
                None => "",
            };
            let text = match qa.and_then(|a| a.rating.flatten()) {
                Some(rating) if answer.is_empty() => format!("R{rating}"),
                Some(rating) => format!("{answer} R{rating}"),
                None => answer.to_string(),
            };
            row.push(Cell::text(text));
            if let Some(comment) = qa.and_then(|a| a.comment.as_deref()).filter(|_| ctx.comments_as_notes) {
                notes.push((excel_row, FIRST_QUESTION_COL + k as u16, comment.to_string()));
            }
        }
        row.push(Cell::text(r.record.source.clone()));
        row
    });
    // Each item across five columns (the question columns are too narrow for one).
    write_legend_spanning(
        ws,
        0,
        &[("YES", &f.green), ("NO", &f.red), ("blank (not answered) or BOTH marked", &f.amber), ("R1..R5: rating (rows 3.3, 4.2)", &f.plain), (if ctx.comments_as_notes { "a red corner: the comment, as a note" } else { "comments: on the Comments sheet (too many for notes)" }, &f.plain)],
        5,
        f,
    )?;
    let last = write_table(ws, HEADER_ROW, &cols, rows, 1, f)?;
    for (r, c, text) in notes {
        let text: String = text.chars().take(2000).collect();
        ws.insert_note(r, c, &Note::new(text).add_author_prefix(false).set_width(320).set_height(140))?;
    }
    if last == HEADER_ROW {
        return Ok(());
    }
    let first = HEADER_ROW + 1;
    let last_q = FIRST_QUESTION_COL + catalogue::QUESTIONS.len() as u16 - 1;
    let rule = |text: &str, fmt| ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::EqualTo(text)).set_format(fmt);
    ws.add_conditional_format(first, FIRST_QUESTION_COL, last, last_q, &rule("NO", &f.red))?;
    ws.add_conditional_format(first, FIRST_QUESTION_COL, last, last_q, &rule("BOTH", &f.amber))?;
    ws.add_conditional_format(first, FIRST_QUESTION_COL, last, last_q, &ConditionalFormatBlank::new().set_format(&f.amber))?;
    ws.add_conditional_format(first, FIRST_QUESTION_COL, last, last_q, &rule("YES", &f.green))?;
    Ok(())
}
