//! Typed-up and OCR'd text returns (.txt) → the document model.
//!
//! Schools that fill the form on paper and type it up, or run it through OCR, send plain text.
//! The form's own text export puts every table cell on a line of its own after a tab, with a
//! blank line between table rows; everything else is a paragraph per line. This reader decodes
//! the bytes (UTF-8 with or without BOM, UTF-16 with or without BOM, Windows-1252), rebuilds the
//! tables from that layout so that a row reads `[number, question, YES, NO, Comments]` exactly
//! like the .docx reader gives it, and repairs the OCR damage that can be repaired without
//! guessing (row numbers read as "l.4", spaced-out "Y E S", stray pipes and dots around marks,
//! tabs turned into runs of spaces, cells run together on one line). Two other layouts people
//! type are rebuilt too: a Word table pasted into Notepad (one line per row, cells split by tabs,
//! each cell in its column) and one line per row with the answer after the question ("1.4 Does
//! the chronology evidence child's voice? YES - Child voice evident"). A layout with one cell per
//! line and no tabs at all is not: its rows are reported as unread rather than guessed.
//!
//! Blank lines outside tables are not kept as paragraphs (they carry nothing the extractor needs);
//! blank lines inside a cell's text are kept as empty paragraphs of that cell, as Word has them.

use std::path::Path;

use crate::catalogue;
use crate::model::{Block, Cell, Document, Paragraph, Row, Table};
use crate::read::{io_reason, Deadline, Limits, ReadError};

/// Read a text return.
pub fn read(path: &Path, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let bytes = read_bounded(path, limits)?;
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let text = decode(&bytes)?;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if is_column_aligned(&text) {
        return crate::read::pdf::read_layout_text(&text, limits, deadline);
    }
    parse(&text, limits, deadline)
}

/// Text laid out in columns with spaces, not tabs (OCR output, `pdftotext -layout`): hardly
/// any line starts with a tab, and a section header line has YES, NO and Comments/Actions
/// standing apart ("BASIC INFORMATION      YES   NO   Comments/Actions").
fn is_column_aligned(text: &str) -> bool {
    let mut tab_lines = 0usize;
    let mut headers = 0usize;
    for line in text.lines().take(20_000) {
        if line.starts_with('\t') {
            tab_lines += 1;
        }
        // Far to the right after a wide gap: a row typed on one line ("TITLE  YES  NO  ...")
        // has two spaces; a column layout pads the title's cell out to the YES column.
        if let (Some(yes), Some(no), Some(c)) = (line.find("   YES  "), line.find("  NO  "), line.find("Comments")) {
            if yes >= 20 && yes < no && no < c && !line.contains('\t') && !line.contains('|') {
                headers += 1;
            }
        }
    }
    tab_lines < 5 && headers >= 1
}

fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| ReadError::Other(format!("cannot open the file: {}", io_reason(&e))))?;
    let mut bytes = Vec::new();
    // A typed-up form is a few tens of KB; the text limit bounds the file (and so the model).
    let max = (limits.max_text_bytes as u64).min(limits.max_file_bytes);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Other(format!("cannot read the file: {}", io_reason(&e))))?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(format!("more than {} MB of text", max / (1024 * 1024))));
    }
    Ok(bytes)
}

fn binary() -> ReadError {
    ReadError::NotADocument("binary data, not text".into())
}

/// Decode a text file's bytes: BOMs first, then BOM-less UTF-16 (told by its NUL bytes), then
/// UTF-8, then Windows-1252 (what Notepad on an English Windows saved as "ANSI").
/// Binary junk is refused rather than turned into mojibake.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        decode_8bit(rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        decode_utf16(rest, encoding_rs::UTF_16LE)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        decode_utf16(rest, encoding_rs::UTF_16BE)
    } else if bytes.contains(&0) {
        match utf16_without_bom(bytes) {
            Some(enc) => decode_utf16(bytes, enc),
            None => return Err(binary()),
        }
    } else {
        decode_8bit(bytes)
    };
    if looks_binary(&text) {
        return Err(binary());
    }
    Ok(text)
}

fn decode_8bit(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (cow, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            cow.into_owned()
        }
    }
}

fn decode_utf16(bytes: &[u8], enc: &'static encoding_rs::Encoding) -> String {
    let (cow, _) = enc.decode_without_bom_handling(bytes);
    cow.into_owned()
}

/// BOM-less UTF-16: English text has a NUL in every other byte, on the odd side for
/// little-endian, the even side for big-endian.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even_nul, mut odd_nul) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if let [a, b] = pair {
            if *a == 0 {
                even_nul += 1;
            }
            if *b == 0 {
                odd_nul += 1;
            }
        }
    }
    // Nearly every pair has its NUL on one side and almost none on the other.
    if odd_nul * 10 >= pairs * 7 && even_nul * 20 <= pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even_nul * 10 >= pairs * 7 && odd_nul * 20 <= pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Mostly control characters or undecodable bytes: not a text a person typed.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(200_000) {
        total += 1;
        let is_bad = match c {
            '\t' | '\n' | '\r' | '\u{0C}' => false,
            '\u{FFFD}' => true,
            // Windows-1252's undefined bytes decode to C1 controls.
            c if c.is_control() => true,
            _ => false,
        };
        if is_bad {
            bad += 1;
        }
    }
    total > 0 && bad * 20 > total
}

/// How a line stands in the form's text layout.
enum Line<'a> {
    Blank,
    /// A table cell: the line started with a tab (or a run of spaces OCR made of one).
    Cell(&'a str),
    Plain(&'a str),
}

fn classify(line: &str) -> Line<'_> {
    if line.trim().is_empty() {
        // A tab alone is an empty cell; spaces alone are a blank line.
        return if line.contains('\t') { Line::Cell("") } else { Line::Blank };
    }
    if let Some(rest) = line.strip_prefix('\t') {
        return Line::Cell(rest.trim_start_matches('\t'));
    }
    // OCR turns the tab into a run of spaces (or a space and a tab).
    let trimmed = line.trim_start_matches([' ', '\t']);
    let lead = &line[..line.len() - trimmed.len()];
    if lead.contains('\t') || lead.len() >= 2 {
        return Line::Cell(trimmed);
    }
    Line::Plain(line)
}

/// What kind of row a row is, by its first cell: it tells how many cells the row needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    /// First cell is a row number: number, question, YES, NO, Comments.
    Numbered,
    /// A section title row: title, YES, NO, Comments/Actions (title spanning two columns).
    Section,
    /// The action table's heading.
    ActionHeader,
    Other,
}

struct RowBuilder {
    kind: RowKind,
    /// The row number, when numbered, as (major, minor) for order checks.
    number: Option<(u32, u32)>,
    /// Each cell's paragraphs.
    cells: Vec<Vec<String>>,
    /// How the line was split when its cells were run together on one line (then nothing else
    /// belongs to this row's cells except wrapped text of its last cell); `None` for a row built
    /// from a line per cell.
    split: Option<Split>,
}

impl RowBuilder {
    fn new(first: String) -> Self {
        let (kind, number) = kind_of(&first);
        RowBuilder { kind, number, cells: vec![vec![first]], split: None }
    }

    fn from_cells(cells: Vec<String>, split: Split) -> Self {
        let first = cells.first().cloned().unwrap_or_default();
        let (kind, number) = kind_of(&first);
        RowBuilder { kind, number, cells: cells.into_iter().map(|c| vec![c]).collect(), split: Some(split) }
    }

    fn complete(&self, table_width: usize) -> bool {
        if self.split.is_some() {
            return true;
        }
        let need = match self.kind {
            RowKind::Numbered => 5,
            RowKind::Section => 4,
            RowKind::ActionHeader => 3,
            RowKind::Other => table_width.max(2),
        };
        self.cells.len() >= need
    }

    fn continue_last(&mut self, blanks: usize, text: &str) {
        if let Some(last) = self.cells.last_mut() {
            for _ in 0..blanks {
                last.push(String::new());
            }
            last.push(text.to_string());
        }
    }
}

fn kind_of(first: &str) -> (RowKind, Option<(u32, u32)>) {
    if let Some(n) = row_number(first) {
        return (RowKind::Numbered, parse_number(&n));
    }
    if section_title(first).is_some() {
        return (RowKind::Section, None);
    }
    if first.len() < 40 && squash(first) == squashed().action {
        return (RowKind::ActionHeader, None);
    }
    (RowKind::Other, None)
}

fn parse_number(n: &str) -> Option<(u32, u32)> {
    let mut parts = n.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(m) => m.parse().ok()?,
        None => 0,
    };
    Some((major, minor))
}

/// Letters only, upper case: compares titles whatever OCR did to spacing and case.
fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(|c| c.to_uppercase()).collect()
}

/// Squashed catalogue texts, made once: section titles and the labels that end a table.
struct Squashed {
    titles: Vec<(String, &'static catalogue::Section)>,
    anchors: Vec<String>,
    action: String,
}

fn squashed() -> &'static Squashed {
    static S: std::sync::OnceLock<Squashed> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let mut anchors: Vec<String> = catalogue::STANDARDS.iter().map(|f| squash(f.wording)).collect();
        anchors.extend(catalogue::HEADER.iter().filter(|f| f.id != "date").map(|f| squash(f.wording)));
        Squashed {
            titles: catalogue::SECTIONS.iter().map(|sec| (squash(sec.title), sec)).collect(),
            anchors,
            action: squash(catalogue::ACTION_COLUMNS[0]),
        }
    })
}

/// The section this text is the title of, if it is one.
/// The form prints them in capitals; "Core group meetings" in a comment is no title.
fn section_title(s: &str) -> Option<&'static catalogue::Section> {
    if s.len() > 80 || s.chars().any(|c| c.is_lowercase()) {
        return None;
    }
    let sq = squash(s);
    if sq.is_empty() || sq.len() > 40 {
        return None;
    }
    squashed().titles.iter().find(|(t, _)| *t == sq).map(|(_, sec)| *sec)
}

/// Lines that always stand outside the tables (the form's own labels after the last table).
fn is_anchor(line: &str) -> bool {
    let sq = squash(line);
    if sq.is_empty() {
        return false;
    }
    sq == "STANDARDSANDACTIONS" || sq == "OVERVIEW" || squashed().anchors.iter().any(|a| sq.starts_with(a.as_str()))
}

/// A row number as printed ("1", "1.4", "9.10"), repairing OCR's letter/digit confusions
/// ("l.4", "I.4", "1.O", "9.1O", "1,4", "1 . 4", "1.4."). `None` when the text is not one.
pub fn row_number(s: &str) -> Option<String> {
    let t = s.trim().trim_end_matches([':', ')']).trim_end_matches('.').trim();
    if t.is_empty() || t.chars().count() > 7 {
        return None;
    }
    let mut out = String::new();
    let mut digits = 0;
    let mut confusions = 0;
    for c in t.chars() {
        match c {
            '0'..='9' => {
                digits += 1;
                out.push(c);
            }
            'l' | 'I' | 'i' | '|' | '!' => {
                confusions += 1;
                out.push('1');
            }
            'O' | 'o' => {
                confusions += 1;
                out.push('0');
            }
            'S' => {
                confusions += 1;
                out.push('5');
            }
            '.' | ',' => out.push('.'),
            ' ' => {}
            _ => return None,
        }
    }
    // One confused letter alone only stands for a digit when it is not a word ("I" is "1").
    if digits == 0 && !(confusions == 1 && matches!(t, "l" | "I" | "|")) {
        return None;
    }
    let mut parts = out.split('.');
    let major = parts.next()?;
    let minor = parts.next();
    if parts.next().is_some() || major.is_empty() || major.len() > 2 || major.starts_with('0') {
        return None;
    }
    match minor {
        None => Some(major.to_string()),
        Some(m) if !m.is_empty() && m.len() <= 2 => Some(format!("{major}.{m}")),
        _ => None,
    }
}

/// Repair OCR damage to a short cell that can be repaired without guessing: spaced-out letters
/// of YES/NO ("Y E S"), stray pipes and full stops around a mark ("|X|", "Yes."). Longer text
/// (comments, questions) is kept exactly as written.
pub fn clean_mark(s: &str) -> String {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 12 {
        return s.to_string();
    }
    // "Y E S", "N o", "y e s."
    let letters: Vec<&str> = t.trim_end_matches(['.', ',']).split(' ').filter(|p| !p.is_empty()).collect();
    if letters.len() >= 2 && letters.iter().all(|p| p.chars().count() == 1 && p.chars().all(|c| c.is_alphabetic())) {
        let joined: String = letters.concat();
        if matches!(joined.to_ascii_lowercase().as_str(), "yes" | "no") {
            return joined;
        }
    }
    let core = t.trim_matches(['|', '.', ',', '\'', '`', '_', ' ']);
    let is_mark_word = matches!(core.to_ascii_lowercase().as_str(), "yes" | "no" | "y" | "n" | "x");
    let is_mark_symbol = core.chars().count() == 1 && core.chars().all(|c| matches!(c, '✓' | '✔' | '√' | '☒' | '☑' | '■' | '✗' | '✘'));
    if (is_mark_word || is_mark_symbol) && core != t {
        return core.to_string();
    }
    if t.starts_with('|') || t.ends_with('|') {
        let core = t.trim_matches(['|', ' ']);
        return core.to_string();
    }
    s.to_string()
}

/// How a line's cells were told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    /// By tabs (a table pasted from Word): every cell keeps its column, empty ones included.
    Tabs,
    /// By pipes or runs of spaces: empty cells leave no trace, so columns must be guessed.
    Guessed,
    /// The action heading typed as one line, its titles split by slashes.
    Slashes,
}

/// Split a line holding several cells run together: tabs, " | " pipes, or (for a numbered row)
/// runs of two or more spaces. `None` when the line is one cell. `actions`: the line stands in
/// the action table, whose rows begin with free text.
fn split_run_together(line: &str, actions: Actions) -> Option<(Vec<String>, Split)> {
    let in_actions = actions != Actions::No;
    let t = line.trim();
    if t.contains('\t') {
        // Empty cells at the end are tabs too: trimmed away, a mark under YES would lose its column.
        let cells: Vec<String> = line.trim_matches(|c: char| c.is_whitespace() && c != '\t').split('\t').map(|c| c.trim().to_string()).collect();
        if cells.len() >= 2 && (looks_like_row_start(&cells) || in_actions && cells.iter().any(|c| !c.is_empty())) {
            return Some((cells, Split::Tabs));
        }
    }
    let pipes = t.matches('|').count();
    if pipes >= 2 || (pipes >= 1 && t.contains(" | ")) {
        // "| a | b |" is a bordered row; "a | b | " ends with an empty last cell.
        let inner = match t.strip_prefix('|') {
            Some(rest) => rest.strip_suffix('|').unwrap_or(rest),
            None => t,
        };
        let cells: Vec<String> = inner.split('|').map(|c| c.trim().to_string()).collect();
        if cells.len() >= 2 && looks_like_row_start(&cells) {
            return Some((cells, Split::Guessed));
        }
    }
    let cells = split_spaces(t);
    if cells.len() >= 2 && looks_like_row_start(&cells) {
        return Some((cells, Split::Guessed));
    }
    // The action table's heading typed on one line: "ACTION REQUIRED / BY WHOM / TIMESCALE".
    let heading: Vec<String> = t.split('/').map(|c| c.trim().to_string()).collect();
    if heading.len() == catalogue::ACTION_COLUMNS.len() && heading.iter().zip(catalogue::ACTION_COLUMNS).all(|(h, c)| squash(h) == squash(c)) {
        return Some((heading, Split::Slashes));
    }
    if actions == Actions::TypedOnLines {
        return split_action_line(t).map(|cells| (cells, Split::Tabs));
    }
    None
}

/// Whether a line stands in the action table, and how that table was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actions {
    No,
    /// A table of cells (each on its own line, or split by tabs).
    Cells,
    /// Its heading typed on one line ("ACTION REQUIRED / BY WHOM / TIMESCALE"), so each action
    /// is a line too ("Update chronologies - DSL - 2 weeks").
    TypedOnLines,
}

/// An action typed on one line under the action heading, its parts split by dashes:
/// "1. Update chronologies - DSL - 2 weeks" (a list number dropped; an action with a dash of
/// its own keeps it: the last two parts are who and when).
fn split_action_line(t: &str) -> Option<Vec<String>> {
    let listed = t.split_once(['.', ')']).filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    let body = listed.map_or(t, |(_, rest)| rest).trim();
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = body;
    while let Some(at) = [" - ", " – ", " — "].iter().filter_map(|d| rest.find(d).map(|i| (i, d.len()))).min() {
        parts.push(rest.get(..at.0)?.trim());
        rest = rest.get(at.0 + at.1..)?;
    }
    parts.push(rest.trim());
    if parts.len() < 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let when = parts.pop()?;
    let who = parts.pop()?;
    Some(vec![parts.join(" - "), who.to_string(), when.to_string()])
}

/// A row typed on one line, the answer after the question: "1.4 Does the chronology evidence
/// child's voice? YES - Child voice evident", "1.5 Does the chronology evidence professional
/// escalation?" (unanswered), "3.3 Standard of completion of the report (1 = good, 5 = poor): 2".
/// The line must start with a row number of the form and go on with that row's wording, so a
/// numbered action ("1. Update chronologies - DSL") is never taken for row 1. Cells: number,
/// question, YES, NO, comment (the typed YES or NO word in its own column).
fn split_answer_line(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    let (first, rest) = t.split_once(char::is_whitespace)?;
    let number = row_number(first)?;
    let q = catalogue::question(&number)?;
    let rest = rest.trim();
    let separators = ['-', '–', '—', ':', ',', ';', '.', '('];
    // The first YES or NO word standing alone after most of a question, then nothing or a comment.
    let mut answer: Option<(usize, usize, bool)> = None;
    let mut start = 0usize;
    for word in rest.split(|c: char| !c.is_alphanumeric()) {
        let at = start;
        start += word.len() + rest.get(at + word.len()..).and_then(|s| s.chars().next()).map_or(0, char::len_utf8);
        let yes = match word {
            "YES" | "Yes" | "Y" => true,
            "NO" | "No" | "N" => false,
            _ => continue,
        };
        let before = rest.get(..at).unwrap_or("");
        let after = rest.get(at + word.len()..).unwrap_or("").trim_start();
        if before.chars().filter(|c| c.is_alphabetic()).count() >= 12 && (after.is_empty() || after.starts_with(separators)) {
            answer = Some((at, at + word.len(), yes));
            break;
        }
    }
    let (question, yes, no, comment) = match answer {
        Some((s, e, yes)) => {
            let word = rest.get(s..e).unwrap_or("");
            let comment = rest.get(e..).unwrap_or("").trim_start().trim_start_matches(separators).trim();
            let (y, n) = if yes { (word, "") } else { ("", word) };
            (rest.get(..s).unwrap_or("").trim(), y, n, comment)
        }
        None => match rest.rsplit_once(':') {
            // A rating typed after the question, "...(1 = good, 5 = poor): 2": in the YES cell,
            // where a rating row's typed number is read as its rating.
            Some((qpart, value)) if q.kind == catalogue::Kind::Rating && value.trim().len() == 1 && value.trim().chars().all(|c| ('1'..='5').contains(&c)) => {
                (qpart.trim(), value.trim(), "", "")
            }
            _ => (rest, "", "", ""),
        },
    };
    if crate::extract::text::wording_similarity(question, q.wording) < 0.6 {
        return None;
    }
    Some(vec![number, question.to_string(), yes.to_string(), no.to_string(), comment.to_string()])
}

fn split_spaces(t: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut spaces = 0;
    for c in t.chars() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        if spaces >= 2 && !cur.is_empty() {
            cells.push(std::mem::take(&mut cur));
        } else if spaces == 1 {
            cur.push(' ');
        }
        spaces = 0;
        cur.push(c);
    }
    if !cur.is_empty() {
        cells.push(cur);
    }
    cells
}

/// Split pieces begin a form row: a row number then a question, or a section title then YES.
fn looks_like_row_start(cells: &[String]) -> bool {
    let (Some(first), Some(second)) = (cells.first(), cells.get(1)) else {
        return false;
    };
    if row_number(first).is_some() {
        return second.chars().filter(|c| c.is_alphabetic()).count() >= 12;
    }
    if section_title(first).is_some() {
        return squash(second) == "YES" || second.is_empty();
    }
    first.len() < 40 && squash(first) == squashed().action
}

fn is_yes_word(s: &str) -> bool {
    matches!(squash(s).as_str(), "YES" | "Y")
}

fn is_no_word(s: &str) -> bool {
    matches!(squash(s).as_str(), "NO" | "N")
}

/// A bare mark: a tick, cross or box, or a one-letter X, that says nothing of its column.
fn is_bare_mark(s: &str) -> bool {
    let t = s.trim();
    let n = t.chars().count();
    (1..=2).contains(&n) && t.chars().all(|c| !c.is_alphanumeric() || c == 'x' || c == 'X')
}

/// Lay out a numbered row that has lost cells (run together with spaces, or OCR dropped its
/// empty cells): a YES word goes under YES, a NO word under NO, the rest is the comment. A bare
/// mark (X, ✓) cannot be placed without guessing: it is left out and a note says so.
/// Cells are lists of paragraphs.
fn place_numbered(mut cells: Vec<Vec<String>>, notes: &mut Vec<String>) -> Vec<Vec<String>> {
    if cells.len() >= 5 || cells.len() < 2 {
        return cells;
    }
    let number = cells.first().map(|c| c.join(" ")).unwrap_or_default();
    let rest: Vec<Vec<String>> = cells.drain(2..).collect();
    let mut yes: Vec<String> = vec![String::new()];
    let mut no: Vec<String> = vec![String::new()];
    let mut comment: Vec<String> = Vec::new();
    for (i, piece) in rest.into_iter().enumerate() {
        let text = piece.join("\n");
        if text.trim().is_empty() {
            continue;
        }
        let placing = i < 2 && comment.is_empty();
        if placing && is_yes_word(&text) && yes.concat().is_empty() {
            yes = piece;
        } else if placing && is_no_word(&text) && no.concat().is_empty() {
            no = piece;
        } else if placing && is_bare_mark(&text) {
            notes.push(format!("row {number}: its YES/NO mark could not be placed (the row's cells ran together); read it from the original"));
        } else if comment.is_empty() {
            comment = piece;
        } else {
            // Two pieces of comment split at a run of spaces: keep the spaces as typed.
            if let (Some(last), Some(first)) = (comment.last_mut(), piece.first()) {
                last.push_str("  ");
                last.push_str(first);
                comment.extend(piece.into_iter().skip(1));
            }
        }
    }
    if comment.is_empty() {
        comment.push(String::new());
    }
    cells.push(yes);
    cells.push(no);
    cells.push(comment);
    cells
}

struct Builder<'l> {
    blocks: Vec<Block>,
    notes: Vec<String>,
    table: Vec<RowBuilder>,
    row: Option<RowBuilder>,
    /// Blank lines seen since the last line with text.
    blanks: usize,
    cells: usize,
    limits: &'l Limits,
}

impl Builder<'_> {
    fn table_width(&self) -> usize {
        self.table.iter().map(|r| r.cells.len()).max().unwrap_or(0)
    }

    fn push_row(&mut self) -> Result<(), ReadError> {
        if let Some(mut row) = self.row.take() {
            if row.kind == RowKind::Numbered && row.cells.len() < 5 {
                row.cells = place_numbered(row.cells, &mut self.notes);
            }
            self.cells += row.cells.len();
            if self.cells > self.limits.max_cells {
                return Err(ReadError::TooLarge(format!("more than {} table cells", self.limits.max_cells)));
            }
            self.table.push(row);
        }
        Ok(())
    }

    fn start_row(&mut self, row: RowBuilder) -> Result<(), ReadError> {
        self.push_row()?;
        if matches!(row.kind, RowKind::Section | RowKind::ActionHeader) {
            self.end_table();
        }
        self.row = Some(row);
        Ok(())
    }

    fn end_table(&mut self) {
        let rows = std::mem::take(&mut self.table);
        if rows.is_empty() {
            return;
        }
        // A lone line after a tab that is no form row is a paragraph, not a table.
        if rows.iter().all(|r| r.cells.len() <= 1 && r.kind == RowKind::Other) {
            for r in rows {
                for cell in r.cells {
                    for p in cell {
                        if !p.trim().is_empty() {
                            self.blocks.push(Block::Paragraph(Paragraph::plain(p)));
                        }
                    }
                }
            }
            return;
        }
        let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        let mut table = Table::default();
        for r in rows {
            let n = r.cells.len();
            let mut cells: Vec<Cell> = r
                .cells
                .into_iter()
                .map(|paras| Cell {
                    blocks: paras.into_iter().map(|p| Block::Paragraph(Paragraph::plain(p))).collect(),
                    ..Cell::default()
                })
                .collect();
            // The section title spans the number and question columns, as in Word.
            if r.kind == RowKind::Section && n < width {
                if let Some(first) = cells.first_mut() {
                    first.span = u32::try_from(width - n + 1).unwrap_or(1);
                }
            }
            table.rows.push(Row { cells });
        }
        self.blocks.push(Block::Table(table));
    }

    fn finish_table(&mut self) -> Result<(), ReadError> {
        self.push_row()?;
        self.end_table();
        Ok(())
    }

    fn paragraph(&mut self, text: &str) -> Result<(), ReadError> {
        self.finish_table()?;
        self.blocks.push(Block::Paragraph(Paragraph::plain(text)));
        Ok(())
    }

    fn cell_line(&mut self, raw: &str) -> Result<(), ReadError> {
        let blanks = self.blanks;
        if self.at_row_start() {
            if let Some((cells, split)) = split_run_together(raw, self.actions()) {
                return self.run_together(cells, split);
            }
        }
        let text = self.normalise_cell(raw);
        let width = self.table_width();
        let Some(row) = self.row.as_mut() else {
            return self.start_row(RowBuilder::new(text));
        };
        let (kind, number) = kind_of(&text);
        let complete = row.complete(width);
        let new_row = match kind {
            RowKind::Section | RowKind::ActionHeader => true,
            RowKind::Numbered => {
                // A section title row never holds a row number: it ends at the first one.
                complete
                    || row.kind == RowKind::Section
                    || (blanks > 0 && row.cells.len() >= 2 && follows(row.number, number))
            }
            RowKind::Other => blanks > 0 && complete,
        };
        if new_row {
            return self.start_row(RowBuilder::new(text));
        }
        // Blank lines inside a row before its next cell belong to the previous cell's text in
        // Word (empty paragraphs); they carry nothing, so they are not kept.
        row.cells.push(vec![text]);
        Ok(())
    }

    /// The next cell line may begin a row: no row yet, the row has its cells, or a blank line
    /// came before.
    fn at_row_start(&self) -> bool {
        match &self.row {
            None => true,
            Some(r) => r.complete(self.table_width()) || self.blanks > 0,
        }
    }

    /// A cell's text with the row number or mark repaired (first cell: number; others: marks).
    fn normalise_cell(&self, raw: &str) -> String {
        if self.at_row_start() {
            if let Some(n) = row_number(raw) {
                return n;
            }
        }
        clean_mark(raw)
    }

    /// Whether the table being built is the action table (its first row is the action heading).
    fn actions(&self) -> Actions {
        match self.table.first().or(self.row.as_ref()) {
            Some(first) if first.kind == RowKind::ActionHeader => {
                if first.split == Some(Split::Slashes) {
                    Actions::TypedOnLines
                } else {
                    Actions::Cells
                }
            }
            _ => Actions::No,
        }
    }

    fn run_together(&mut self, cells: Vec<String>, split: Split) -> Result<(), ReadError> {
        let mut cells: Vec<String> = cells;
        if let Some(first) = cells.first_mut() {
            if let Some(n) = row_number(first) {
                *first = n;
            }
        }
        for c in cells.iter_mut().skip(2) {
            *c = clean_mark(c);
        }
        let mut row = RowBuilder::from_cells(cells, split);
        if row.kind == RowKind::Numbered {
            if split == Split::Tabs {
                // Columns kept: number, question, YES, NO, comment (an editor may have dropped
                // the empty cells at the end).
                row.cells.resize(row.cells.len().max(5), vec![String::new()]);
            } else {
                row.cells = place_numbered(row.cells, &mut self.notes);
            }
        }
        self.start_row(row)
    }

    fn plain_line(&mut self, line: &str) -> Result<(), ReadError> {
        if is_anchor(line) {
            return self.paragraph(line);
        }
        if let Some((cells, split)) = split_run_together(line, self.actions()) {
            return self.run_together(cells, split);
        }
        if let Some(cells) = split_answer_line(line) {
            return self.run_together(cells, Split::Tabs);
        }
        let width = self.table_width();
        let blanks = self.blanks;
        if let Some(row) = self.row.as_mut() {
            if blanks == 0 || !row.complete(width) {
                row.continue_last(blanks, line);
                return Ok(());
            }
        }
        self.paragraph(line)
    }
}

/// A numbered row follows another in the form's order (so "4" typed as a rating inside row 3.3
/// is not taken for row 4 unless the row before it is complete).
fn follows(current: Option<(u32, u32)>, next: Option<(u32, u32)>) -> bool {
    match (current, next) {
        (Some(c), Some(n)) => n > c,
        _ => true,
    }
}

/// Rebuild the document from the text (already decoded).
pub fn parse(text: &str, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let mut b = Builder { blocks: Vec::new(), notes: Vec::new(), table: Vec::new(), row: None, blanks: 0, cells: 0, limits };
    let normalised = text.replace("\r\n", "\n").replace(['\r', '\u{0C}', '\u{2028}', '\u{2029}', '\u{85}'], "\n");
    for (i, line) in normalised.split('\n').enumerate() {
        if i % 1024 == 0 {
            deadline.check()?;
        }
        match classify(line) {
            Line::Blank => {
                b.blanks += 1;
                continue;
            }
            Line::Cell(c) => b.cell_line(c)?,
            Line::Plain(p) => b.plain_line(p)?,
        }
        b.blanks = 0;
    }
    b.finish_table()?;
    Ok(Document { blocks: b.blocks, furniture: Vec::new(), unread: b.notes, notes: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_numbers_repaired() {
        assert_eq!(row_number("1.4").as_deref(), Some("1.4"));
        assert_eq!(row_number("l.4").as_deref(), Some("1.4"));
        assert_eq!(row_number("I.4").as_deref(), Some("1.4"));
        assert_eq!(row_number("9.1O").as_deref(), Some("9.10"));
        assert_eq!(row_number("9.9 ").as_deref(), Some("9.9"));
        assert_eq!(row_number("1,4.").as_deref(), Some("1.4"));
        assert_eq!(row_number("I").as_deref(), Some("1"));
        assert_eq!(row_number("Il"), None);
        assert_eq!(row_number("Yes"), None);
        assert_eq!(row_number("2 weeks"), None);
        assert_eq!(row_number(""), None);
    }

    #[test]
    fn marks_cleaned() {
        assert_eq!(clean_mark("Y E S"), "YES");
        assert_eq!(clean_mark("N o"), "No");
        assert_eq!(clean_mark("Yes."), "Yes");
        assert_eq!(clean_mark("|X|"), "X");
        assert_eq!(clean_mark("(X)"), "(X)");
        assert_eq!(clean_mark("Good. See plan."), "Good. See plan.");
    }

    #[test]
    fn column_layout_told_from_run_together_rows() {
        let layout = "BASIC INFORMATION                         YES   NO   Comments/Actions\n1     Can you show evidence   Y\n";
        assert!(is_column_aligned(layout));
        let typed = "  BASIC INFORMATION  YES  NO  Comments/Actions\n1  Can you show evidence of the child  Yes\n";
        assert!(!is_column_aligned(typed));
        let tabbed = "\tBASIC INFORMATION                         YES   NO   Comments/Actions\n\t1\n\tq\n\t\n\t\n\t\n";
        assert!(!is_column_aligned(&tabbed.repeat(3)));
    }

    #[test]
    fn binary_refused() {
        assert!(matches!(decode(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2, 3, 0, 0xFF]), Err(ReadError::NotADocument(_))));
        let junk: Vec<u8> = (0u8..=255).cycle().take(4000).filter(|b| *b != 0).collect();
        assert!(matches!(decode(&junk), Err(ReadError::NotADocument(_))));
    }
}
