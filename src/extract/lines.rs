//! The document flattened into lines: a paragraph (split at its line breaks) is a line of one cell;
//! a table row is a line of cells with their grid columns. Tables used only as a frame around the
//! form (one cell holding the real tables) are looked through.

use std::cell::OnceCell;

use super::text::normalise_prefix;

/// How much of a line [`Line::normalised`] keeps.
pub const NORMALISED_PREFIX: usize = 200;
use crate::model::{Block, Cell, Document, Paragraph, Run, Table};

/// One cell of a line.
#[derive(Debug, Clone)]
pub struct LineCell<'a> {
    /// First grid column (spans counted).
    pub col: u32,
    pub span: u32,
    pub text: String,
    pub runs: Vec<Run>,
    pub shading: Option<&'a str>,
    pub merged_above: bool,
    _cell: Option<&'a Cell>,
}

impl LineCell<'_> {
    /// The cell's runs split into lines at `\n`.
    pub fn run_lines(&self) -> Vec<Vec<Run>> {
        split_runs(&self.runs)
    }
}

/// A paragraph or a table row.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    pub cells: Vec<LineCell<'a>>,
    /// Which table the row belongs to (`None` for a paragraph).
    pub table: Option<usize>,
    /// The cells' text joined by tabs, built once (the extractor asks for it many times a line).
    text: String,
    /// [`normalise`]d `text`, built when first asked for.
    normalised: OnceCell<String>,
}

impl<'a> Line<'a> {
    pub fn is_row(&self) -> bool {
        self.table.is_some()
    }

    fn new(cells: Vec<LineCell<'a>>, table: Option<usize>) -> Self {
        let parts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        let text = parts.join("\t");
        Line { cells, table, text, normalised: OnceCell::new() }
    }

    /// The start of the line's text [`normalise`]d (lower-case words separated by single spaces),
    /// built once: at least [`NORMALISED_PREFIX`] bytes of it, enough to find the form's titles and
    /// labels, which stand at the start of their line (a long comment is not lower-cased to its end).
    pub fn normalised(&self) -> &str {
        self.normalised.get_or_init(|| normalise_prefix(&self.text, NORMALISED_PREFIX))
    }

    /// The line's text: cells joined by tabs.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// All runs of the line (cells separated by a tab run).
    pub fn runs(&self) -> Vec<Run> {
        let mut out = Vec::new();
        for (i, c) in self.cells.iter().enumerate() {
            if i > 0 {
                out.push(Run::plain("\t"));
            }
            out.extend(c.runs.iter().cloned());
        }
        out
    }

    /// Non-empty cells.
    pub fn filled(&self) -> impl Iterator<Item = &LineCell<'_>> {
        self.cells.iter().filter(|c| !c.text.trim().is_empty())
    }
}

/// Split runs at line breaks into lines of runs.
pub fn split_runs(runs: &[Run]) -> Vec<Vec<Run>> {
    let mut lines: Vec<Vec<Run>> = vec![Vec::new()];
    for r in runs {
        let mut parts = r.text.split('\n').peekable();
        while let Some(part) = parts.next() {
            if !part.is_empty() {
                if let Some(last) = lines.last_mut() {
                    last.push(Run { text: part.to_string(), format: r.format.clone(), kind: r.kind });
                }
            } else if r.text.is_empty() {
                // A checkbox with no glyph still counts.
                if let Some(last) = lines.last_mut() {
                    last.push(r.clone());
                }
            }
            if parts.peek().is_some() {
                lines.push(Vec::new());
            }
        }
    }
    lines
}

/// Word's prompts in an empty content control. In a .docx the control says it shows its
/// placeholder; converted to .doc, .odt or PDF the prompt is plain text, and must not be read
/// as an answer.
const PLACEHOLDERS: [&str; 5] =
    ["Click or tap here to enter text.", "Click here to enter text.", "Click or tap to enter a date.", "Click here to enter a date.", "Choose an item."];

/// Runs with Word's placeholder prompts taken out.
fn without_placeholders(runs: &[Run]) -> std::borrow::Cow<'_, [Run]> {
    let prompt = |t: &str| (t.contains("Click") || t.contains("Choose")) && PLACEHOLDERS.iter().any(|p| t.contains(p));
    if !runs.iter().any(|r| prompt(&r.text)) {
        return std::borrow::Cow::Borrowed(runs);
    }
    let cleaned = runs
        .iter()
        .filter_map(|r| {
            if !prompt(&r.text) {
                return Some(r.clone());
            }
            let text = PLACEHOLDERS.iter().fold(r.text.clone(), |t, p| t.replace(p, ""));
            (!text.is_empty()).then(|| Run { text, ..r.clone() })
        })
        .collect();
    std::borrow::Cow::Owned(cleaned)
}

fn paragraph_lines<'a>(p: &'a Paragraph, out: &mut Vec<Line<'a>>) {
    for runs in split_runs(&without_placeholders(&p.runs)) {
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        out.push(Line::new(
            vec![LineCell { col: 0, span: 1, text, runs, shading: None, merged_above: false, _cell: None }],
            None,
        ));
    }
}

fn cell_runs(cell: &Cell) -> Vec<Run> {
    // Paragraphs of a cell joined by line breaks; nested tables' text included.
    let mut out: Vec<Run> = Vec::new();
    let mut first = true;
    let mut stack: Vec<(&[Block], usize)> = vec![(&cell.blocks, 0)];
    while let Some((blocks, i)) = stack.pop() {
        let Some(block) = blocks.get(i) else { continue };
        stack.push((blocks, i + 1));
        match block {
            Block::Paragraph(p) => {
                if !first {
                    out.push(Run::plain("\n"));
                }
                first = false;
                out.extend(without_placeholders(&p.runs).iter().cloned());
            }
            Block::Table(t) => {
                for row in t.rows.iter().rev() {
                    for c in row.cells.iter().rev() {
                        stack.push((&c.blocks, 0));
                    }
                }
            }
        }
    }
    out
}

/// A table that only frames other tables (one filled cell per row, holding tables).
fn is_frame(t: &Table) -> bool {
    t.rows.iter().all(|r| {
        let filled: Vec<&Cell> = r.cells.iter().filter(|c| !c.blocks.is_empty()).collect();
        filled.len() <= 1
    }) && t.rows.iter().any(|r| r.cells.iter().any(|c| c.blocks.iter().any(|b| matches!(b, Block::Table(_)))))
}

/// Flatten the document body into lines.
pub fn lines(doc: &Document) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut table_no = 0usize;
    // Explicit stack of block slices (frames can nest).
    let mut stack: Vec<(&[Block], usize)> = vec![(&doc.blocks, 0)];
    while let Some((blocks, i)) = stack.pop() {
        let Some(block) = blocks.get(i) else { continue };
        stack.push((blocks, i + 1));
        match block {
            Block::Paragraph(p) => paragraph_lines(p, &mut out),
            Block::Table(t) if is_frame(t) => {
                for row in t.rows.iter().rev() {
                    for c in row.cells.iter().rev() {
                        stack.push((&c.blocks, 0));
                    }
                }
            }
            Block::Table(t) => {
                table_no += 1;
                for row in &t.rows {
                    let mut col = 0u32;
                    let mut cells = Vec::with_capacity(row.cells.len());
                    for c in &row.cells {
                        let runs = if c.merged_above { Vec::new() } else { cell_runs(c) };
                        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
                        let span = c.span.max(1);
                        cells.push(LineCell {
                            col,
                            span,
                            text,
                            runs,
                            shading: c.shading.as_deref(),
                            merged_above: c.merged_above,
                            _cell: Some(c),
                        });
                        col = col.saturating_add(span);
                    }
                    out.push(Line::new(cells, Some(table_no)));
                }
            }
        }
    }
    out
}

/// The furniture (headers/footers) as plain text lines.
pub fn furniture_text(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(&[Block], usize)> = vec![(&doc.furniture, 0)];
    while let Some((blocks, i)) = stack.pop() {
        let Some(block) = blocks.get(i) else { continue };
        stack.push((blocks, i + 1));
        match block {
            Block::Paragraph(p) => out.push(p.text()),
            Block::Table(t) => {
                for row in &t.rows {
                    for c in &row.cells {
                        out.push(c.text());
                    }
                }
            }
        }
    }
    out
}
