//! Questions: per question id and wording, the share of YES / NO / both / blank across each
//! school's latest return, worst (most NO or blank) first.

use rust_xlsxwriter::{ConditionalFormatDataBar, Worksheet, XlsxError};

use super::Ctx;
use crate::catalogue;
use crate::summarise::workbook::{write_table, Cell, Column};

pub const HEADER_ROW: u32 = 1;

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let counted = ctx.latest().count();
    ws.write_string_with_format(
        0,
        0,
        format!("Answers across each school's latest return ({counted} returns), most often NO or blank first"),
        &f.subtitle,
    )?;
    let cols = vec![
        Column::new("Id", 6.0),
        Column::wrapped("Section", 18.0),
        Column::wrapped("Question", 60.0),
        Column::wrapped("Returns", 8.0),
        Column::new("YES", 6.0),
        Column::new("NO", 6.0),
        Column::new("Both", 6.0),
        Column::new("Blank", 7.0),
        Column::wrapped("Rating only", 8.0),
        Column::wrapped("% YES", 8.0),
        Column::wrapped("% NO", 8.0),
        Column::wrapped("% both", 8.0),
        Column::wrapped("% blank", 8.0),
        Column::wrapped("% NO or blank", 10.0),
    ];
    let mut rows = Vec::new();
    for s in &ctx.questions {
        let total = s.total().max(1) as f64;
        let section = catalogue::section(s.question.section).map(|sec| format!("{} {}", sec.number, sec.title)).unwrap_or_default();
        rows.push(vec![
            Cell::text(s.question.id),
            Cell::text(section),
            Cell::text(s.question.wording),
            Cell::num(s.total() as f64),
            Cell::num(s.yes as f64),
            Cell::num(s.no as f64),
            Cell::num(s.both as f64),
            Cell::num(s.blank as f64),
            Cell::num(s.rated as f64),
            Cell::num(s.yes as f64 / total),
            Cell::num(s.no as f64 / total),
            Cell::num(s.both as f64 / total),
            Cell::num(s.blank as f64 / total),
            Cell::num(s.no_or_blank() as f64 / total),
        ]);
    }
    let last = write_table(ws, HEADER_ROW, &cols, &rows, 1, f)?;
    for r in 0..rows.len() as u32 {
        for c in 9..=13u16 {
            if let Some(Cell::Num(v)) = rows.get(r as usize).and_then(|row| row.get(c as usize)) {
                ws.write_number_with_format(HEADER_ROW + 1 + r, c, *v, &f.percent)?;
            }
        }
    }
    if !rows.is_empty() {
        let bar = ConditionalFormatDataBar::new()
            .set_fill_color(rust_xlsxwriter::Color::RGB(0xE06666))
            .set_minimum(rust_xlsxwriter::ConditionalFormatType::Number, 0)
            .set_maximum(rust_xlsxwriter::ConditionalFormatType::Number, 1);
        ws.add_conditional_format(HEADER_ROW + 1, 13, last, 13, &bar)?;
    }
    Ok(())
}
