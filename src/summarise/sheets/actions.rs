//! Actions: one row per action, with the timescale as written beside the due date it resolves to
//! and the status against `--as-of`; overdue first.

use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatFormula, Worksheet, XlsxError};

use super::Ctx;
use crate::dates;
use crate::summarise::previous;
use crate::summarise::status::{ActionStatus, ActionView, ReturnView};
use crate::summarise::terms::DueSource;
use crate::summarise::workbook::{col_name, write_legend, write_table, Cell, Column};

pub const HEADER_ROW: u32 = 1;

fn carried_text(r: &ReturnView, a: &ActionView) -> String {
    if let Some(d) = a.carried_from {
        return format!("yes: also on the return of {}", dates::uk(d));
    }
    match a.status {
        ActionStatus::CarriedOver => match a.repeated_in {
            Some(d) => format!("repeated on the later return of {}", dates::uk(d)),
            None => "repeated on a later return".into(),
        },
        ActionStatus::Superseded => "not repeated on the later return".into(),
        _ if !r.latest => "earlier return".into(),
        _ => String::new(),
    }
}

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let mut cols = vec![
        Column::wrapped("School", 28.0),
        Column::date("Form date"),
        Column::wrapped("Action", 50.0),
        Column::wrapped("By whom", 18.0),
        Column::wrapped("Timescale (as written)", 18.0),
        Column::date("Due date"),
        Column::wrapped("Due date from", 13.0),
        Column::wrapped("Status", 12.0),
        Column::new("Return", 9.0),
        Column::wrapped("Carried over", 24.0),
    ];
    if ctx.opts.previous.is_some() {
        cols.push(Column::wrapped("Open on last term's summary", 12.0));
    }
    cols.push(Column::wrapped("Source file", 40.0));

    let mut items: Vec<(&ReturnView, &ActionView)> =
        ctx.analysis.returns.iter().flat_map(|r| r.actions.iter().map(move |a| (r, a))).collect();
    // Keys made once per action (a school's name lower-cased once, not at every comparison).
    items.sort_by_cached_key(|(r, a)| (a.status, a.due, r.school.to_lowercase(), r.form_date));
    // Rows built one at a time as they are written: the sheet never holds every action's cells.
    let rows = items.iter().map(|&(r, a)| {
        let from = match a.due_source {
            Some(DueSource::Record) => "the timescale",
            Some(DueSource::Terms) => "term dates",
            None => "",
        };
        let mut row = vec![
            Cell::text(r.school.clone()),
            Cell::opt_date(r.form_date),
            Cell::text(a.action.action.clone()),
            Cell::opt_text(a.action.by_whom.as_deref()),
            Cell::opt_text(a.action.timescale.as_deref()),
            Cell::opt_date(a.due),
            Cell::text(from),
            Cell::text(a.status.label()),
            Cell::text(if r.latest { "latest" } else { "earlier" }),
            Cell::text(carried_text(r, a)),
        ];
        if let Some(prev) = &ctx.opts.previous {
            let open_before = r.latest
                && prev.school(&r.school).is_some_and(|p| previous::was_open_last_term(p, &a.action.action));
            row.push(Cell::text(if open_before { "yes" } else { "" }));
        }
        row.push(Cell::text(r.record.source.clone()));
        row
    });
    write_legend(
        ws,
        0,
        &[("overdue", &f.red_bold), ("due within 4 weeks", &f.amber), ("later", &f.green), ("no date: ongoing, termly or unclear", &f.plain)],
        f,
    )?;
    let last = write_table(ws, HEADER_ROW, &cols, rows, 1, f)?;
    if items.is_empty() {
        return Ok(());
    }
    let first = HEADER_ROW + 1;
    let status_col = 7u16;
    let due_col = 5u16;
    let rule = |text: &str, fmt| ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::EqualTo(text)).set_format(fmt);
    ws.add_conditional_format(first, status_col, last, status_col, &rule("overdue", &f.red_bold))?;
    ws.add_conditional_format(first, status_col, last, status_col, &rule("due within 4 weeks", &f.amber))?;
    ws.add_conditional_format(first, status_col, last, status_col, &rule("later", &f.green))?;
    let s = format!("${}{}", col_name(status_col), first + 1);
    let due_rule = format!("={s}=\"overdue\"");
    ws.add_conditional_format(first, due_col, last, due_col, &ConditionalFormatFormula::new().set_rule(due_rule.as_str()).set_format(&f.red))?;
    let grey = format!("=${}{}=\"earlier\"", col_name(8), first + 1);
    let last_col = cols.len().saturating_sub(1) as u16;
    ws.add_conditional_format(first, 0, last, last_col, &ConditionalFormatFormula::new().set_rule(grey.as_str()).set_format(&f.grey))?;
    Ok(())
}
