//! Comments: one row per question comment, for piles with more comments than the Answers sheet
//! carries as notes ([`super::NOTE_LIMIT`]); in the same return order as the Answers sheet.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::Ctx;
use crate::catalogue;
use crate::record::Answer;
use crate::summarise::workbook::{write_table, Cell, Column};

pub const HEADER_ROW: u32 = 0;

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let cols = vec![
        Column::wrapped("School", 28.0),
        Column::date("Form date"),
        Column::new("Return", 9.0),
        Column::new("Question", 9.0),
        Column::wrapped("Wording", 40.0),
        Column::new("Answer", 8.0),
        Column::wrapped("Comment", 90.0),
        Column::wrapped("Source file", 40.0),
    ];
    let order = ctx.school_order();
    let comments = order.iter().filter_map(|&i| ctx.analysis.returns.get(i)).flat_map(|r| {
        catalogue::QUESTIONS.iter().filter_map(move |q| {
            let qa = r.record.questions.get(q.id)?;
            let comment = qa.comment.as_deref()?;
            Some(vec![
                Cell::text(r.school.clone()),
                Cell::opt_date(r.form_date),
                Cell::text(if r.latest { "latest" } else { "earlier" }),
                Cell::text(q.id),
                Cell::text(q.wording),
                Cell::text(match qa.answer {
                    Some(Answer::Yes) => "YES",
                    Some(Answer::No) => "NO",
                    Some(Answer::Both) => "BOTH",
                    None => "",
                }),
                Cell::text(comment),
                Cell::text(r.record.source.clone()),
            ])
        })
    });
    write_table(ws, HEADER_ROW, &cols, comments, 1, &ctx.f)?;
    Ok(())
}
