//! Shared workbook pieces: the formats (one place for colours), cell values, and a table writer
//! that gives every sheet the same frozen header, filter, widths and print setup.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Note, Worksheet, XlsxError};

/// RAG fills, Excel's own "good / neutral / bad" pairs so they read well on screen and in print.
pub const GREEN_FILL: u32 = 0xC6EFCE;
pub const GREEN_FONT: u32 = 0x006100;
pub const AMBER_FILL: u32 = 0xFFEB9C;
pub const AMBER_FONT: u32 = 0x9C5700;
pub const RED_FILL: u32 = 0xFFC7CE;
pub const RED_FONT: u32 = 0x9C0006;
pub const HEADER_FILL: u32 = 0xD9E1F2;
pub const GREY_FONT: u32 = 0x808080;

/// The formats every sheet uses.
pub struct Formats {
    pub header: Format,
    pub title: Format,
    pub subtitle: Format,
    pub bold: Format,
    pub date: Format,
    pub wrap: Format,
    pub percent: Format,
    pub plain: Format,
    pub green: Format,
    pub amber: Format,
    pub red: Format,
    pub red_bold: Format,
    pub grey: Format,
    pub subtotal: Format,
    pub subtotal_date: Format,
}

impl Formats {
    pub fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(HEADER_FILL))
                .set_border(FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(16),
            subtitle: Format::new().set_bold().set_font_size(12),
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("dd/mm/yyyy").set_align(FormatAlign::Left).set_align(FormatAlign::Top),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            percent: Format::new().set_num_format("0%").set_align(FormatAlign::Top),
            plain: Format::new().set_align(FormatAlign::Top),
            green: Format::new().set_background_color(Color::RGB(GREEN_FILL)).set_font_color(Color::RGB(GREEN_FONT)),
            amber: Format::new().set_background_color(Color::RGB(AMBER_FILL)).set_font_color(Color::RGB(AMBER_FONT)),
            red: Format::new().set_background_color(Color::RGB(RED_FILL)).set_font_color(Color::RGB(RED_FONT)),
            red_bold: Format::new().set_bold().set_background_color(Color::RGB(RED_FILL)).set_font_color(Color::RGB(RED_FONT)),
            grey: Format::new().set_font_color(Color::RGB(GREY_FONT)),
            subtotal: Format::new().set_bold().set_border_top(FormatBorder::Thin),
            subtotal_date: Format::new().set_bold().set_border_top(FormatBorder::Thin).set_num_format("dd/mm/yyyy"),
        }
    }
}

impl Formats {
    /// Every format, in a fixed order (the order the workbook numbers them in).
    pub fn all(&self) -> [&Format; 15] {
        // Destructured, so a format added to the struct and not here fails to compile.
        let Formats {
            header,
            title,
            subtitle,
            bold,
            date,
            wrap,
            percent,
            plain,
            green,
            amber,
            red,
            red_bold,
            grey,
            subtotal,
            subtotal_date,
        } = self;
        [header, title, subtitle, bold, date, wrap, percent, plain, green, amber, red, red_bold, grey, subtotal, subtotal_date]
    }
}

impl Default for Formats {
    fn default() -> Self {
        Formats::new()
    }
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Blank,
    Text(String),
    Num(f64),
    Date(NaiveDate),
    /// A formula with its computed result (so readers that do not calculate still see it).
    Formula(String, String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Blank
        } else {
            Cell::Text(s)
        }
    }
    pub fn opt_text(s: Option<&str>) -> Cell {
        s.map(Cell::text).unwrap_or(Cell::Blank)
    }
    pub fn num(n: impl Into<f64>) -> Cell {
        Cell::Num(n.into())
    }
    pub fn opt_num<T: Into<f64>>(n: Option<T>) -> Cell {
        n.map(|v| Cell::Num(v.into())).unwrap_or(Cell::Blank)
    }
    pub fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map(Cell::Date).unwrap_or(Cell::Blank)
    }
    pub fn yes_no(b: Option<bool>) -> Cell {
        match b {
            Some(true) => Cell::text("Yes"),
            Some(false) => Cell::text("No"),
            None => Cell::Blank,
        }
    }
}

/// A column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    /// Width in characters; dates need at least 11 so LibreOffice never shows #####.
    pub width: f64,
    /// Wrap long text.
    pub wrap: bool,
    /// A note on the heading (e.g. a question's wording).
    pub note: Option<String>,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f64) -> Column {
        Column { title: title.into(), width, wrap: false, note: None }
    }
    pub fn wrapped(title: impl Into<String>, width: f64) -> Column {
        Column { title: title.into(), width, wrap: true, note: None }
    }
    pub fn date(title: impl Into<String>) -> Column {
        Column { title: title.into(), width: 12.0, wrap: false, note: None }
    }
}

/// An Excel date for a chrono date.
pub fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let y = u16::try_from(d.year()).map_err(|_| XlsxError::ParameterError("year out of range".into()))?;
    ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8)
}

/// Write one cell with the column's format.
pub fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, wrap: bool, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Blank => {}
        Cell::Text(s) => {
            // Excel's cell limit is 32,767 characters (a text of at most 32,000 bytes is within it).
            let s: Cow<str> = if s.len() <= 32_000 { Cow::Borrowed(s) } else { Cow::Owned(s.chars().take(32_000).collect()) };
            ws.write_string_with_format(row, col, s.as_ref(), if wrap { &f.wrap } else { &f.plain })?;
        }
        Cell::Num(n) => {
            ws.write_number_with_format(row, col, *n, &f.plain)?;
        }
        Cell::Date(d) => match excel_date(*d) {
            Ok(dt) => {
                ws.write_datetime_with_format(row, col, dt, &f.date)?;
            }
            // Excel has no dates before 1900 (or after 9999): show the date as text rather than
            // failing the whole workbook.
            Err(_) => {
                ws.write_string_with_format(row, col, crate::dates::uk(*d), &f.plain)?;
            }
        },
        Cell::Formula(text, result) => {
            ws.write_formula_with_format(row, col, Formula::new(text).set_result(result), &f.plain)?;
        }
    }
    Ok(())
}

/// How many data rows of one table get a row height set from their text (see
/// [`write_table_with_row_formats`]).
pub const MAX_SIZED_ROWS: usize = 20_000;

/// Write a table: headings on `header_row` (frozen, filtered), then `rows`; columns sized.
/// Returns the last data row (the header row when there are none).
///
/// Rows are written strictly top to bottom, so the table can go on a constant-memory worksheet
/// (see [`crate::summarise::sheets`]).
pub fn write_table<R: AsRef<[Cell]>>(
    ws: &mut Worksheet,
    header_row: u32,
    columns: &[Column],
    rows: impl IntoIterator<Item = R>,
    freeze_cols: u16,
    f: &Formats,
) -> Result<u32, XlsxError> {
    write_table_with_row_formats(ws, header_row, columns, rows, freeze_cols, f, |_| None)
}

/// [`write_table`], with a format for whole rows (`row_format(i)` for the i-th data row), set as
/// each row is written (a constant-memory worksheet cannot go back to a row).
///
/// `rows` may be an iterator that builds each row as it is asked for, so a sheet of 100,000
/// rows never exists in memory at once.
pub fn write_table_with_row_formats<'f, R: AsRef<[Cell]>>(
    ws: &mut Worksheet,
    header_row: u32,
    columns: &[Column],
    rows: impl IntoIterator<Item = R>,
    freeze_cols: u16,
    f: &Formats,
    row_format: impl Fn(usize) -> Option<&'f Format>,
) -> Result<u32, XlsxError> {
    for (c, col) in columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(header_row, c, &col.title, &f.header)?;
        ws.set_column_width(c, col.width)?;
        if let Some(n) = &col.note {
            ws.insert_note(header_row, c, &Note::new(n).add_author_prefix(false).set_width(300).set_height(120))?;
        }
    }
    // LibreOffice does not grow rows for wrapped text on opening, so set heights from the text.
    let header_lines = columns.iter().map(|c| lines_needed(&c.title, c.width)).max().unwrap_or(1);
    ws.set_row_height(header_row, 15.0 * header_lines as f64)?;
    let mut count = 0u32;
    for (i, row) in rows.into_iter().enumerate() {
        count += 1;
        let r = header_row + 1 + i as u32;
        let mut lines = 1;
        for (c, cell) in row.as_ref().iter().enumerate() {
            let col = columns.get(c);
            let wrap = col.is_some_and(|col| col.wrap);
            write_cell(ws, r, c as u16, cell, wrap, f)?;
            if let (Cell::Text(t), Some(col)) = (cell, col) {
                if wrap {
                    lines = lines.max(lines_needed(t, col.width));
                }
            }
        }
        // rust_xlsxwriter keeps every explicit row height in memory, even on a constant-memory
        // sheet: only the first rows of a long table get one (Excel sizes the rest on opening).
        if lines > 1 && i < MAX_SIZED_ROWS {
            ws.set_row_height(r, 15.0 * lines.min(8) as f64)?;
        }
        if let Some(fmt) = row_format(i) {
            ws.set_row_format(r, fmt)?;
        }
    }
    let last_row = header_row + count;
    let last_col = columns.len().saturating_sub(1) as u16;
    ws.set_freeze_panes(header_row + 1, freeze_cols)?;
    ws.autofilter(header_row, 0, last_row.max(header_row), last_col)?;
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    Ok(last_row)
}

/// Lines a wrapped text needs in a column `width` characters wide (roughly; words wrap early).
pub fn lines_needed(text: &str, width: f64) -> usize {
    let per_line = (width * 0.9).max(4.0) as usize;
    text.split('\n').map(|l| l.chars().count().div_ceil(per_line).max(1)).sum()
}

/// A legend row: a label, then each (text, format) in its own cell.
pub fn write_legend(ws: &mut Worksheet, row: u32, items: &[(&str, &Format)], f: &Formats) -> Result<(), XlsxError> {
    write_legend_spanning(ws, row, items, 1, f)
}

/// [`write_legend`] with each item merged across `span` columns: for sheets whose columns are
/// too narrow to hold a legend item (the Answers sheet's question columns).
pub fn write_legend_spanning(ws: &mut Worksheet, row: u32, items: &[(&str, &Format)], span: u16, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, 0, "Legend:", &f.bold)?;
    ws.set_row_height(row, 45)?;
    let span = span.max(1);
    for (i, (text, fmt)) in items.iter().enumerate() {
        let fmt = legend_format(fmt);
        let first = 1 + i as u16 * span;
        if span == 1 {
            ws.write_string_with_format(row, first, *text, &fmt)?;
        } else {
            ws.merge_range(row, first, row, first + span - 1, text, &fmt)?;
        }
    }
    Ok(())
}

/// A legend item's format: the format it explains, wrapped and top-aligned.
pub fn legend_format(fmt: &Format) -> Format {
    fmt.clone().set_text_wrap().set_align(FormatAlign::Top)
}

/// Column letter(s) for a zero-based index ("A", "AA").
pub fn col_name(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(44), "AS");
    }
}
