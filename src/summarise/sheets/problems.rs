//! Problems: every file that failed, read with gaps or with warnings, and why, in plain words;
//! files passed over; returns whose school is not in the register.

use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule, Worksheet, XlsxError};

use super::Ctx;
use crate::record::Status;
use crate::summarise::workbook::{write_table, Cell, Column};

pub const HEADER_ROW: u32 = 0;

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let cols = vec![
        Column::wrapped("File", 45.0),
        Column::new("Status", 14.0),
        Column::new("Format", 8.0),
        Column::wrapped("School", 26.0),
        Column::wrapped("Problem", 60.0),
        Column::wrapped("Warnings", 60.0),
    ];
    let mut recs: Vec<_> = ctx.records.iter().filter(|r| r.status != Status::Ok || !r.warnings.is_empty() || !r.errors.is_empty()).collect();
    recs.sort_by(|a, b| (std::cmp::Reverse(a.status), &a.source).cmp(&(std::cmp::Reverse(b.status), &b.source)));
    let mut rows: Vec<Vec<Cell>> = recs
        .iter()
        .map(|r| {
            let problem = match r.status {
                Status::Failed if r.errors.is_empty() => "nothing usable could be read".to_string(),
                Status::Partial if r.errors.is_empty() => "read with gaps (see warnings)".to_string(),
                Status::Ok if r.errors.is_empty() => "read, with warnings to check".to_string(),
                _ => r.errors.join("\n"),
            };
            vec![
                Cell::text(r.source.clone()),
                Cell::text(r.status.as_str()),
                Cell::text(r.format.clone()),
                Cell::opt_text(r.header.school.as_deref()),
                Cell::text(problem),
                Cell::text(r.warnings.join("\n")),
            ]
        })
        .collect();
    for &i in &ctx.analysis.unmatched {
        let Some(r) = ctx.analysis.returns.get(i) else { continue };
        rows.push(vec![
            Cell::text(r.record.source.clone()),
            Cell::text("not in register"),
            Cell::text(r.record.format.clone()),
            Cell::opt_text(r.record.header.school.as_deref()),
            Cell::text("the school named on this return was not found in the schools register; check the spelling or add it to the register"),
            Cell::Blank,
        ]);
    }
    for (path, why) in &ctx.opts.skipped {
        rows.push(vec![
            Cell::text(path.clone()),
            Cell::text("skipped"),
            Cell::Blank,
            Cell::Blank,
            Cell::text(if why.starts_with('.') || why.starts_with("no extension") {
                format!("not read: {why}, not a form file")
            } else {
                format!("not read: {why}")
            }),
            Cell::Blank,
        ]);
    }
    if rows.is_empty() {
        rows.push(vec![Cell::text("(none: every file was read without problems)")]);
    }
    let last = write_table(ws, HEADER_ROW, &cols, &rows, 1, f)?;
    let rule = |text: &str, fmt| ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::EqualTo(text)).set_format(fmt);
    ws.add_conditional_format(HEADER_ROW + 1, 1, last.max(HEADER_ROW + 1), 1, &rule("failed", &f.red_bold))?;
    ws.add_conditional_format(HEADER_ROW + 1, 1, last.max(HEADER_ROW + 1), 1, &rule("partial", &f.amber))?;
    ws.add_conditional_format(HEADER_ROW + 1, 1, last.max(HEADER_ROW + 1), 1, &rule("not in register", &f.amber))?;
    Ok(())
}
