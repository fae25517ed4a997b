//! Dashboard: the one page a trust board reads. Returns read / with gaps / failed; schools by
//! overall standard (chart); review status; open and overdue actions; trust totals of active
//! CP / CIN / LAC / EH cases; the five questions most often NO or blank; groups under
//! `--group-by`; term-on-term movement under `--previous`. Each school counts once: its latest
//! return.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartFormat, ChartPoint, ChartSolidFill, ChartType, Color, ConditionalFormatCell,
    ConditionalFormatCellRule, Format, Worksheet, XlsxError,
};

use super::{Ctx, DASHBOARD};
use crate::dates;
use crate::record::Status;
use crate::summarise::status::{rag, ActionStatus, Rag, ReturnView, ReviewStatus};
use crate::summarise::workbook::{Cell, Formats, GREEN_FILL, AMBER_FILL, RED_FILL, write_cell};

/// Labels in column A; values from column B.
struct Writer<'w> {
    ws: &'w mut Worksheet,
    row: u32,
}

impl Writer<'_> {
    fn heading(&mut self, text: &str, f: &Formats) -> Result<(), XlsxError> {
        self.row += 1;
        self.ws.write_string_with_format(self.row, 0, text, &f.subtitle)?;
        self.row += 1;
        Ok(())
    }

    fn header(&mut self, cells: &[&str], f: &Formats) -> Result<(), XlsxError> {
        for (i, c) in cells.iter().enumerate() {
            self.ws.write_string_with_format(self.row, i as u16, *c, &f.header)?;
        }
        let lines = cells.iter().skip(1).map(|c| crate::summarise::workbook::lines_needed(c, 14.0)).max().unwrap_or(1);
        self.ws.set_row_height(self.row, 15.0 * lines as f64)?;
        self.row += 1;
        Ok(())
    }

    /// A label and values; returns the row written.
    fn line(&mut self, label: &str, values: &[Cell], f: &Formats) -> Result<u32, XlsxError> {
        self.ws.write_string_with_format(self.row, 0, label, &f.wrap)?;
        let lines = crate::summarise::workbook::lines_needed(label, 46.0);
        if lines > 1 {
            self.ws.set_row_height(self.row, 15.0 * lines as f64)?;
        }
        for (i, v) in values.iter().enumerate() {
            write_cell(self.ws, self.row, 1 + i as u16, v, false, f)?;
        }
        self.row += 1;
        Ok(self.row - 1)
    }

    fn line_fmt(&mut self, label: &str, label_fmt: &Format, values: &[Cell], f: &Formats) -> Result<u32, XlsxError> {
        self.ws.write_string_with_format(self.row, 0, label, label_fmt)?;
        for (i, v) in values.iter().enumerate() {
            write_cell(self.ws, self.row, 1 + i as u16, v, false, f)?;
        }
        self.row += 1;
        Ok(self.row - 1)
    }

    /// Red when the value in column `col` of `row` is above zero (conditional, so edits recolour).
    fn red_if_positive(&mut self, row: u32, col: u16, f: &Formats) -> Result<(), XlsxError> {
        let cf = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::GreaterThan(0)).set_format(&f.red_bold);
        self.ws.add_conditional_format(row, col, row, col, &cf)?;
        Ok(())
    }
}

fn n(v: usize) -> Cell {
    Cell::num(v as f64)
}

fn sum(list: &[&ReturnView], get: impl Fn(&ReturnView) -> Option<u32>) -> u64 {
    list.iter().filter_map(|r| get(r)).map(u64::from).sum()
}

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let opts = ctx.opts;
    ws.set_column_width(0, 48)?;
    for c in 1..=5u16 {
        ws.set_column_width(c, 13)?;
    }
    for c in 6..=9u16 {
        ws.set_column_width(c, 9)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    // One page wide; as many pages tall as the groups need, so the charts print large enough.
    ws.set_print_fit_to_pages(1, 0);
    ws.write_string_with_format(0, 0, "CPOMS Quality Assurance summary", &f.title)?;
    ws.write_string(
        1,
        0,
        format!(
            "Measured on {}. Each school counts once, by its latest return; earlier returns are history.",
            dates::uk(opts.as_of)
        ),
    )?;
    let latest: Vec<&ReturnView> = ctx.latest().collect();
    let mut w = Writer { ws, row: 2 };

    // Returns.
    w.heading("Returns", f)?;
    w.line("Files read", &[n(ctx.records.len())], f)?;
    w.line("Read completely", &[n(ctx.records.iter().filter(|r| r.status == Status::Ok).count())], f)?;
    let gaps = w.line("Read with gaps (see Problems)", &[n(ctx.records.iter().filter(|r| r.status == Status::Partial).count())], f)?;
    let failed = w.line("Failed (see Problems)", &[n(ctx.analysis.failed.len())], f)?;
    w.red_if_positive(failed, 1, f)?;
    let cf = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::GreaterThan(0)).set_format(&f.amber);
    w.ws.add_conditional_format(gaps, 1, gaps, 1, &cf)?;
    if !opts.skipped.is_empty() {
        w.line("Skipped (not form files)", &[n(opts.skipped.len())], f)?;
    }
    w.line("Schools (latest return each)", &[n(latest.len())], f)?;
    w.line("Earlier returns (history)", &[n(ctx.analysis.returns.len() - latest.len())], f)?;
    if opts.register.is_some() {
        let r = w.line("Returns not found in the schools register", &[n(ctx.analysis.unmatched.len())], f)?;
        w.red_if_positive(r, 1, f)?;
    }

    // Schools by overall standard.
    w.heading("Schools by overall standard (1 = good, 5 = poor)", f)?;
    w.header(&["Overall standard", "Schools"], f)?;
    let first_std = w.row;
    let mut points = Vec::new();
    for s in 1..=5u8 {
        let count = latest.iter().filter(|r| r.record.overall_standard == Some(s)).count();
        let (fmt, fill) = match rag(s, opts) {
            Rag::Green => (&f.green, GREEN_FILL),
            Rag::Amber => (&f.amber, AMBER_FILL),
            Rag::Red => (&f.red, RED_FILL),
        };
        let word = match s {
            1 => "1 (good)",
            5 => "5 (poor)",
            2 => "2",
            3 => "3",
            _ => "4",
        };
        w.line_fmt(word, fmt, &[n(count)], f)?;
        // Darker versions of the RAG fills so the bars print clearly.
        let bar = match fill {
            GREEN_FILL => 0x4CAF50,
            AMBER_FILL => 0xFFB300,
            _ => 0xE53935,
        };
        points.push(ChartPoint::new().set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(bar)))));
    }
    let not_given = latest.iter().filter(|r| r.record.overall_standard.is_none()).count();
    w.line("Not given", &[n(not_given)], f)?;
    points.push(ChartPoint::new().set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(0x9E9E9E)))));
    let last_std = w.row - 1;
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name("Schools")
        .set_categories((DASHBOARD, first_std, 0, last_std, 0))
        .set_values((DASHBOARD, first_std, 1, last_std, 1))
        .set_points(&points)
        .set_data_label(ChartDataLabel::new().show_value());
    chart.title().set_name("Schools by overall standard");
    chart.x_axis().set_name("Overall standard (1 = good, 5 = poor)");
    chart.y_axis().set_name("Schools");
    chart.legend().set_hidden();
    chart.set_width(520).set_height(300);
    w.ws.insert_chart(3, 7, &chart)?;

    // Reviews.
    w.heading("QA reviews (latest return per school)", f)?;
    w.header(&["Review status", "Schools"], f)?;
    for st in ReviewStatus::ALL {
        let label = match st {
            ReviewStatus::Overdue => "Overdue",
            ReviewStatus::Due => "Due (date not passed, or no date given)",
            // A latest return has no later one to have done its review: "done" shows on the
            // Schools and History sheets, against earlier returns.
            ReviewStatus::Done => continue,
            ReviewStatus::None => "None required",
            ReviewStatus::Unanswered => "Not answered (review Y/N left blank): to chase",
        };
        let r = w.line(label, &[n(latest.iter().filter(|r| r.review_status == st).count())], f)?;
        if st == ReviewStatus::Overdue {
            w.red_if_positive(r, 1, f)?;
        }
    }
    let poor = w.line(
        &format!("Schools with a poor standard (overall or a rating above {})", opts.amber_max),
        &[n(latest.iter().filter(|r| r.poor).count())],
        f,
    )?;
    w.red_if_positive(poor, 1, f)?;

    // Actions.
    w.heading("Actions (latest return per school)", f)?;
    w.header(&["Action status", "Actions"], f)?;
    let count = |st: ActionStatus| latest.iter().flat_map(|r| r.actions.iter()).filter(|a| a.status == st).count();
    let open: usize = latest.iter().map(|r| r.open_actions()).sum();
    w.line("Open actions", &[n(open)], f)?;
    let first_act = w.row;
    for st in [ActionStatus::Overdue, ActionStatus::DueSoon, ActionStatus::Later, ActionStatus::NoDate] {
        let label = match st {
            ActionStatus::Overdue => "Overdue",
            ActionStatus::DueSoon => "Due within 4 weeks",
            ActionStatus::Later => "Due later",
            _ => "No date (ongoing, termly or unclear)",
        };
        let r = w.line(label, &[n(count(st))], f)?;
        if st == ActionStatus::Overdue {
            w.red_if_positive(r, 1, f)?;
        }
    }
    let last_act = w.row - 1;
    let carried = latest.iter().flat_map(|r| r.actions.iter()).filter(|a| a.carried_from.is_some()).count();
    w.line("Repeated from the school's earlier return", &[n(carried)], f)?;
    let mut chart = Chart::new(ChartType::Bar);
    let colours = [0xE53935, 0xFFB300, 0x4CAF50, 0x9E9E9E];
    let points: Vec<ChartPoint> = colours
        .iter()
        .map(|c| ChartPoint::new().set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(*c)))))
        .collect();
    chart
        .add_series()
        .set_name("Actions")
        .set_categories((DASHBOARD, first_act, 0, last_act, 0))
        .set_values((DASHBOARD, first_act, 1, last_act, 1))
        .set_points(&points)
        .set_data_label(ChartDataLabel::new().show_value());
    chart.title().set_name("Open actions by status");
    chart.legend().set_hidden();
    chart.y_axis().set_reverse();
    chart.set_width(520).set_height(260);
    w.ws.insert_chart(20, 7, &chart)?;

    // Cases.
    w.heading("Active cases (overview questions O6 to O9)", f)?;
    let all: Vec<&ReturnView> = ctx.analysis.returns.iter().collect();
    let mut head = vec!["Cases", "Latest return per school", "All returns read"];
    if opts.previous.is_some() {
        head.extend(["Last term", "Change"]);
    }
    w.header(&head, f)?;
    type Get = fn(&ReturnView) -> Option<u32>;
    type PrevGet = fn(&crate::summarise::previous::PreviousSchool) -> Option<f64>;
    let kinds: [(&str, Get, PrevGet); 4] = [
        ("CP: Child Protection", |r| r.record.case_counts.cp, |p| p.cp),
        ("CIN: Child in Need", |r| r.record.case_counts.cin, |p| p.cin),
        ("LAC: Looked After Children", |r| r.record.case_counts.lac, |p| p.lac),
        ("EH: Early Help", |r| r.record.case_counts.eh, |p| p.eh),
    ];
    for (label, get, prev_get) in kinds {
        let now = sum(&latest, get);
        let mut vals = vec![Cell::num(now as f64), Cell::num(sum(&all, get) as f64)];
        if let Some(prev) = &opts.previous {
            let before: f64 = prev.schools.values().filter_map(prev_get).sum();
            vals.push(Cell::num(before));
            vals.push(Cell::num(now as f64 - before));
        }
        w.line(label, &vals, f)?;
    }

    // Questions.
    w.heading("The five questions most often answered NO or left blank (ties at fifth place included)", f)?;
    w.header(&["Question", "NO", "Blank", "% NO or blank"], f)?;
    for s in worst_questions(&ctx.questions, 5) {
        let total = s.total().max(1) as f64;
        let r = w.line(&format!("{}: {}", s.question.id, s.question.wording), &[n(s.no), n(s.blank)], f)?;
        w.ws.write_number_with_format(r, 3, s.no_or_blank() as f64 / total, &f.percent)?;
    }

    // Groups.
    if let Some(g) = &opts.group_by {
        w.heading(&format!("By {g} (latest return per school)"), f)?;
        w.header(&[g.as_str(), "Schools", "Poor standard", "Overdue reviews", "Open actions", "Overdue actions", "CP", "CIN", "LAC", "EH"], f)?;
        let mut groups: BTreeMap<String, Vec<&ReturnView>> = BTreeMap::new();
        for r in &latest {
            groups.entry(r.group.clone().unwrap_or_default()).or_default().push(r);
        }
        let figures = |members: &[&ReturnView]| -> [u64; 9] {
            [
                members.len() as u64,
                members.iter().filter(|m| m.poor).count() as u64,
                members.iter().filter(|m| m.review_status == ReviewStatus::Overdue).count() as u64,
                members.iter().map(|m| m.open_actions() as u64).sum(),
                members.iter().map(|m| m.overdue_actions() as u64).sum(),
                sum(members, |r| r.record.case_counts.cp),
                sum(members, |r| r.record.case_counts.cin),
                sum(members, |r| r.record.case_counts.lac),
                sum(members, |r| r.record.case_counts.eh),
            ]
        };
        let first = w.row;
        for (name, members) in &groups {
            let values: Vec<Cell> = figures(members).iter().map(|v| Cell::num(*v as f64)).collect();
            w.line(name, &values, f)?;
        }
        let last = w.row.saturating_sub(1);
        if !groups.is_empty() {
            let (row1, row2) = (first + 1, last + 1);
            w.ws.write_string_with_format(w.row, 0, "Total", &f.subtotal)?;
            for (i, value) in figures(&latest).iter().enumerate() {
                let c = crate::summarise::workbook::col_name(1 + i as u16);
                let formula = rust_xlsxwriter::Formula::new(format!("=SUM({c}{row1}:{c}{row2})")).set_result(value.to_string());
                w.ws.write_formula_with_format(w.row, 1 + i as u16, formula, &f.subtotal)?;
            }
            let cf = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::GreaterThan(0)).set_format(&f.red);
            w.ws.add_conditional_format(first, 2, last, 3, &cf)?;
            w.ws.add_conditional_format(first, 5, last, 5, &cf)?;
            w.row += 1;
        }
    }

    // Term on term.
    if let Some(prev) = &opts.previous {
        w.heading("Since last term's summary", f)?;
        let mut improved = 0;
        let mut declined = 0;
        let mut same = 0;
        let mut new = 0;
        for r in &latest {
            match (prev.school(&r.school).and_then(|p| p.overall_standard), r.record.overall_standard) {
                (Some(before), Some(now)) if f64::from(now) < before => improved += 1,
                (Some(before), Some(now)) if f64::from(now) > before => declined += 1,
                (Some(_), Some(_)) => same += 1,
                (None, _) if prev.school(&r.school).is_none() => new += 1,
                _ => {}
            }
        }
        w.line_fmt("Overall standard improved", &f.green, &[n(improved)], f)?;
        w.line_fmt("Overall standard declined", &f.red, &[n(declined)], f)?;
        w.line("Overall standard the same", &[n(same)], f)?;
        w.line("Schools not on last term's summary", &[n(new)], f)?;
    }

    // Legend.
    w.row += 1;
    w.ws.write_string_with_format(w.row, 0, "Legend: overall standard and ratings", &f.bold)?;
    w.row += 1;
    let span = |a: u8, b: u8| if a == b { a.to_string() } else { format!("{a}-{b}") };
    w.line_fmt(&format!("{}: good", span(1, opts.green_max)), &f.green, &[], f)?;
    if opts.amber_max > opts.green_max {
        w.line_fmt(&format!("{}: fair", span(opts.green_max + 1, opts.amber_max)), &f.amber, &[], f)?;
    }
    if opts.amber_max < 5 {
        w.line_fmt(&format!("{}: poor (red counts elsewhere mean overdue)", span(opts.amber_max + 1, 5)), &f.red, &[], f)?;
    }
    Ok(())
}

/// The first `n` of `stats` (worst first), and any after them as bad as the n-th (a tie at the
/// last place is shown, not cut by form order).
pub fn worst_questions(stats: &[super::QuestionStat], n: usize) -> &[super::QuestionStat] {
    let Some(last) = n.checked_sub(1).and_then(|i| stats.get(i)) else { return stats };
    let same = |s: &super::QuestionStat| s.no_or_blank() * last.total().max(1) == last.no_or_blank() * s.total().max(1);
    let end = n + stats.iter().skip(n).take_while(|s| last.no_or_blank() > 0 && same(s)).count();
    stats.get(..end).unwrap_or(stats)
}
