//! History: schools with several returns in the pile, every return in date order, so the trend
//! and the carried-over actions can be read at a glance.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::Ctx;
use crate::summarise::status::{ActionStatus, ReturnView};
use crate::summarise::workbook::{write_table, Cell, Column};

pub const HEADER_ROW: u32 = 0;

/// True when some school has more than one return.
pub fn needed(ctx: &Ctx) -> bool {
    ctx.analysis.returns.iter().any(|r| !r.history.is_empty())
}

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let cols = vec![
        Column::wrapped("School", 28.0),
        Column::date("Form date"),
        Column::new("Return", 9.0),
        Column::wrapped("Overall standard", 10.0),
        Column::wrapped("Rating 3.3", 8.0),
        Column::wrapped("Rating 4.2", 8.0),
        Column::date("Review date"),
        Column::wrapped("Review status", 9.0),
        Column::new("Actions", 8.0),
        Column::wrapped("Actions carried over to a later return", 14.0),
        Column::wrapped("Source file", 40.0),
    ];
    let mut list: Vec<&ReturnView> = ctx.analysis.returns.iter().filter(|r| !r.history.is_empty()).collect();
    list.sort_by_cached_key(|r| (r.school.to_lowercase(), r.form_date));
    // Built one at a time as they are written.
    let rows = list.iter().map(|r| {
        vec![
            Cell::text(r.school.clone()),
            Cell::opt_date(r.form_date),
            Cell::text(if r.latest { "latest" } else { "earlier" }),
            Cell::opt_num(r.record.overall_standard),
            Cell::opt_num(r.rating("3.3")),
            Cell::opt_num(r.rating("4.2")),
            Cell::opt_date(r.review_date),
            Cell::text(r.review_status.label()),
            Cell::num(r.actions.len() as f64),
            Cell::num(r.actions.iter().filter(|a| a.status == ActionStatus::CarriedOver).count() as f64),
            Cell::text(r.record.source.clone()),
        ]
    });
    write_table(ws, HEADER_ROW, &cols, rows, 1, f)?;
    Ok(())
}
