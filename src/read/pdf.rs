//! PDF returns with a text layer → the document model, through poppler's `pdftotext`.
//!
//! Schools print the Word form to PDF. The text layer keeps every word and where it stands on
//! the page, but no table structure and no formatting (highlight, bold, shading and colour are
//! lost: a row marked only that way reads as unanswered, and the extractor must say so).
//!
//! `pdftotext -layout` (the brief's first idea) re-flows each page to a character grid whose
//! columns shift from page to page, so instead this reader asks `pdftotext -bbox` for every
//! word with its position in points. Positions are the same on every page, so the column
//! edges taken from a section header line ("BASIC INFORMATION  YES  NO  Comments/Actions") split
//! every later row into [number, question, YES, NO, Comments], like the Word reader gives it.
//! A row begins at a row number in the left column; its wrapped lines continue the cells above
//! them. A soft wrap (the next word would not have fitted on the line above) joins with a space,
//! a shorter line ends a paragraph ("\n" in the cell's text).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::catalogue;
use crate::model::{Block, Cell, Document, Paragraph, Row, Run, RunFormat, Table};
use crate::read::text::{clean_mark, row_number};
use crate::read::{Deadline, Limits, ReadError};

/// Longest time `pdftotext` may run on one file before it is stopped.
const TOOL_TIME: Duration = Duration::from_secs(15);
/// The last page read: the form prints on about six; a 50,000-page PDF is not read to its end.
const LAST_PAGE: &str = "40";
/// Longest time each formatting helper (`pdftohtml`, `pdftocairo`) may run; without them the
/// text is still read.
const FORMAT_TIME: Duration = Duration::from_secs(10);
/// Most bytes of `pdftotext` output read (a form is well under 1 MB of word boxes).
const MAX_OUTPUT: u64 = 64 * 1024 * 1024;

fn needs_tool() -> ReadError {
    ReadError::NeedsTool("PDF: install poppler-utils (apt install poppler-utils) to read PDF returns".into())
}

/// Read a PDF return through `pdftotext`.
pub fn read(path: &Path, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    read_with(path, find_on_path("pdftotext").as_deref(), limits, deadline)
}

/// As [`read`], with the `pdftotext` program given (`None`: not installed).
pub fn read_with(path: &Path, tool: Option<&Path>, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let tool = tool.ok_or_else(needs_tool)?;
    let output = run_tool(tool, &["-bbox", "-enc", "UTF-8", "-l", LAST_PAGE], path, true, TOOL_TIME)?;
    deadline.check()?;
    let mut pages = parse_bbox(&String::from_utf8_lossy(&output), deadline)?;
    if pages.iter().all(|p| p.words.is_empty()) {
        return Err(ReadError::ScannedImage);
    }
    // Formatting people mark answers with: bold and colour from pdftohtml, highlight, cell
    // shading, underline and strike-through from the drawing (pdftocairo). Both come with
    // poppler-utils; without them the text is still read.
    let mut notes = Vec::new();
    match sibling_tool(tool, "pdftohtml") {
        Some(t) => match run_tool(&t, &["-xml", "-i", "-zoom", "1", "-stdout", "-q", "-enc", "UTF-8", "-l", LAST_PAGE], path, false, FORMAT_TIME) {
            Ok(xml) => apply_text_styles(&mut pages, &String::from_utf8_lossy(&xml), deadline)?,
            Err(_) => notes.push("PDF: bold and coloured text could not be read (pdftohtml failed)".to_string()),
        },
        None => notes.push("PDF: bold and coloured text not read (pdftohtml not installed)".to_string()),
    }
    deadline.check()?;
    let mut shades = Vec::new();
    match sibling_tool(tool, "pdftocairo") {
        Some(t) => match run_tool(&t, &["-svg", "-l", LAST_PAGE], path, true, FORMAT_TIME) {
            Ok(svg) => {
                let graphics = parse_svg(&String::from_utf8_lossy(&svg), deadline)?;
                shades = apply_graphics(&mut pages, graphics);
            }
            Err(_) => notes.push("PDF: highlight, shading and underline could not be read (pdftocairo failed)".to_string()),
        },
        None => notes.push("PDF: highlight, shading and underline not read (pdftocairo not installed)".to_string()),
    }
    let mut doc = layout(pages, &shades, false, limits, deadline)?;
    doc.notes.extend(notes);
    Ok(doc)
}

/// Column-aligned text (OCR output, or `pdftotext -layout` saved as .txt) read with the same
/// layout rules as a PDF: each character is a fixed-width cell of the grid, each line a line
/// of the page, a form feed a new page.
pub fn read_layout_text(text: &str, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    const CHAR_W: f64 = 6.0;
    const LINE_H: f64 = 12.0;
    let mut pages: Vec<Page> = vec![Page { height: 842.0, words: Vec::new() }];
    let mut row = 0usize;
    for (n, line) in text.split('\n').enumerate() {
        if n % 4096 == 0 {
            deadline.check()?;
        }
        let mut line = line;
        while let Some(ff) = line.find('\u{0C}') {
            // A form feed starts a new page; text after it is on the new page's first line.
            pages.push(Page { height: 842.0, words: Vec::new() });
            row = 0;
            line = &line[ff + 1..];
        }
        let y0 = 20.0 + row as f64 * LINE_H;
        let mut col = 0usize;
        let mut word = String::new();
        let mut start = 0usize;
        let Some(page) = pages.last_mut() else { break };
        let flush = |word: &mut String, start: usize, page: &mut Page| {
            if !word.is_empty() {
                let len = word.chars().count();
                page.words.push(Word {
                    x0: start as f64 * CHAR_W,
                    x1: (start + len) as f64 * CHAR_W,
                    y0,
                    y1: y0 + LINE_H + 1.0,
                    text: symbol_lookalike(word),
                    format: RunFormat::default(),
                    glued: false,
                });
                word.clear();
            }
        };
        for c in line.chars() {
            if c == '\t' {
                flush(&mut word, start, page);
                col = (col / 8 + 1) * 8;
                continue;
            }
            if c.is_whitespace() {
                flush(&mut word, start, page);
            } else {
                if word.is_empty() {
                    start = col;
                }
                word.push(c);
            }
            col += 1;
        }
        flush(&mut word, start, page);
        row += 1;
    }
    for p in &mut pages {
        p.height = 40.0 + p.words.iter().map(|w| w.y1).fold(0.0, f64::max);
    }
    layout(pages, &[], true, limits, deadline)
}

/// Another poppler program: beside `pdftotext` first, else on the PATH.
fn sibling_tool(tool: &Path, name: &str) -> Option<PathBuf> {
    tool.parent().map(|d| d.join(name)).filter(|p| p.is_file()).or_else(|| find_on_path(name))
}

/// `name` on the PATH, if there.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// The address space a poppler helper may use (bytes).
#[cfg(unix)]
const HELPER_MEMORY: libc::rlim_t = 512 * 1024 * 1024;

/// Run a poppler program on the file, its output to stdout (`-` as output file when
/// `dash_output`), stopped after `time`.
fn run_tool(tool: &Path, args: &[&str], path: &Path, dash_output: bool, time: Duration) -> Result<Vec<u8>, ReadError> {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(path);
    if dash_output {
        cmd.arg("-");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // A few hundred KB of PDF can make poppler allocate gigabytes: its address space is capped
        // (it then fails, and the file gets a failed record, rather than the machine swapping).
        // SAFETY: the closure runs in the child between fork and exec; it only calls setrlimit(2),
        // which is async-signal-safe, on a value on its own stack.
        unsafe {
            cmd.pre_exec(|| {
                let cap = libc::rlimit { rlim_cur: HELPER_MEMORY, rlim_max: HELPER_MEMORY };
                libc::setrlimit(libc::RLIMIT_AS, &cap);
                Ok(())
            });
        }
    }
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().map_err(|_| needs_tool())?;
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(ReadError::Other("could not run a PDF helper program".into()));
    };
    // Read on a thread so a full pipe never stops the child while we wait for it.
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let res = stdout.take(MAX_OUTPUT).read_to_end(&mut buf);
        res.map(|_| buf)
    });
    let stop = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
    };
    let start = Instant::now();
    loop {
        if start.elapsed() > time {
            stop(&mut child);
            let _ = reader.join();
            return Err(ReadError::TooSlow);
        }
        if reader.is_finished() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let bytes = match reader.join() {
        Ok(Ok(b)) => b,
        _ => {
            stop(&mut child);
            return Err(ReadError::Other("could not read a PDF helper program's output".into()));
        }
    };
    if bytes.len() as u64 >= MAX_OUTPUT {
        // Still writing past the cap: a page description no return needs.
        stop(&mut child);
        return Err(ReadError::TooLarge("the PDF holds more text or drawing than any return".into()));
    }
    // Output closed: the program is finishing; give it the rest of its time to exit.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > time => {
                stop(&mut child);
                return Err(ReadError::TooSlow);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                stop(&mut child);
                return Err(ReadError::Other("could not run a PDF helper program".into()));
            }
        }
    };
    if !status.success() {
        // poppler's programs exit 1 on a damaged file, 3 on a permission (encryption) error.
        return Err(match status.code() {
            Some(1) => ReadError::Damaged("the PDF could not be opened".into()),
            Some(3) => ReadError::Encrypted,
            _ => ReadError::Damaged("the PDF could not be read".into()),
        });
    }
    Ok(bytes)
}

/// One word and its box, in points from the page's top left.
#[derive(Debug, Clone)]
struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
    /// Bold and colour (from `pdftohtml`), highlight and underline (from the page's drawing).
    format: RunFormat,
    /// Part of the word before it, split where a mark starts or ends ("Y" of "Y/N"): no space.
    glued: bool,
}

#[derive(Debug, Default)]
struct Page {
    height: f64,
    words: Vec<Word>,
}

fn attr(tag: &str, name: &str) -> Option<f64> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let rest = tag.get(start..)?;
    let end = rest.find('"')?;
    rest.get(..end)?.parse().ok()
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let name = &after[..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => out.push(c),
            None => {
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `pdftotext -bbox` writes one `<page>` or `<word>` element per line.
fn parse_bbox(xhtml: &str, deadline: &Deadline) -> Result<Vec<Page>, ReadError> {
    let mut pages: Vec<Page> = Vec::new();
    for (i, line) in xhtml.lines().enumerate() {
        if i % 4096 == 0 {
            deadline.check()?;
        }
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push(Page { height: attr(line, "height").unwrap_or(842.0), words: Vec::new() });
        } else if line.starts_with("<word ") {
            let (Some(open_end), Some(close)) = (line.find('>'), line.rfind("</word>")) else { continue };
            if close <= open_end {
                continue;
            }
            let tag = &line[..open_end];
            let (Some(x0), Some(y0), Some(x1), Some(y1)) = (attr(tag, "xMin"), attr(tag, "yMin"), attr(tag, "xMax"), attr(tag, "yMax")) else {
                continue;
            };
            let text = symbol_lookalike(&unescape(&line[open_end + 1..close]));
            if text.trim().is_empty() {
                continue;
            }
            if pages.is_empty() {
                pages.push(Page { height: 842.0, words: Vec::new() });
            }
            if let Some(p) = pages.last_mut() {
                p.words.push(Word { x0, y0, x1, y1, text, format: RunFormat::default(), glued: false });
            }
        }
    }
    Ok(pages)
}

/// Wingdings ticks and crosses come out of the PDF as private-use characters (U+F0FC) or as
/// the Latin-1 letter of the same code ("ü"); give them as their Unicode look-alikes, as the
/// Word reader does. A Latin-1 letter is only taken for a symbol when it stands alone.
fn symbol_lookalike(word: &str) -> String {
    fn wingdings(code: u32) -> Option<char> {
        match code {
            0xFB => Some('✗'),
            0xFC => Some('✓'),
            0xFD => Some('☒'),
            0xFE => Some('☑'),
            0xA8 | 0x6F => Some('☐'),
            _ => None,
        }
    }
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if matches!(c, 'û' | 'ü' | 'ý' | 'þ') {
            if let Some(m) = wingdings(c as u32) {
                return m.to_string();
            }
        }
    }
    word.chars()
        .map(|c| {
            let u = c as u32;
            if (0xF000..=0xF0FF).contains(&u) {
                wingdings(u - 0xF000).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// A line of words sharing a baseline, in reading order.
#[derive(Debug)]
struct Line {
    page: usize,
    y0: f64,
    y1: f64,
    words: Vec<Word>,
}

impl Line {
    fn text(&self) -> String {
        let mut out = String::new();
        for (i, w) in self.words.iter().enumerate() {
            if i > 0 && !w.glued {
                out.push(' ');
            }
            out.push_str(&w.text);
        }
        out
    }

    fn x0(&self) -> f64 {
        self.words.first().map(|w| w.x0).unwrap_or(0.0)
    }
}

fn lines_of(pages: &[Page]) -> Vec<Line> {
    let mut out = Vec::new();
    for (pi, page) in pages.iter().enumerate() {
        let mut words = page.words.clone();
        words.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
        let mut lines: Vec<Line> = Vec::new();
        for w in words {
            let h = (w.y1 - w.y0).max(1.0);
            // Same line when the tops are within a third of a line height (a symbol font's box
            // sits a little higher or lower than the text beside it).
            let joined = match lines.last_mut() {
                Some(l) if (w.y0 - l.y0).abs() < h * 0.4 => {
                    l.words.push(w.clone());
                    true
                }
                _ => false,
            };
            if !joined {
                lines.push(Line { page: pi, y0: w.y0, y1: w.y1, words: vec![w] });
            }
        }
        for l in &mut lines {
            l.words.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        }
        out.extend(lines);
    }
    out
}

/// Lines repeated near the top or bottom of two or more pages: the page header and footer
/// (the form's "July 2019").
fn furniture_texts(lines: &[Line], pages: &[Page]) -> Vec<String> {
    if pages.len() < 2 {
        return Vec::new();
    }
    let mut counts: Vec<(String, std::collections::BTreeSet<usize>)> = Vec::new();
    for l in lines {
        let h = pages.get(l.page).map(|p| p.height).unwrap_or(842.0);
        if l.y0 > h * 0.1 && l.y1 < h * 0.9 {
            continue;
        }
        let t = l.text();
        match counts.iter_mut().find(|(s, _)| *s == t) {
            Some((_, set)) => {
                set.insert(l.page);
            }
            None => counts.push((t, [l.page].into_iter().collect())),
        }
    }
    counts.into_iter().filter(|(_, set)| set.len() >= 2).map(|(t, _)| t).collect()
}

/// Where the columns of the question tables begin, from a section header line.
#[derive(Debug, Clone, Copy)]
struct Columns {
    /// Left edge of the question text (learnt from the first numbered row).
    question: Option<f64>,
    yes: f64,
    no: f64,
    comments: f64,
    /// How far left of a header word its column may begin (more in a character grid, where
    /// positions are rounded to whole characters).
    pad: f64,
    /// Where the row numbers stand.
    number: f64,
}

impl Columns {
    /// These columns for a row whose question starts at `q` (column-aligned text moves the
    /// question column by a character or two from row to row; the other edges stay).
    fn for_row(&self, q: f64) -> Columns {
        Columns { question: Some(q), ..*self }
    }

    /// Column index 0..5 of a word starting at `x` (marks may sit centred in their cell, so
    /// the edges are a little left of the header words).
    fn index(&self, x: f64) -> usize {
        let pad = self.pad;
        if x >= self.comments - pad {
            4
        } else if x >= self.no - pad {
            3
        } else if x >= self.yes - pad {
            2
        } else {
            match self.question {
                Some(q) if x < q - pad => 0,
                _ => 1,
            }
        }
    }
}

/// The header line's YES, NO and Comments/Actions words, if this line is one.
fn header_columns(line: &Line) -> Option<Columns> {
    let yes = line.words.iter().find(|w| w.text == "YES")?;
    let no = line.words.iter().find(|w| w.text == "NO" && w.x0 > yes.x0)?;
    let comments = line.words.iter().find(|w| w.text.starts_with("Comments") && w.x0 > no.x0)?;
    Some(Columns { question: None, yes: yes.x0, no: no.x0, comments: comments.x0, pad: 4.0, number: 0.0 })
}

fn action_columns(line: &Line) -> Option<[f64; 3]> {
    let t = line.text().to_uppercase();
    let [a, b, c] = catalogue::ACTION_COLUMNS;
    if !(t.contains(a) && t.contains(b) && t.contains(c)) {
        return None;
    }
    let first = line.words.first()?.x0;
    let by = line.words.iter().find(|w| w.text.eq_ignore_ascii_case("BY"))?.x0;
    let ts = line.words.iter().find(|w| w.text.eq_ignore_ascii_case("TIMESCALE"))?.x0;
    Some([first, by, ts])
}

/// A cell being filled line by line: its paragraphs (runs of one formatting each) and where
/// the last line ended.
#[derive(Debug, Default, Clone)]
struct CellText {
    paras: Vec<Vec<Run>>,
    shading: Option<String>,
    last_right: f64,
    /// Page and top of the last line added.
    last_at: Option<(usize, f64)>,
}

fn para_text(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

/// Append words to a paragraph's runs, a space between words, one run per formatting.
fn push_words(runs: &mut Vec<Run>, words: &[&Word]) {
    for w in words {
        if let (Some(last), false) = (runs.last_mut(), w.glued) {
            last.text.push(' ');
        }
        match runs.last_mut() {
            Some(last) if last.format == w.format => last.text.push_str(&w.text),
            _ => runs.push(Run { text: w.text.clone(), format: w.format.clone(), ..Run::default() }),
        }
    }
}

/// How a new line joins the text above it.
#[derive(Clone, Copy)]
enum Wrap {
    /// Paragraph text: a soft wrap whenever the first word would not have fitted above.
    Prose,
    /// Table cell: as prose, but a capitalised word after a line that did not end a sentence
    /// starts a new paragraph ("Own format used" / "See action plan"), since people type
    /// each remark in a comment on its own line.
    Cell,
}

impl CellText {
    fn fixed(text: &str) -> Self {
        CellText { paras: vec![vec![Run::plain(text)]], shading: None, last_right: f64::MAX, last_at: None }
    }

    /// Add this line's words; `limit` is the right edge text reaches in this column.
    fn add(&mut self, words: &[&Word], at: (usize, f64), limit: f64, wrap: Wrap) {
        let (Some(first), Some(last)) = (words.first(), words.last()) else { return };
        let height = (first.y1 - first.y0).max(1.0);
        let first_width = first.x1 - first.x0;
        let space = (height * 0.3).max(2.0);
        let next_line = match self.last_at {
            Some((page, y)) => page == at.0 && at.1 > y && at.1 - y <= height * 1.6,
            None => false,
        };
        let would_not_fit = self.last_right + space + first_width > limit - 1.0;
        // A remark typed on a line of its own: a capitalised word (not an acronym like "DSL")
        // after a line that did not end a sentence ("Own format used" / "See action plan").
        let first_text = first.text.as_str();
        let capital = first_text.chars().next().is_some_and(|c| c.is_uppercase())
            && first_text.chars().any(|c| c.is_lowercase());
        let ended_sentence = self.paras.last().is_some_and(|p| para_text(p).trim_end().ends_with(['.', '!', '?', ';', ':']));
        let new_remark = matches!(wrap, Wrap::Cell) && capital && !ended_sentence;
        // A bold question followed by a plain answer (or the other way) is two paragraphs.
        let weight_changes = self.paras.last().and_then(|p| p.last()).is_some_and(|r| r.format.bold != first.format.bold);
        let soft = next_line && would_not_fit && !new_remark && !weight_changes;
        match self.paras.last_mut() {
            Some(p) if soft => push_words(p, words),
            _ => {
                let mut p = Vec::new();
                push_words(&mut p, words);
                self.paras.push(p);
            }
        }
        self.last_right = last.x1;
        self.last_at = Some(at);
    }

    fn into_cell(self) -> Cell {
        Cell {
            blocks: self.paras.into_iter().map(|runs| Block::Paragraph(Paragraph { runs })).collect(),
            shading: self.shading,
            ..Cell::default()
        }
    }
}

enum Mode {
    Paragraphs,
    Questions(Columns),
    Actions([f64; 3]),
}

/// A table row being built, with where it stands on its first page (for cell shading).
struct RowAcc {
    cells: Vec<CellText>,
    /// A section title row (its first cell spans the number and question columns).
    section: bool,
    page: usize,
    top: f64,
    bottom: f64,
    cols: Option<Columns>,
}

impl RowAcc {
    fn new(cells: Vec<CellText>, section: bool, line: &Line, cols: Option<Columns>) -> Self {
        RowAcc { cells, section, page: line.page, top: line.y0, bottom: line.y1, cols }
    }

    fn extend_to(&mut self, line: &Line) {
        if line.page == self.page {
            self.bottom = self.bottom.max(line.y1);
        }
    }

    /// The cell a fill behind this row belongs to, if any.
    fn shade(&mut self, fill: &Fill) {
        let Some(cols) = self.cols else { return };
        let (cx, cy) = ((fill.x0 + fill.x1) / 2.0, (fill.y0 + fill.y1) / 2.0);
        if cy < self.top - 3.0 || cy > self.bottom + 3.0 {
            return;
        }
        let mut i = cols.index(cx + 4.0);
        if self.section {
            i = i.saturating_sub(1);
        }
        if let Some(c) = self.cells.get_mut(i) {
            c.shading = Some(fill.colour.clone());
        }
    }
}

struct Layout<'l> {
    blocks: Vec<Block>,
    rows: Vec<RowAcc>,
    /// Filled areas of each page that are no highlight: cell shading candidates.
    shades: &'l [Vec<Fill>],
    mode: Mode,
    /// Right edge reached by text in each question-table column.
    q_limits: [f64; 5],
    para_limit: f64,
    last_para: Option<CellText>,
    /// Where the paragraph being built starts on the page.
    para_x: f64,
    cells: usize,
    limits: &'l Limits,
}

impl Layout<'_> {
    fn flush_para(&mut self) {
        if let Some(p) = self.last_para.take() {
            for runs in p.paras {
                self.blocks.push(Block::Paragraph(Paragraph { runs }));
            }
        }
    }

    fn end_table(&mut self) -> Result<(), ReadError> {
        let rows = std::mem::take(&mut self.rows);
        if rows.is_empty() {
            return Ok(());
        }
        let mut table = Table::default();
        for mut row in rows {
            if let Some(fills) = self.shades.get(row.page) {
                for f in fills {
                    row.shade(f);
                }
            }
            let (cells, section) = (row.cells, row.section);
            self.cells += cells.len();
            if self.cells > self.limits.max_cells {
                return Err(ReadError::TooLarge(format!("more than {} table cells", self.limits.max_cells)));
            }
            let mut cells: Vec<Cell> = cells.into_iter().map(CellText::into_cell).collect();
            if section {
                if let Some(first) = cells.first_mut() {
                    first.span = 2;
                }
            }
            table.rows.push(Row { cells });
        }
        self.blocks.push(Block::Table(table));
        Ok(())
    }

    fn paragraph_line(&mut self, line: &Line) {
        let words: Vec<&Word> = line.words.iter().collect();
        let mut p = self.last_para.take().unwrap_or_default();
        // A new line starting further left or right than the text it would continue is a new
        // paragraph; otherwise the soft-wrap rule decides.
        let continues = p.paras.last().is_some() && (line.x0() - self.para_x).abs() < 2.0;
        if !continues {
            for runs in std::mem::take(&mut p.paras) {
                self.blocks.push(Block::Paragraph(Paragraph { runs }));
            }
            p = CellText::default();
        }
        self.para_x = line.x0();
        p.add(&words, (line.page, line.y0), self.para_limit, Wrap::Prose);
        self.last_para = Some(p);
    }
}

fn is_anchor(text: &str) -> bool {
    let t = text.trim_start();
    let lower = t.to_lowercase();
    lower.starts_with("standards and actions")
        || lower.starts_with("signed")
        || lower.starts_with("on completion of this audit")
        || catalogue::STANDARDS.iter().any(|f| lower.starts_with(&f.wording.to_lowercase()))
}

/// A section title as the form prints it: in capitals, alone on its line.
fn section_title(text: &str) -> bool {
    if text.chars().any(|c| c.is_lowercase()) {
        return false;
    }
    let sq: String = text.chars().filter(|c| c.is_alphanumeric()).flat_map(|c| c.to_uppercase()).collect();
    catalogue::SECTIONS.iter().any(|s| {
        let t: String = s.title.chars().filter(|c| c.is_alphanumeric()).collect();
        t == sq
    })
}

/// `fixed_pitch`: the words come from column-aligned text, where a character grid says nothing
/// of how much room a line had: a cell's next line then continues its text unless it starts a
/// new remark (the capital rule of [`Wrap::Cell`]).
fn layout(pages: Vec<Page>, shades: &[Vec<Fill>], fixed_pitch: bool, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let lines = lines_of(&pages);
    let furniture = furniture_texts(&lines, &pages);
    let body: Vec<&Line> = lines.iter().filter(|l| !furniture.contains(&l.text())).collect();

    // First pass: the columns of every header line, to learn how far text reaches in each.
    let mut q_limits = [0.0f64; 5];
    let mut para_limit = 0.0f64;
    {
        let mut mode: Option<Columns> = None;
        let mut q_x: Option<f64> = None;
        for l in &body {
            if let Some(c) = header_columns(l) {
                mode = Some(c);
                continue;
            }
            if is_anchor(&l.text()) || action_columns(l).is_some() {
                mode = None;
            }
            para_limit = para_limit.max(l.words.last().map(|w| w.x1).unwrap_or(0.0));
            if let Some(mut c) = mode {
                if q_x.is_none() {
                    if let (Some(first), Some(second)) = (l.words.first(), l.words.get(1)) {
                        if row_number(&first.text).is_some() && second.x0 < c.yes - 4.0 {
                            q_x = Some(second.x0);
                        }
                    }
                }
                c.question = q_x;
                for w in &l.words {
                    let i = c.index(w.x0);
                    if let Some(m) = q_limits.get_mut(i) {
                        *m = m.max(w.x1);
                    }
                }
            }
        }
        for l in &body {
            para_limit = para_limit.max(l.words.last().map(|w| w.x1).unwrap_or(0.0));
        }
    }
    if fixed_pitch {
        // No room is known in a character grid: every cell line "would not have fitted".
        q_limits = [0.0; 5];
    }

    let mut lay = Layout {
        shades,
        blocks: Vec::new(),
        rows: Vec::new(),
        mode: Mode::Paragraphs,
        q_limits,
        para_limit,
        last_para: None,
        cells: 0,
        limits,
        para_x: 0.0,
    };
    let mut question_x: Option<f64> = None;
    let mut number_x = 0.0f64;
    let wrap_pitch = wrap_pitch(&body);
    let mut prev_at: Option<(usize, f64)> = None;
    for (i, line) in body.iter().enumerate() {
        if i % 256 == 0 {
            deadline.check()?;
        }
        let this_at = (line.page, line.y0);
        let before = prev_at.replace(this_at);
        let prev_at = before;
        let text = line.text();
        if let Some(mut cols) = header_columns(line) {
            if fixed_pitch {
                cols.pad = 9.0;
            }
            lay.flush_para();
            lay.end_table()?;
            cols.question = question_x;
            let title: Vec<&Word> = line.words.iter().filter(|w| w.x0 < cols.yes - 4.0).collect();
            let mut first = CellText::default();
            first.add(&title, (line.page, line.y0), f64::MAX, Wrap::Prose);
            let mut cells = vec![first];
            for h in ["YES", "NO", "Comments/Actions"] {
                cells.push(CellText::fixed(h));
            }
            lay.rows.push(RowAcc::new(cells, true, line, Some(cols)));
            lay.mode = Mode::Questions(cols);
            continue;
        }
        if let Some(a) = action_columns(line) {
            lay.flush_para();
            lay.end_table()?;
            let cells = catalogue::ACTION_COLUMNS.iter().map(|h| CellText::fixed(h)).collect();
            lay.rows.push(RowAcc::new(cells, false, line, None));
            lay.mode = Mode::Actions(a);
            continue;
        }
        if is_anchor(&text) {
            lay.end_table()?;
            lay.mode = Mode::Paragraphs;
            lay.flush_para();
            lay.paragraph_line(line);
            continue;
        }
        match lay.mode {
            Mode::Questions(mut cols) => {
                cols.question = question_x;
                cols.number = number_x;
                let first = line.words.first();
                let numbered = first.and_then(|w| row_number(&w.text).map(|n| (n, w.x0)));
                // Back at the row numbers' column: closer to it than to the question's.
                let left = match cols.question {
                    Some(q) => line.x0() < q - 4.0 && line.x0() < (q + cols.number) / 2.0,
                    None => true,
                };
                // A section title in capitals alone on its line, in the number column or (when
                // the title stands in the question cell) the question column.
                if section_title(&text) {
                    // A section title row with no YES/NO headings (the form's own layout).
                    lay.end_table()?;
                    let mut title = CellText::default();
                    let words: Vec<&Word> = line.words.iter().collect();
                    title.add(&words, (line.page, line.y0), f64::MAX, Wrap::Prose);
                    let cells = vec![title, CellText::default(), CellText::default(), CellText::default()];
                    lay.rows.push(RowAcc::new(cells, true, line, Some(cols)));
                    continue;
                }
                if let (Some((n, _)), true) = (numbered, left) {
                    // Each row's question column starts where its question does (column-aligned
                    // text shifts it by a character or two from row to row).
                    let mut row_cols = cols;
                    if let Some(q) = line.words.get(1).map(|w| w.x0).filter(|x| *x < cols.yes - 4.0) {
                        question_x = Some(q);
                        number_x = line.x0();
                        cols.question = question_x;
                        cols.number = number_x;
                        lay.mode = Mode::Questions(cols);
                        row_cols = cols.for_row(q);
                    }
                    let cols = row_cols;
                    let mut cells = vec![CellText::fixed(&n)];
                    cells.extend((1..5).map(|_| CellText::default()));
                    add_words(&mut cells, line, 1, &cols, &lay.q_limits);
                    lay.rows.push(RowAcc::new(cells, false, line, Some(cols)));
                    continue;
                }
                if left {
                    // Text back at the left margin that is no row: the table has ended.
                    lay.end_table()?;
                    lay.mode = Mode::Paragraphs;
                    lay.paragraph_line(line);
                    continue;
                }
                let q_limits = lay.q_limits;
                match lay.rows.last_mut() {
                    Some(row) => {
                        let cols = row.cols.unwrap_or(cols);
                        add_words(&mut row.cells, line, 0, &cols, &q_limits);
                        row.extend_to(line);
                    }
                    None => lay.paragraph_line(line),
                }
            }
            Mode::Actions(a) => {
                // A line closer to the one above than lines of a paragraph are to each other
                // (plus a little) is that row's wrapped text; a table row adds cell padding.
                let wraps = match prev_at {
                    // In a character grid every line is as far from the next: a line starting
                    // in lower case continues the row above.
                    Some((page, _)) if fixed_pitch => {
                        page == line.page && line.words.first().is_some_and(|w| w.text.chars().next().is_some_and(|c| c.is_lowercase()))
                    }
                    Some((page, y)) => page == line.page && line.y0 - y <= wrap_pitch + 1.0,
                    None => false,
                };
                let mut per: [Vec<&Word>; 3] = Default::default();
                for w in &line.words {
                    let i = if w.x0 >= a[2] - 4.0 {
                        2
                    } else if w.x0 >= a[1] - 4.0 {
                        1
                    } else {
                        0
                    };
                    if let Some(v) = per.get_mut(i) {
                        v.push(w);
                    }
                }
                let limits = if fixed_pitch { [0.0; 3] } else { [a[1] - 4.0, a[2] - 4.0, lay.para_limit] };
                let header_row = lay.rows.len() == 1;
                match lay.rows.last_mut() {
                    Some(row) if wraps && !header_row => {
                        row.extend_to(line);
                        for (i, ws) in per.iter().enumerate() {
                            if let (Some(c), false) = (row.cells.get_mut(i), ws.is_empty()) {
                                c.add(ws, (line.page, line.y0), limits[i], Wrap::Cell);
                            }
                        }
                    }
                    _ => {
                        let mut cells = vec![CellText::default(), CellText::default(), CellText::default()];
                        for (i, ws) in per.iter().enumerate() {
                            if let (Some(c), false) = (cells.get_mut(i), ws.is_empty()) {
                                c.add(ws, (line.page, line.y0), limits[i], Wrap::Cell);
                            }
                        }
                        lay.rows.push(RowAcc::new(cells, false, line, None));
                    }
                }
            }
            Mode::Paragraphs => lay.paragraph_line(line),
        }
    }
    lay.end_table()?;
    lay.flush_para();
    let furniture = furniture.into_iter().map(|t| Block::Paragraph(Paragraph::plain(t))).collect();
    Ok(Document { blocks: lay.blocks, furniture, notes: Vec::new(), unread: Vec::new() })
}

/// The distance between lines of one paragraph: the smallest gap between consecutive lines
/// on a page (ignoring lines that overlap, such as a symbol beside text).
fn wrap_pitch(lines: &[&Line]) -> f64 {
    let mut best: Option<f64> = None;
    let mut height = 12.0f64;
    for pair in lines.windows(2) {
        if let [a, b] = pair {
            let h = (a.y1 - a.y0).max(1.0);
            height = height.min(h);
            let d = b.y0 - a.y0;
            if a.page == b.page && d > h * 0.6 {
                best = Some(best.map_or(d, |x: f64| x.min(d)));
            }
        }
    }
    best.unwrap_or(height * 0.95)
}

/// Put a line's words into the cells of a question row by column, each column's words on this
/// line added as one piece of text.
fn add_words(cells: &mut [CellText], line: &Line, skip: usize, cols: &Columns, limits: &[f64; 5]) {
    let mut per: [Vec<&Word>; 5] = Default::default();
    for w in line.words.iter().skip(skip) {
        if let Some(v) = per.get_mut(cols.index(w.x0)) {
            v.push(w);
        }
    }
    for (i, ws) in per.iter().enumerate() {
        if ws.is_empty() {
            continue;
        }
        // Text never reaches past the start of the next column.
        let next = match i {
            1 => cols.yes,
            2 => cols.no,
            3 => cols.comments,
            _ => f64::MAX,
        };
        let limit = limits.get(i).copied().unwrap_or(f64::MAX).min(next - 4.0);
        if let Some(c) = cells.get_mut(i) {
            // The printed question wraps as prose; typed cells put remarks on lines of their own.
            let wrap = if i <= 1 { Wrap::Prose } else { Wrap::Cell };
            c.add(ws, (line.page, line.y0), limit, wrap);
            if i == 2 || i == 3 {
                if let Some([run]) = c.paras.last_mut().map(|p| p.as_mut_slice()) {
                    run.text = clean_mark(&run.text);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Formatting: bold and colour (pdftohtml), highlight, shading, underline, strike (pdftocairo).

/// A filled area of a page that is no word's highlight: a cell's shading, perhaps.
#[derive(Debug, Clone)]
struct Fill {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    colour: String,
}

/// A thin horizontal line: underline, strike-through or a table border.
#[derive(Debug, Clone, Copy)]
struct Rule {
    x0: f64,
    x1: f64,
    y: f64,
}

#[derive(Debug, Default)]
struct Graphics {
    fills: Vec<Fill>,
    rules: Vec<Rule>,
}

/// The value of `key` in a tag's attributes (`key="value"`).
fn attr_str<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!(" {key}=\"");
    let start = tag.find(&pat)? + pat.len();
    let rest = tag.get(start..)?;
    rest.get(..rest.find('"')?)
}

/// A CSS property of a `style` attribute.
fn style_prop<'a>(style: &'a str, key: &str) -> Option<&'a str> {
    style.split(';').find_map(|decl| {
        let (k, v) = decl.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// "rgb(100%,100%,0%)" → "FFFF00".
fn rgb_hex(v: &str) -> Option<String> {
    let inner = v.strip_prefix("rgb(")?.strip_suffix(')')?;
    let mut out = String::new();
    for part in inner.split(',') {
        let part = part.trim();
        let n = match part.strip_suffix('%') {
            Some(p) => (p.parse::<f64>().ok()? * 2.55).round(),
            None => part.parse::<f64>().ok()?,
        };
        out.push_str(&format!("{:02X}", n.clamp(0.0, 255.0) as u8));
    }
    (out.len() == 6).then_some(out)
}

/// "#1f497d" → "1F497D"; black and white are no marks.
fn css_hex(v: &str) -> Option<String> {
    let h = v.trim().trim_start_matches('#').to_ascii_uppercase();
    (h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()) && h != "000000" && h != "FFFFFF").then_some(h)
}


/// Points of an SVG path (control points included: only the bounding box is used).
fn path_box(d: &str, transform: Option<[f64; 6]>) -> Option<(f64, f64, f64, f64)> {
    let nums: Vec<f64> = d
        .split(|c: char| c.is_whitespace() || c == ',' || c.is_ascii_alphabetic())
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.parse().ok())
        .collect();
    if nums.len() < 2 {
        return None;
    }
    let [a, b, c, dd, e, f] = transform.unwrap_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for pt in nums.chunks_exact(2) {
        if let [x, y] = pt {
            let (px, py) = (a * x + c * y + e, b * x + dd * y + f);
            x0 = x0.min(px);
            x1 = x1.max(px);
            y0 = y0.min(py);
            y1 = y1.max(py);
        }
    }
    Some((x0, y0, x1, y1))
}

fn matrix(t: &str) -> Option<[f64; 6]> {
    let inner = t.trim().strip_prefix("matrix(")?.strip_suffix(')')?;
    let v: Vec<f64> = inner.split(',').filter_map(|n| n.trim().parse().ok()).collect();
    match v.as_slice() {
        [a, b, c, d, e, f] => Some([*a, *b, *c, *d, *e, *f]),
        _ => None,
    }
}

/// The filled areas and thin horizontal lines of each page of `pdftocairo -svg` output
/// (glyph shapes in `<defs>` skipped).
fn parse_svg(svg: &str, deadline: &Deadline) -> Result<Vec<Graphics>, ReadError> {
    let mut pages: Vec<Graphics> = Vec::new();
    let mut in_defs = false;
    let mut rest = svg;
    let mut n = 0usize;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + len + 1];
        rest = &rest[start + len + 1..];
        n += 1;
        if n.is_multiple_of(4096) {
            deadline.check()?;
        }
        if tag.starts_with("<defs") {
            in_defs = !tag.ends_with("/>");
        } else if tag.starts_with("</defs") {
            in_defs = false;
        } else if tag == "<page>" || tag.starts_with("<page ") {
            pages.push(Graphics::default());
        } else if !in_defs && tag.starts_with("<path ") {
            let style = attr_str(tag, "style").unwrap_or("");
            let Some(d) = attr_str(tag, "d") else { continue };
            let Some((x0, y0, x1, y1)) = path_box(d, attr_str(tag, "transform").and_then(matrix)) else { continue };
            if pages.is_empty() {
                pages.push(Graphics::default());
            }
            let Some(page) = pages.last_mut() else { continue };
            let fill = style_prop(style, "fill").filter(|f| *f != "none").and_then(rgb_hex);
            let stroke = style_prop(style, "stroke").filter(|f| *f != "none").and_then(rgb_hex);
            let (w, h) = (x1 - x0, y1 - y0);
            match fill {
                Some(_) if h <= 1.6 && w > 1.0 => page.rules.push(Rule { x0, x1, y: (y0 + y1) / 2.0 }),
                Some(colour) if w > 1.0 && colour != "FFFFFF" && colour != "000000" => {
                    page.fills.push(Fill { x0, y0, x1, y1, colour })
                }
                None if stroke.is_some() && h <= 0.6 && w > 1.0 => page.rules.push(Rule { x0, x1, y: (y0 + y1) / 2.0 }),
                _ => {}
            }
        }
    }
    Ok(pages)
}

fn overlap(a0: f64, a1: f64, b0: f64, b1: f64) -> f64 {
    (a1.min(b1) - a0.max(b0)).max(0.0)
}

/// Split words where a highlight, underline or strike-through starts or ends inside them (the
/// "Y" of "Y/N" underlined), so the mark lands on the letters it covers. Letters are taken to be
/// of equal width.
fn split_words(page: &mut Page, g: &Graphics) {
    let mut out: Vec<Word> = Vec::with_capacity(page.words.len());
    for w in std::mem::take(&mut page.words) {
        let (width, h) = (w.x1 - w.x0, w.y1 - w.y0);
        let n = w.text.chars().count();
        let mut cuts: Vec<f64> = Vec::new();
        if n >= 2 && width > 0.0 {
            let spans = g
                .fills
                .iter()
                .filter(|f| overlap(w.y0, w.y1, f.y0, f.y1) >= h * 0.5)
                .map(|f| (f.x0, f.x1))
                .chain(g.rules.iter().filter(|r| r.y >= w.y0 + 0.3 * h && r.y < w.y1 + 1.0).map(|r| (r.x0, r.x1)));
            for (a, b) in spans {
                let ov = overlap(w.x0, w.x1, a, b);
                if ov > width * 0.1 && ov < width * 0.9 {
                    for x in [a, b] {
                        if x > w.x0 + 0.5 && x < w.x1 - 0.5 {
                            cuts.push(x);
                        }
                    }
                }
            }
        }
        if cuts.is_empty() {
            out.push(w);
            continue;
        }
        // Cut positions to letter boundaries.
        let mut at: Vec<usize> = cuts.iter().map(|x| (((x - w.x0) / width) * n as f64).round() as usize).filter(|k| *k > 0 && *k < n).collect();
        at.sort_unstable();
        at.dedup();
        let chars: Vec<char> = w.text.chars().collect();
        let mut start = 0usize;
        for (piece, end) in at.iter().copied().chain(std::iter::once(n)).enumerate() {
            let text: String = chars.get(start..end).map(|c| c.iter().collect()).unwrap_or_default();
            let px0 = w.x0 + width * start as f64 / n as f64;
            let px1 = w.x0 + width * end as f64 / n as f64;
            out.push(Word { x0: px0, x1: px1, text, glued: piece > 0 || w.glued, ..w.clone() });
            start = end;
        }
    }
    page.words = out;
}

/// Give words their highlight, underline and strike-through; return each page's other fills
/// (cell shading candidates).
fn apply_graphics(pages: &mut [Page], graphics: Vec<Graphics>) -> Vec<Vec<Fill>> {
    let mut shades = Vec::new();
    for (page, g) in pages.iter_mut().zip(graphics) {
        split_words(page, &g);
        let mut left = Vec::new();
        for fill in g.fills {
            let covered: Vec<usize> = page
                .words
                .iter()
                .enumerate()
                .filter(|(_, w)| {
                    overlap(w.x0, w.x1, fill.x0, fill.x1) >= (w.x1 - w.x0) * 0.5
                        && overlap(w.y0, w.y1, fill.y0, fill.y1) >= (w.y1 - w.y0) * 0.5
                })
                .map(|(i, _)| i)
                .collect();
            let tight = !covered.is_empty() && {
                let ws = covered.iter().filter_map(|i| page.words.get(*i));
                let (mut x0, mut x1, mut h) = (f64::MAX, f64::MIN, 0.0f64);
                for w in ws {
                    x0 = x0.min(w.x0);
                    x1 = x1.max(w.x1);
                    h = h.max(w.y1 - w.y0);
                }
                // A highlighter covers the words and no more; shading fills the whole cell.
                fill.x0 >= x0 - 2.0 && fill.x1 <= x1 + 2.0 && fill.y1 - fill.y0 <= h + 1.5
            };
            if tight {
                let name = crate::model::word_highlight_name(&fill.colour).map_or_else(|| fill.colour.clone(), str::to_string);
                for i in covered {
                    if let Some(w) = page.words.get_mut(i) {
                        w.format.highlight = Some(name.clone());
                    }
                }
            } else {
                left.push(fill);
            }
        }
        for rule in g.rules {
            for kind in [true, false] {
                // true: underline (below the baseline); false: strike-through (mid-height).
                let hit: Vec<usize> = page
                    .words
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| {
                        let h = w.y1 - w.y0;
                        let (lo, hi) = if kind { (w.y0 + 0.65 * h, w.y1 + 1.0) } else { (w.y0 + 0.3 * h, w.y0 + 0.6 * h) };
                        rule.y >= lo && rule.y < hi && overlap(w.x0, w.x1, rule.x0, rule.x1) >= (w.x1 - w.x0) * 0.5
                    })
                    .map(|(i, _)| i)
                    .collect();
                let (mut x0, mut x1) = (f64::MAX, f64::MIN);
                for w in hit.iter().filter_map(|i| page.words.get(*i)) {
                    x0 = x0.min(w.x0);
                    x1 = x1.max(w.x1);
                }
                // A border runs on past the text into the cell's padding; a line drawn under or
                // through words stops with them.
                if hit.is_empty() || rule.x0 < x0 - 2.0 || rule.x1 > x1 + 2.0 {
                    continue;
                }
                for i in hit {
                    if let Some(w) = page.words.get_mut(i) {
                        if kind {
                            w.format.underline = true;
                        } else {
                            w.format.strike = true;
                        }
                    }
                }
            }
        }
        shades.push(left);
    }
    shades
}

/// One `<text>` element of `pdftohtml -xml`: its box and its words with their boldness.
struct HtmlText {
    top: f64,
    left: f64,
    width: f64,
    height: f64,
    colour: Option<String>,
    words: Vec<(String, bool)>,
}

/// Words of a `<text>` element's content, bold where inside `<b>`.
fn html_words(inner: &str) -> Vec<(String, bool)> {
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut bold = 0i32;
    let mut cur = String::new();
    let mut cur_bold = false;
    let mut rest = inner;
    let flush = |cur: &mut String, cur_bold: bool, words: &mut Vec<(String, bool)>| {
        if !cur.is_empty() {
            words.push((unescape(cur), cur_bold));
            cur.clear();
        }
    };
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..end];
            if tag == "<b>" {
                bold += 1;
            } else if tag == "</b>" {
                bold -= 1;
            }
            rest = &rest[end..];
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        if c.is_whitespace() {
            flush(&mut cur, cur_bold, &mut words);
        } else {
            if cur.is_empty() {
                cur_bold = bold > 0;
            }
            cur.push(c);
        }
    }
    flush(&mut cur, cur_bold, &mut words);
    words
}

/// Bold and colour onto the `pdftotext` words, matched by page, position and text.
fn apply_text_styles(pages: &mut [Page], xml: &str, deadline: &Deadline) -> Result<(), ReadError> {
    let mut colours: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
    let mut per_page: Vec<Vec<HtmlText>> = Vec::new();
    for (n, line) in xml.lines().enumerate() {
        if n % 4096 == 0 {
            deadline.check()?;
        }
        let line = line.trim();
        if line.starts_with("<page ") {
            per_page.push(Vec::new());
        } else if line.starts_with("<fontspec ") {
            if let Some(id) = attr_str(line, "id") {
                colours.insert(id.to_string(), attr_str(line, "color").and_then(css_hex));
            }
        } else if line.starts_with("<text ") {
            let (Some(open_end), Some(close)) = (line.find('>'), line.rfind("</text>")) else { continue };
            if close <= open_end {
                continue;
            }
            let tag = &line[..open_end];
            let num = |k: &str| attr_str(tag, k).and_then(|v| v.parse::<f64>().ok());
            let (Some(top), Some(left), Some(width), Some(height)) = (num("top"), num("left"), num("width"), num("height")) else {
                continue;
            };
            let colour = attr_str(tag, "font").and_then(|f| colours.get(f).cloned()).flatten();
            let words = html_words(&line[open_end + 1..close]);
            if let Some(p) = per_page.last_mut() {
                p.push(HtmlText { top, left, width, height, colour, words });
            }
        }
    }
    for (page, texts) in pages.iter_mut().zip(per_page) {
        for t in texts {
            let mut inside: Vec<usize> = page
                .words
                .iter()
                .enumerate()
                .filter(|(_, w)| {
                    let (cx, cy) = ((w.x0 + w.x1) / 2.0, (w.y0 + w.y1) / 2.0);
                    cx >= t.left - 2.0 && cx <= t.left + t.width + 2.0 && cy >= t.top - 2.0 && cy <= t.top + t.height + 2.0
                })
                .map(|(i, _)| i)
                .collect();
            inside.sort_by(|a, b| {
                let (wa, wb) = (page.words.get(*a), page.words.get(*b));
                wa.map(|w| w.x0).unwrap_or(0.0).total_cmp(&wb.map(|w| w.x0).unwrap_or(0.0))
            });
            let mut j = 0usize;
            for i in inside {
                let Some(w) = page.words.get_mut(i) else { continue };
                // The same word within the next few of the element's words.
                let found = (j..(j + 4).min(t.words.len())).find(|k| t.words.get(*k).is_some_and(|(s, _)| *s == w.text));
                if let Some(k) = found {
                    if let Some((_, bold)) = t.words.get(k) {
                        w.format.bold = *bold;
                    }
                    w.format.colour = t.colour.clone();
                    j = k + 1;
                }
            }
        }
    }
    Ok(())
}
