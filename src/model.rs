//! The neutral document model every reader produces and the extractor reads.
//!
//! A return may arrive as Word, OpenDocument, a spreadsheet or typed-up text; each reader turns
//! its file into this one shape so that a new format is one new reader, never a new extractor.
//! The model keeps only what a person uses to see an answer: the order of paragraphs and tables,
//! cell text, and the formatting marks (bold, highlight, shading, colour, strike, ticked boxes)
//! that people use to pick YES or NO.

use std::fmt;

/// The kind of file a return was read from, as written in the record's `format` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Docx,
    Doc,
    Odt,
    Rtf,
    Xlsx,
    Xlsm,
    Xls,
    Ods,
    Txt,
    Pdf,
    /// Not yet identified (a file that failed before its type was known).
    Unknown,
}

impl Format {
    /// The record's `format` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Doc => "doc",
            Format::Odt => "odt",
            Format::Rtf => "rtf",
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Txt => "txt",
            Format::Pdf => "pdf",
            Format::Unknown => "unknown",
        }
    }

    /// True for spreadsheet formats (cells carry no run formatting beyond what calamine gives).
    pub fn is_spreadsheet(self) -> bool {
        matches!(self, Format::Xlsx | Format::Xlsm | Format::Xls | Format::Ods)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole document: its blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// Page headers and footers (the form's edition "July 2019" is printed there), kept apart from
    /// the body so they never interleave with answers.
    pub furniture: Vec<Block>,
    /// Parts of the form the reader saw but could not read (a mark it could not place, a sheet it
    /// could not open): each becomes a warning in the record and makes the record partial.
    /// Never personal data.
    pub unread: Vec<String>,
    /// Things the reader noticed but could still read past (e.g. "a text box was empty").
    /// Never personal data: these go to logs and the Problems sheet.
    pub notes: Vec<String>,
}

/// A paragraph or a table, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

/// One paragraph: a sequence of runs sharing nothing but their line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paragraph {
    pub runs: Vec<Run>,
}

impl Paragraph {
    /// A paragraph of one plain run (what text and spreadsheet readers mostly produce).
    pub fn plain(text: impl Into<String>) -> Self {
        Paragraph { runs: vec![Run::plain(text)] }
    }

    /// The paragraph's text, runs concatenated (line breaks inside the paragraph as `\n`).
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// A stretch of text with one formatting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    /// The text; a line break inside a paragraph is `\n`, a tab `\t`.
    /// A ticked box or Wingdings tick is given as its Unicode look-alike (☒, ☐, ✓) with `kind` set.
    pub text: String,
    pub format: RunFormat,
    pub kind: RunKind,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Self {
        Run { text: text.into(), format: RunFormat::default(), kind: RunKind::Text }
    }
}

/// What a run is, beyond text: form controls carry their state here, whatever glyph they show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunKind {
    #[default]
    Text,
    /// A checkbox (content control, legacy form field, ODF form control): checked or not.
    Checkbox { checked: bool },
    /// A symbol-font character (Wingdings etc.) mapped to its Unicode look-alike in `text`.
    Symbol,
}

/// The formatting people use as a mark. Colours are upper-case hex "RRGGBB" or a highlight name
/// ("yellow"); "auto", "clear", "none", black and white are never stored (they are not marks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFormat {
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub strike: bool,
    /// Highlighter colour (Word's `w:highlight`, ODF `fo:background-color` on text).
    pub highlight: Option<String>,
    /// Run shading (`w:shd` fill on the run).
    pub shading: Option<String>,
    /// Font colour other than automatic/black.
    pub colour: Option<String>,
    /// Circled or boxed (`w:bdr` on the run, ODF border): a drawn circle around a choice.
    pub boxed: bool,
}

impl RunFormat {
    /// True when the run carries any formatting a person could use to mark a choice.
    pub fn is_marked(&self) -> bool {
        self.bold
            || self.underline
            || self.highlight.is_some()
            || self.shading.is_some()
            || self.colour.is_some()
            || self.boxed
    }
}

/// A table: rows of cells. Merged cells appear once; see [`Cell::span`] and [`Cell::merged_above`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub rows: Vec<Row>,
    /// Where the table came from when that helps the reader of a warning (a sheet name).
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub cells: Vec<Cell>,
}

/// One cell: its own blocks (paragraphs, nested tables), its shading and how many grid columns
/// it spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub blocks: Vec<Block>,
    /// Cell background fill (hex "RRGGBB"), not stored when auto/clear/white.
    pub shading: Option<String>,
    /// Grid columns spanned (gridSpan); 1 for an ordinary cell.
    pub span: u32,
    /// True for the continuation of a vertically merged cell: it holds no text of its own (the
    /// text belongs to the cell above) and must not be read twice.
    pub merged_above: bool,
}

impl Default for Cell {
    fn default() -> Self {
        Cell { blocks: Vec::new(), shading: None, span: 1, merged_above: false }
    }
}

impl Cell {
    /// A cell holding one plain paragraph.
    pub fn plain(text: impl Into<String>) -> Self {
        Cell { blocks: vec![Block::Paragraph(Paragraph::plain(text))], ..Cell::default() }
    }

    /// The cell's text: paragraphs joined by `\n`, nested tables' cells likewise.
    pub fn text(&self) -> String {
        let mut out = String::new();
        blocks_text(&self.blocks, &mut out);
        out
    }

    /// Every run in the cell, nested tables included, in order.
    pub fn runs(&self) -> Vec<&Run> {
        let mut out = Vec::new();
        collect_runs(&self.blocks, &mut out);
        out
    }
}

fn blocks_text(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Paragraph(p) => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&p.text());
            }
            Block::Table(t) => {
                for row in &t.rows {
                    for cell in &row.cells {
                        let text = cell.text();
                        if !text.is_empty() {
                            if !out.is_empty() {
                                out.push('\n');
                            }
                            out.push_str(&text);
                        }
                    }
                }
            }
        }
    }
}

fn collect_runs<'a>(blocks: &'a [Block], out: &mut Vec<&'a Run>) {
    // Recursion is bounded: readers refuse tables nested deeper than `read::Limits::max_depth`.
    for block in blocks {
        match block {
            Block::Paragraph(p) => out.extend(p.runs.iter()),
            Block::Table(t) => {
                for row in &t.rows {
                    for cell in &row.cells {
                        collect_runs(&cell.blocks, out);
                    }
                }
            }
        }
    }
}

/// Word's highlighter palette by hex colour. Producers that turn `w:highlight` into a plain
/// character background (LibreOffice, PDF printers) are given back the highlight name the .docx
/// reader reports, so a highlight reads the same whoever wrote the file.
pub fn word_highlight_name(hex: &str) -> Option<&'static str> {
    Some(match hex {
        "FFFF00" => "yellow",
        "00FF00" => "green",
        "00FFFF" => "cyan",
        "FF00FF" => "magenta",
        "0000FF" => "blue",
        "FF0000" => "red",
        "000080" => "darkBlue",
        "008080" => "darkCyan",
        "008000" => "darkGreen",
        "800080" => "darkMagenta",
        "800000" => "darkRed",
        "808000" => "darkYellow",
        "808080" => "darkGray",
        "C0C0C0" => "lightGray",
        "000000" => "black",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_text_joins_paragraphs_with_newlines() {
        let cell = Cell {
            blocks: vec![
                Block::Paragraph(Paragraph::plain("first")),
                Block::Paragraph(Paragraph::plain("second")),
            ],
            ..Cell::default()
        };
        assert_eq!(cell.text(), "first\nsecond");
        assert_eq!(cell.runs().len(), 2);
    }

    #[test]
    fn plain_format_is_not_a_mark() {
        assert!(!RunFormat::default().is_marked());
        let bold = RunFormat { bold: true, ..RunFormat::default() };
        assert!(bold.is_marked());
    }
}
