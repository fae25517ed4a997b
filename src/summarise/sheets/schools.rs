//! Schools: one row per return; each school's latest return first, with overdue reviews and poor
//! standards at the top and RAG by conditional formatting; grouped with subtotals under
//! `--group-by`; term-on-term changes under `--previous`.

use rust_xlsxwriter::{ConditionalFormatFormula, Worksheet, XlsxError};

use super::Ctx;
use crate::dates;
use crate::summarise::previous::{self, PreviousSchool};
use crate::summarise::status::{ReturnView, ReviewStatus};
use crate::summarise::workbook::{col_name, write_legend, write_table_with_row_formats, Cell, Column};

/// The heading row (row 0 holds the legend).
pub const HEADER_ROW: u32 = 1;

fn columns(ctx: &Ctx) -> Vec<Column> {
    let mut cols = Vec::new();
    if let Some(g) = &ctx.opts.group_by {
        cols.push(Column::wrapped(title_case(g), 20.0));
    }
    cols.extend([
        Column::wrapped("School", 34.0),
        Column::wrapped("Flags", 27.0),
        Column::date("Form date"),
        Column::wrapped("Reviewer", 22.0),
        Column::wrapped("Person quality assured", 22.0),
        Column::wrapped("Overall standard", 10.0),
        Column::wrapped("Rating 3.3", 8.0),
        Column::wrapped("Rating 4.2", 8.0),
        Column::new("YES", 6.0),
        Column::new("NO", 6.0),
        Column::new("Both", 6.0),
        Column::new("Blank", 7.0),
        Column::wrapped("Actions", 8.0),
        Column::wrapped("Overdue actions", 9.0),
        Column::wrapped("Review required", 9.0),
        Column::date("Review date"),
        Column::wrapped("Review status", 9.0),
        Column::new("Return", 9.0),
        Column::wrapped("Other returns (history)", 26.0),
        Column::new("CP", 6.0),
        Column::new("CIN", 6.0),
        Column::new("LAC", 6.0),
        Column::new("EH", 6.0),
        Column::new("Read", 8.0),
    ]);
    if let Some(reg) = &ctx.opts.register {
        for c in &reg.columns {
            cols.push(Column::wrapped(format!("Register: {c}"), 16.0));
        }
    }
    if ctx.opts.previous.is_some() {
        cols.extend([
            Column::wrapped("Standard last term", 10.0),
            Column::wrapped("Standard change", 10.0),
            Column::wrapped("3.3 change", 8.0),
            Column::wrapped("4.2 change", 8.0),
            Column::wrapped("Trend", 10.0),
            Column::wrapped("CP change", 8.0),
            Column::wrapped("CIN change", 8.0),
            Column::wrapped("LAC change", 8.0),
            Column::wrapped("EH change", 8.0),
            Column::wrapped("Actions open last term, still open", 14.0),
        ]);
    }
    cols.push(Column::wrapped("Source file", 40.0));
    cols
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn change(now: Option<u8>, before: Option<f64>) -> Option<f64> {
    Some(f64::from(now?) - before?)
}

fn count_change(now: Option<u32>, before: Option<f64>) -> Option<f64> {
    Some(f64::from(now?) - before?)
}

/// The school's previous-term figures, when `--previous` was given and the school was on it.
fn prev_for<'p>(ctx: &'p Ctx, r: &ReturnView) -> Option<&'p PreviousSchool> {
    ctx.opts.previous.as_ref()?.school(&r.school)
}

fn row_cells(ctx: &Ctx, r: &ReturnView) -> Vec<Cell> {
    let rec = r.record;
    let mut row = Vec::new();
    if ctx.opts.group_by.is_some() {
        row.push(Cell::opt_text(r.group.as_deref()));
    }
    let others: Vec<String> = r
        .history
        .iter()
        .filter_map(|&i| ctx.analysis.returns.get(i))
        .map(|o| {
            let date = o.form_date.map(dates::uk).unwrap_or_else(|| "undated".into());
            let std = o.record.overall_standard.map(|s| format!("standard {s}")).unwrap_or_else(|| "no standard".into());
            format!("{date}: {std}")
        })
        .collect();
    let mut flags = Vec::new();
    if r.latest && r.review_status == ReviewStatus::Overdue {
        flags.push("overdue review".to_string());
    }
    if r.latest && r.poor {
        flags.push("poor standard".to_string());
    }
    let overdue_actions = r.overdue_actions();
    if r.latest && overdue_actions > 0 {
        flags.push(format!("{overdue_actions} overdue action{}", if overdue_actions == 1 { "" } else { "s" }));
    }
    row.extend([
        Cell::text(r.school.clone()),
        Cell::text(flags.join("; ")),
        Cell::opt_date(r.form_date),
        Cell::opt_text(rec.header.reviewer.as_deref()),
        Cell::opt_text(rec.header.subject.as_deref()),
        Cell::opt_num(rec.overall_standard),
        Cell::opt_num(r.rating("3.3")),
        Cell::opt_num(r.rating("4.2")),
        Cell::num(r.yes as f64),
        Cell::num(r.no as f64),
        Cell::num(r.both as f64),
        Cell::num(r.blank as f64),
        Cell::num(r.actions.len() as f64),
        Cell::num(r.overdue_actions() as f64),
        Cell::yes_no(rec.review_required),
        Cell::opt_date(r.review_date),
        Cell::text(r.review_status.label()),
        Cell::text(if r.latest { "latest" } else { "earlier" }),
        Cell::text(others.join("\n")),
        Cell::opt_num(rec.case_counts.cp),
        Cell::opt_num(rec.case_counts.cin),
        Cell::opt_num(rec.case_counts.lac),
        Cell::opt_num(rec.case_counts.eh),
        Cell::text(rec.status.as_str()),
    ]);
    if let Some(reg) = &ctx.opts.register {
        for c in 0..reg.columns.len() {
            row.push(Cell::opt_text(r.register_row.and_then(|row| reg.cell(row, c))));
        }
    }
    if ctx.opts.previous.is_some() {
        let prev = if r.latest { prev_for(ctx, r) } else { None };
        match prev {
            Some(p) => {
                let d = change(rec.overall_standard, p.overall_standard);
                let d33 = change(r.rating("3.3"), p.rating_3_3);
                let d42 = change(r.rating("4.2"), p.rating_4_2);
                let trend = match d {
                    Some(x) if x < 0.0 => "improved",
                    Some(x) if x > 0.0 => "declined",
                    Some(_) => "same",
                    None => "",
                };
                let still_open = r
                    .actions
                    .iter()
                    .filter(|a| a.status.is_open() && previous::was_open_last_term(p, &a.action.action))
                    .count();
                row.extend([
                    Cell::opt_num(p.overall_standard),
                    Cell::opt_num(d),
                    Cell::opt_num(d33),
                    Cell::opt_num(d42),
                    Cell::text(trend),
                    Cell::opt_num(count_change(rec.case_counts.cp, p.cp)),
                    Cell::opt_num(count_change(rec.case_counts.cin, p.cin)),
                    Cell::opt_num(count_change(rec.case_counts.lac, p.lac)),
                    Cell::opt_num(count_change(rec.case_counts.eh, p.eh)),
                    Cell::num(still_open as f64),
                ]);
            }
            None => {
                row.extend(std::iter::repeat_n(Cell::Blank, 4));
                row.push(Cell::text(if r.latest { "new" } else { "" }));
                row.extend(std::iter::repeat_n(Cell::Blank, 5));
            }
        }
    }
    row.push(Cell::text(rec.source.clone()));
    row
}

/// Summed columns in subtotal rows (latest returns only, so a school is never counted twice).
const SUMMED: &[&str] = &["YES", "NO", "Both", "Blank", "Actions", "Overdue actions", "CP", "CIN", "LAC", "EH"];

/// A row of the Schools sheet, planned before any is built: rows are built one at a time as they
/// are written, so the sheet never holds 10,000 returns' cells (and their histories) at once.
enum Planned<'a> {
    Return(&'a ReturnView<'a>),
    /// A group's subtotal: its latest returns, and the sheet rows (0-based) its returns fill.
    Subtotal { group: Option<String>, members: Vec<&'a ReturnView<'a>>, from: u32, to: u32 },
    /// The total under `--group-by`, over the rows up to `to`.
    Total { to: u32 },
}

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let cols = columns(ctx);
    let idx = |title: &str| cols.iter().position(|c| c.title == title).unwrap_or(0) as u16;
    let order = ctx.school_order();
    let first_data = HEADER_ROW + 1;
    let mut plan: Vec<Planned> = Vec::new();
    let mut group_start = 0usize;
    for (pos, &i) in order.iter().enumerate() {
        let Some(r) = ctx.analysis.returns.get(i) else { continue };
        plan.push(Planned::Return(r));
        let next_group = order.get(pos + 1).and_then(|&j| ctx.analysis.returns.get(j)).map(|n| &n.group);
        if ctx.opts.group_by.is_some() && next_group != Some(&r.group) {
            // Subtotal for the group just finished.
            let members: Vec<&ReturnView> =
                order.get(group_start..=pos).unwrap_or(&[]).iter().filter_map(|&j| ctx.analysis.returns.get(j)).filter(|v| v.latest).collect();
            let from = first_data + (plan.len() - (pos + 1 - group_start)) as u32;
            let to = first_data + plan.len() as u32 - 1;
            plan.push(Planned::Subtotal { group: r.group.clone(), members, from, to });
            group_start = pos + 1;
        }
    }
    if ctx.opts.group_by.is_some() && !order.is_empty() {
        plan.push(Planned::Total { to: first_data + plan.len() as u32 - 1 });
    }

    let return_col = col_name(idx("Return"));
    let sum_cell = |col: u16, from: u32, to: u32, value: f64| {
        let c = col_name(col);
        Cell::Formula(
            format!("=SUMIFS({c}{}:{c}{},${return_col}{}:${return_col}{},\"latest\")", from + 1, to + 1, from + 1, to + 1),
            format!("{value}"),
        )
    };
    let totals_row = |label: String, schools: &[&ReturnView], from: u32, to: u32| {
        let mut row = vec![Cell::Blank; cols.len()];
        if let Some(c) = row.get_mut(0) {
            *c = Cell::text(label);
        }
        if let Some(c) = row.get_mut(idx("School") as usize) {
            *c = Cell::text(format!("{} schools (latest returns)", schools.len()));
        }
        for title in SUMMED {
            let v: f64 = schools.iter().map(|m| value_of(m, title)).sum();
            if let Some(c) = row.get_mut(idx(title) as usize) {
                *c = sum_cell(idx(title), from, to, v);
            }
        }
        row
    };
    let latest: Vec<&ReturnView> = ctx.latest().collect();
    let rows = plan.iter().map(|p| match p {
        Planned::Return(r) => row_cells(ctx, r),
        Planned::Subtotal { group, members, from, to } => {
            totals_row(format!("Subtotal: {}", group.clone().unwrap_or_default()), members, *from, *to)
        }
        Planned::Total { to } => totals_row("Total".into(), &latest, first_data, *to),
    });

    write_legend(
        ws,
        0,
        &[
            ("Standard 1-2: good", &f.green),
            ("3: fair", &f.amber),
            ("4-5: poor", &f.red),
            ("Review overdue or poor standard (school in red); Flags also name overdue actions", &f.red_bold),
            ("Earlier return (history)", &f.grey),
        ],
        f,
    )?;
    let freeze_cols = idx("School") + 1;
    let subtotal = |i: usize| matches!(plan.get(i), Some(Planned::Subtotal { .. } | Planned::Total { .. })).then_some(&f.subtotal);
    let last = write_table_with_row_formats(ws, HEADER_ROW, &cols, rows, freeze_cols, f, subtotal)?;
    if plan.is_empty() {
        return Ok(());
    }
    add_rag(ws, ctx, &cols, first_data, last)?;
    ws.set_zoom(90);
    Ok(())
}

fn value_of(r: &ReturnView, title: &str) -> f64 {
    let c = &r.record.case_counts;
    let n = match title {
        "YES" => r.yes,
        "NO" => r.no,
        "Both" => r.both,
        "Blank" => r.blank,
        "Actions" => r.actions.len(),
        "Overdue actions" => r.overdue_actions(),
        "CP" => c.cp.unwrap_or(0) as usize,
        "CIN" => c.cin.unwrap_or(0) as usize,
        "LAC" => c.lac.unwrap_or(0) as usize,
        "EH" => c.eh.unwrap_or(0) as usize,
        _ => 0,
    };
    n as f64
}

/// The conditional formats: RAG on standards and ratings, review status, overdue actions, the
/// school flagged, earlier returns greyed, term-on-term changes.
fn add_rag(ws: &mut Worksheet, ctx: &Ctx, cols: &[Column], first: u32, last: u32) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let idx = |title: &str| cols.iter().position(|c| c.title == title).map(|i| i as u16);
    let (Some(school), Some(std), Some(r42), Some(status), Some(ret), Some(overdue)) =
        (idx("School"), idx("Overall standard"), idx("Rating 4.2"), idx("Review status"), idx("Return"), idx("Overdue actions"))
    else {
        return Ok(());
    };
    let row1 = first + 1; // Excel's 1-based row of the first data row
    let at = |c: u16| format!("{}{row1}", col_name(c));
    let abs = |c: u16| format!("${}{row1}", col_name(c));
    let latest = format!("{}=\"latest\"", abs(ret));
    let (g, a) = (ctx.opts.green_max, ctx.opts.amber_max);
    let r33 = std + 1;
    // The school's name in red when its latest return has an overdue review or a poor standard.
    let flag = format!(
        "=AND({latest},OR({}=\"overdue\",AND(ISNUMBER({s}),{s}>{a}),AND(ISNUMBER({x}),{x}>{a}),AND(ISNUMBER({y}),{y}>{a})))",
        abs(status),
        s = abs(std),
        x = abs(r33),
        y = abs(r42)
    );
    ws.add_conditional_format(first, school, last, school, &ConditionalFormatFormula::new().set_rule(flag.as_str()).set_format(&f.red_bold))?;
    if let Some(flags) = idx("Flags") {
        let rule = format!("=LEN({})>0", at(flags));
        ws.add_conditional_format(first, flags, last, flags, &ConditionalFormatFormula::new().set_rule(rule.as_str()).set_format(&f.red_bold))?;
    }
    // Overall standard and the two ratings.
    let v = at(std);
    let green = format!("=AND({latest},ISNUMBER({v}),{v}<={g})");
    let amber = format!("=AND({latest},ISNUMBER({v}),{v}>{g},{v}<={a})");
    let red = format!("=AND({latest},ISNUMBER({v}),{v}>{a})");
    for (rule, fmt) in [(green, &f.green), (amber, &f.amber), (red, &f.red)] {
        ws.add_conditional_format(first, std, last, r42, &ConditionalFormatFormula::new().set_rule(rule.as_str()).set_format(fmt))?;
    }
    // Review status.
    let v = at(status);
    for (word, fmt) in [("overdue", &f.red_bold), ("due", &f.amber), ("not answered", &f.amber), ("done", &f.green)] {
        let rule = format!("=AND({latest},{v}=\"{word}\")");
        ws.add_conditional_format(first, status, last, status, &ConditionalFormatFormula::new().set_rule(rule.as_str()).set_format(fmt))?;
    }
    // Overdue actions.
    let v = at(overdue);
    let rule = format!("=AND({latest},ISNUMBER({v}),{v}>0)");
    ws.add_conditional_format(first, overdue, last, overdue, &ConditionalFormatFormula::new().set_rule(rule.as_str()).set_format(&f.red))?;
    // Earlier returns greyed.
    let rule = format!("={}=\"earlier\"", abs(ret));
    let last_col = cols.len().saturating_sub(1) as u16;
    ws.add_conditional_format(first, 0, last, last_col, &ConditionalFormatFormula::new().set_rule(rule.as_str()).set_format(&f.grey))?;
    // Term on term: a fall in standard or rating is an improvement (1 = good).
    if let (Some(c1), Some(c2)) = (idx("Standard change"), idx("4.2 change")) {
        let v = at(c1);
        let better = format!("=AND(ISNUMBER({v}),{v}<0)");
        let worse = format!("=AND(ISNUMBER({v}),{v}>0)");
        ws.add_conditional_format(first, c1, last, c2, &ConditionalFormatFormula::new().set_rule(better.as_str()).set_format(&f.green))?;
        ws.add_conditional_format(first, c1, last, c2, &ConditionalFormatFormula::new().set_rule(worse.as_str()).set_format(&f.red))?;
    }
    if let Some(t) = idx("Trend") {
        let v = at(t);
        let rule = format!("={v}=\"improved\"");
        ws.add_conditional_format(first, t, last, t, &ConditionalFormatFormula::new().set_rule(rule.as_str()).set_format(&f.green))?;
        let rule = format!("={v}=\"declined\"");
        ws.add_conditional_format(first, t, last, t, &ConditionalFormatFormula::new().set_rule(rule.as_str()).set_format(&f.red))?;
    }
    Ok(())
}
