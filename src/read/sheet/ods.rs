//! .ods: our own streaming reader of `content.xml`.
//!
//! calamine's .ods reader builds every sheet as a dense range while opening the file, with no
//! bound on repeated rows and columns; this one streams the XML, keeps at most
//! [`MAX_ROWS`] × [`MAX_COLS`] per sheet and reads the formatting people mark answers with:
//! automatic cell styles (bold, italic, underline, strike, font colour, background) and
//! text-span styles inside a cell (one word bold), which become separate runs. Named styles in
//! `styles.xml` are not read (LibreOffice puts a user's formatting in automatic styles).
//! Cell comments (`office:annotation`) and drawings are skipped.

use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::grid::{Budget, CellData, Grid, Merge, MAX_COLS, MAX_ROWS};
use super::{hex_colour, iso_date_text, number_text, push_entity};
use crate::model::{Document, Run, RunFormat, RunKind};
use crate::read::{Deadline, Limits, ReadError};

/// Formatting set by one automatic style; `None` = not set (inherit).
#[derive(Debug, Clone, Default)]
struct StyleProps {
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    strike: Option<bool>,
    colour: Option<Option<String>>,
    background: Option<Option<String>>,
}

impl StyleProps {
    fn apply(&self, f: &mut RunFormat) {
        if let Some(v) = self.bold {
            f.bold = v;
        }
        if let Some(v) = self.italic {
            f.italic = v;
        }
        if let Some(v) = self.underline {
            f.underline = v;
        }
        if let Some(v) = self.strike {
            f.strike = v;
        }
        if let Some(v) = &self.colour {
            f.colour = v.clone();
        }
    }

    fn read_properties(&mut self, e: &BytesStart<'_>) {
        for a in e.attributes().flatten() {
            let v = a.value.as_ref();
            match a.key.as_ref() {
                "fo:font-weight" => self.bold = Some(v == "bold" || v.parse::<u32>().is_ok_and(|w| w >= 600)),
                "fo:font-style" => self.italic = Some(v == "italic" || v == "oblique"),
                "style:text-underline-style" => self.underline = Some(v != "none"),
                "style:text-line-through-style" => self.strike = Some(v != "none"),
                "fo:color" => self.colour = Some(hex_colour(v)),
                "fo:background-color" => self.background = Some(hex_colour(v)),
                _ => {}
            }
        }
    }
}

pub fn read(bytes: Vec<u8>, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| ReadError::Damaged("the zip package is damaged or truncated".into()))?;
    let entry = zip
        .by_name("content.xml")
        .map_err(|_| ReadError::Damaged("the spreadsheet's content part is missing".into()))?;
    let mut reader = OdsReader::new(limits, deadline);
    reader.run(BufReader::new(entry.take(limits.max_inflated_bytes)))?;
    Ok(reader.doc)
}

/// One cell being read.
#[derive(Default)]
struct CellState {
    col: u64,
    repeat: u64,
    spans: (u64, u64),
    format: RunFormat,
    shading: Option<String>,
    /// Value from attributes (numbers, dates, booleans) instead of the displayed text.
    value: Option<String>,
    paragraphs: Vec<Vec<Run>>,
}

struct OdsReader<'a> {
    limits: &'a Limits,
    deadline: &'a Deadline,
    doc: Document,
    budget: Budget,
    styles: HashMap<String, StyleProps>,
    /// The automatic style being defined, while inside `style:style`.
    defining: Option<(String, StyleProps)>,
    grid: Option<Grid>,
    sheet_number: usize,
    /// Columns' default cell styles, for cells that name none.
    column_styles: Vec<Option<String>>,
    row: u64,
    row_repeat: u64,
    row_style: Option<String>,
    row_cells: Vec<(u64, u64, CellData)>,
    row_merges: Vec<(u64, u64, u64, u64)>,
    col: u64,
    cell: Option<CellState>,
    /// Text style stack inside the current paragraph (spans nest).
    span_styles: Vec<Option<String>>,
    in_paragraph: bool,
    /// Depth inside an element whose content is skipped (comments, drawings).
    skip_depth: usize,
}

impl<'a> OdsReader<'a> {
    fn new(limits: &'a Limits, deadline: &'a Deadline) -> Self {
        OdsReader {
            limits,
            deadline,
            doc: Document::default(),
            budget: Budget::new(limits.max_cells),
            styles: HashMap::new(),
            defining: None,
            grid: None,
            sheet_number: 0,
            column_styles: Vec::new(),
            row: 0,
            row_repeat: 1,
            row_style: None,
            row_cells: Vec::new(),
            row_merges: Vec::new(),
            col: 0,
            cell: None,
            span_styles: Vec::new(),
            in_paragraph: false,
            skip_depth: 0,
        }
    }

    fn run<R: std::io::BufRead>(&mut self, input: R) -> Result<(), ReadError> {
        let mut xml = quick_xml::Reader::from_reader(input);
        let mut buf = Vec::new();
        let mut depth: usize = 0;
        let mut events: u64 = 0;
        loop {
            buf.clear();
            events += 1;
            if events.is_multiple_of(4096) {
                self.deadline.check()?;
            }
            let ev = match xml.read_event_into(&mut buf) {
                Ok(ev) => ev,
                Err(_) => {
                    return self.damaged("the spreadsheet's XML is malformed or cut short");
                }
            };
            match ev {
                Event::Start(e) => {
                    depth += 1;
                    if depth > self.limits.max_depth {
                        return Err(ReadError::TooLarge("the spreadsheet's XML is nested too deeply".into()));
                    }
                    if self.skip_depth > 0 {
                        self.skip_depth += 1;
                        continue;
                    }
                    self.start(&e, false)?;
                }
                Event::Empty(e) if self.skip_depth == 0 => self.start(&e, true)?,
                Event::End(e) => {
                    depth = depth.saturating_sub(1);
                    if self.skip_depth > 0 {
                        self.skip_depth -= 1;
                        continue;
                    }
                    self.end(e.name().as_ref())?;
                }
                Event::Text(t) if self.skip_depth == 0 && self.in_paragraph => {
                    let text = t.xml10_content();
                    self.push_text(&text);
                }
                Event::GeneralRef(r) if self.skip_depth == 0 && self.in_paragraph => {
                    let mut s = String::new();
                    push_entity(&r, &mut s);
                    self.push_text(&s);
                }
                Event::CData(t) if self.skip_depth == 0 && self.in_paragraph => {
                    let text = t.xml10_content();
                    self.push_text(&text);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if self.grid.is_some() {
            // The document ended inside a sheet: keep what was read.
            self.doc.notes.push("the spreadsheet's content ends early; read up to the end".into());
            self.finish_sheet()?;
        }
        Ok(())
    }

    /// Malformed XML: keep what was read when there is something, else fail.
    fn damaged(&mut self, why: &str) -> Result<(), ReadError> {
        let has_cells = self.grid.is_some() || !self.doc.blocks.is_empty();
        if !has_cells {
            return Err(ReadError::Damaged(why.into()));
        }
        self.doc.notes.push(format!("{why}; read up to the damage"));
        if self.grid.is_some() {
            self.cell = None;
            self.flush_row()?;
            self.finish_sheet()?;
        }
        Ok(())
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), ReadError> {
        let name = e.name();
        let name = name.as_ref();
        match name {
            "style:style" => {
                let style_name = attr(e, "style:name").unwrap_or_default();
                if empty {
                    self.styles.insert(style_name, StyleProps::default());
                } else {
                    self.defining = Some((style_name, StyleProps::default()));
                }
            }
            "style:table-cell-properties" | "style:text-properties" => {
                if let Some((_, props)) = self.defining.as_mut() {
                    props.read_properties(e);
                }
            }
            "table:table" if self.cell.is_none() => {
                if self.grid.is_some() {
                    // A table inside a table: not part of a spreadsheet; skip it.
                    if !empty {
                        self.skip_depth = 1;
                    }
                    return Ok(());
                }
                self.sheet_number += 1;
                self.grid = Some(Grid::new(attr(e, "table:name").unwrap_or_default()));
                self.column_styles.clear();
                self.row = 0;
                if empty {
                    self.finish_sheet()?;
                }
            }
            "table:table-column" if self.grid.is_some() && self.cell.is_none() => {
                let repeat = number_attr(e, "table:number-columns-repeated").unwrap_or(1).max(1);
                let style = attr(e, "table:default-cell-style-name");
                let room = (MAX_COLS as usize).saturating_sub(self.column_styles.len());
                let n = (repeat as usize).min(room);
                self.column_styles.extend(std::iter::repeat_n(style, n));
            }
            "table:table-row" if self.grid.is_some() && self.cell.is_none() => {
                self.row_repeat = number_attr(e, "table:number-rows-repeated").unwrap_or(1).max(1);
                self.row_style = attr(e, "table:default-cell-style-name");
                self.col = 0;
                self.row_cells.clear();
                self.row_merges.clear();
                if empty {
                    self.flush_row()?;
                }
            }
            "table:table-cell" if self.grid.is_some() && self.cell.is_none() => {
                let cell = self.new_cell(e);
                if empty {
                    self.cell = Some(cell);
                    self.finish_cell()?;
                } else {
                    self.cell = Some(cell);
                }
            }
            "table:covered-table-cell" if self.grid.is_some() && self.cell.is_none() => {
                let repeat = number_attr(e, "table:number-columns-repeated").unwrap_or(1).max(1);
                self.col = self.col.saturating_add(repeat);
                if !empty {
                    // Covered cells may keep old text hidden under the merge: skip it.
                    self.skip_depth = 1;
                }
            }
            "office:annotation" | "draw:frame" | "draw:custom-shape" | "draw:g" | "text:note"
            | "table:shapes" | "office:forms"
                if !empty =>
            {
                self.skip_depth = 1;
            }
            "text:p" | "text:h" if self.cell.is_some() => {
                if let Some(cell) = self.cell.as_mut() {
                    cell.paragraphs.push(Vec::new());
                }
                if !empty {
                    self.in_paragraph = true;
                    self.span_styles.clear();
                }
            }
            "text:span" if self.in_paragraph && !empty => self.span_styles.push(attr(e, "text:style-name")),
            "text:s" if self.in_paragraph => {
                let n = number_attr(e, "text:c").unwrap_or(1).clamp(1, 1000) as usize;
                self.push_text(&" ".repeat(n));
            }
            "text:tab" if self.in_paragraph => self.push_text("\t"),
            "text:line-break" if self.in_paragraph => self.push_text("\n"),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), ReadError> {
        match name {
            "style:style" => {
                if let Some((n, props)) = self.defining.take() {
                    self.styles.insert(n, props);
                }
            }
            "text:p" | "text:h" => {
                self.in_paragraph = false;
                self.span_styles.clear();
            }
            "text:span" if self.in_paragraph => {
                self.span_styles.pop();
            }
            "table:table-cell" if self.cell.is_some() => self.finish_cell()?,
            "table:table-row" if self.grid.is_some() && self.cell.is_none() => self.flush_row()?,
            "table:table" if self.grid.is_some() && self.cell.is_none() => self.finish_sheet()?,
            _ => {}
        }
        Ok(())
    }

    fn new_cell(&self, e: &BytesStart<'_>) -> CellState {
        let style = attr(e, "table:style-name")
            .or_else(|| self.row_style.clone())
            .or_else(|| self.column_styles.get(self.col as usize).cloned().flatten());
        let mut format = RunFormat::default();
        let mut shading = None;
        if let Some(props) = style.as_ref().and_then(|s| self.styles.get(s)) {
            props.apply(&mut format);
            shading = props.background.clone().flatten();
        }
        let value = match attr(e, "office:value-type").as_deref() {
            Some("float") => attr(e, "office:value").and_then(|v| v.trim().parse::<f64>().ok()).map(number_text),
            Some("date") => attr(e, "office:date-value").map(|v| iso_date_text(&v)),
            Some("boolean") => attr(e, "office:boolean-value").map(|v| {
                if v.eq_ignore_ascii_case("true") { "TRUE".to_string() } else { "FALSE".to_string() }
            }),
            // Strings, percentages, currency and times read as displayed.
            _ => None,
        };
        CellState {
            col: self.col,
            repeat: number_attr(e, "table:number-columns-repeated").unwrap_or(1).max(1),
            spans: (
                number_attr(e, "table:number-rows-spanned").unwrap_or(1).max(1),
                number_attr(e, "table:number-columns-spanned").unwrap_or(1).max(1),
            ),
            format,
            shading,
            value,
            paragraphs: Vec::new(),
        }
    }

    fn push_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let Some(cell) = self.cell.as_mut() else { return };
        let mut format = cell.format.clone();
        for s in self.span_styles.iter().flatten() {
            if let Some(props) = self.styles.get(s) {
                props.apply(&mut format);
            }
        }
        if cell.paragraphs.is_empty() {
            cell.paragraphs.push(Vec::new());
        }
        let Some(runs) = cell.paragraphs.last_mut() else { return };
        match runs.last_mut() {
            Some(last) if last.format == format => last.text.push_str(text),
            _ => runs.push(Run { text: text.to_string(), format, kind: RunKind::Text }),
        }
    }

    fn finish_cell(&mut self) -> Result<(), ReadError> {
        let Some(cell) = self.cell.take() else { return Ok(()) };
        self.in_paragraph = false;
        self.col = cell.col.saturating_add(cell.repeat);
        let runs: Vec<Run> = match cell.value {
            // A typed value (number, date) reads as its value, with the cell's formatting.
            Some(v) => vec![Run { text: v, format: cell.format.clone(), kind: RunKind::Text }],
            None => {
                let mut runs = Vec::new();
                for (i, para) in cell.paragraphs.into_iter().enumerate() {
                    if i > 0 {
                        runs.push(Run { text: "\n".into(), format: cell.format.clone(), kind: RunKind::Text });
                    }
                    runs.extend(para);
                }
                runs
            }
        };
        let data = CellData { runs, shading: cell.shading };
        let blank = data.shading.is_none() && data.runs.iter().all(|r| r.text.is_empty());
        if cell.spans != (1, 1) && cell.col < u64::from(MAX_COLS) {
            self.row_merges.push((cell.col, cell.spans.0, cell.spans.1, 0));
        }
        if blank {
            // An empty merged region still needs its top-left to exist for the merge to apply.
            if cell.spans == (1, 1) {
                return Ok(());
            }
        }
        let first = cell.col;
        let last = cell.col.saturating_add(cell.repeat).min(u64::from(MAX_COLS));
        if first >= u64::from(MAX_COLS) {
            if let Some(g) = self.grid.as_mut() {
                g.truncated |= !blank;
            }
            return Ok(());
        }
        for c in first..last {
            self.row_cells.push((c, 1, data.clone()));
        }
        if cell.col.saturating_add(cell.repeat) > u64::from(MAX_COLS) && !blank {
            if let Some(g) = self.grid.as_mut() {
                g.truncated = true;
            }
        }
        Ok(())
    }

    fn flush_row(&mut self) -> Result<(), ReadError> {
        let Some(grid) = self.grid.as_mut() else { return Ok(()) };
        let repeat = self.row_repeat.max(1);
        let has_content = !self.row_cells.is_empty();
        if has_content {
            let first = self.row;
            let last = self.row.saturating_add(repeat).min(u64::from(MAX_ROWS));
            if self.row.saturating_add(repeat) > u64::from(MAX_ROWS) {
                grid.truncated = true;
            }
            for r in first..last {
                self.deadline.check()?;
                for (c, _, data) in &self.row_cells {
                    grid.add(r as u32, *c as u32, data.clone(), &mut self.budget)?;
                }
                for &(c, rows, cols, _) in &self.row_merges {
                    let last_row = (r.saturating_add(rows) - 1).min(u64::from(u32::MAX)) as u32;
                    let last_col = (c.saturating_add(cols) - 1).min(u64::from(u32::MAX)) as u32;
                    grid.merge(Merge { first: (r as u32, c as u32), last: (last_row, last_col) });
                }
            }
        }
        self.row = self.row.saturating_add(repeat);
        self.row_cells.clear();
        self.row_merges.clear();
        self.row_repeat = 1;
        self.row_style = None;
        Ok(())
    }

    fn finish_sheet(&mut self) -> Result<(), ReadError> {
        let Some(grid) = self.grid.take() else { return Ok(()) };
        if grid.truncated {
            super::truncated_note(&mut self.doc, self.sheet_number);
        }
        let table = grid.into_table(&mut self.budget)?;
        super::push_sheet(&mut self.doc, table);
        Ok(())
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).map(|a| a.value.into_owned())
}

fn number_attr(e: &BytesStart<'_>, name: &str) -> Option<u64> {
    attr(e, name).and_then(|v| v.trim().parse::<u64>().ok())
}
