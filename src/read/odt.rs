//! OpenDocument text (.odt) reader.
//!
//! Streams `content.xml` (the body) and `styles.xml` (named styles, and the page headers and
//! footers where the form's edition "July 2019" is printed) with quick-xml events into the
//! neutral model. Elements are matched by namespace URI, never by prefix, so any writer works.
//!
//! Most .odt returns are Word forms saved again by LibreOffice, so the model is made to look like
//! what the .docx reader gives for the same form: a cell spanning columns appears once with its
//! span, the continuation of a row-spanning cell is a `merged_above` cell, Word's legacy
//! checkboxes (ODF fieldmarks) and checkbox content controls (`loext:content-control`) become
//! checkbox runs, Wingdings ticks become their Unicode look-alikes, and highlight colours from
//! Word's palette get Word's highlight names back.

use std::collections::HashMap;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

use crate::model::{Block, Cell, Document, Paragraph, Row, Run, RunFormat, RunKind, Table};
use crate::read::{docx, zipped, Deadline, Limits, ModelBudget, ReadError};

const NS_OFFICE: &str = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
const NS_TEXT: &str = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
const NS_TABLE: &str = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
const NS_STYLE: &str = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
const NS_FO: &str = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0";
const NS_SVG: &str = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0";
const NS_DRAW: &str = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0";
const NS_FORM: &str = "urn:oasis:names:tc:opendocument:xmlns:form:1.0";
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
const NS_FIELD: &str = "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0";
const NS_LOEXT: &str = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0";

/// The glyphs a checkbox run carries, as the .docx reader gives them.
const CHECKED: &str = "☒";
const UNCHECKED: &str = "☐";

/// Most copies made of one cell or row by `number-columns-repeated` / `number-rows-repeated`
/// (a text document never needs more; a hostile one could ask for millions).
const MAX_REPEAT: usize = 1000;
/// Most spaces one `text:s` may produce.
const MAX_SPACES: usize = 1000;
/// Events between deadline checks.
const DEADLINE_EVERY: u32 = 512;

/// Read an .odt file into the document model.
pub fn read(path: &Path, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let mut pkg = zipped::Package::open(path, limits, deadline)?;
    if let Some(manifest) = pkg.read_opt("META-INF/manifest.xml")? {
        // ODF encryption keeps the zip readable but encrypts each part; the manifest says so.
        if contains(&manifest, b"encryption-data") {
            return Err(ReadError::Encrypted);
        }
    }
    let content = pkg
        .read_opt("content.xml")?
        .ok_or_else(|| ReadError::Damaged("the OpenDocument package has no content.xml".into()))?;
    let styles = pkg.read_opt("styles.xml")?;
    read_parts(&content, styles.as_deref(), limits, deadline)
}

/// Read a document from its `content.xml` and (optional) `styles.xml` bytes.
/// Public within the crate so tests and other readers (a flat .fodt, say) can feed parts directly.
pub(crate) fn read_parts(
    content: &[u8],
    styles: Option<&[u8]>,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Document, ReadError> {
    let mut p = Parser::new(limits, deadline);
    if let Some(styles) = styles {
        match p.parse(styles, Scope::Styles) {
            Ok(()) => {}
            Err(ReadError::Damaged(_)) => {
                p.doc.notes.push("styles.xml is damaged: page headers and footers were not read".into());
                p.doc.furniture.clear();
            }
            Err(e) => return Err(e),
        }
    }
    p.parse(content, Scope::Content)?;
    Ok(p.doc)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Which part is being parsed: automatic styles are private to their part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Styles,
    Content,
}

/// The namespaces this reader cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Office,
    Text,
    Table,
    Style,
    Fo,
    Svg,
    Draw,
    Form,
    Xml,
    Field,
    Loext,
    Other,
}

impl Ns {
    fn of(r: &ResolveResult<'_>) -> Ns {
        match r {
            ResolveResult::Bound(ns) => match ns.0 {
                NS_OFFICE => Ns::Office,
                NS_TEXT => Ns::Text,
                NS_TABLE => Ns::Table,
                NS_STYLE => Ns::Style,
                NS_FO => Ns::Fo,
                NS_SVG => Ns::Svg,
                NS_DRAW => Ns::Draw,
                NS_FORM => Ns::Form,
                NS_XML => Ns::Xml,
                NS_FIELD => Ns::Field,
                NS_LOEXT => Ns::Loext,
                _ => Ns::Other,
            },
            _ => Ns::Other,
        }
    }
}

/// Style family, as far as marks are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Family {
    Text,
    Paragraph,
    Cell,
}

/// Text properties as a style states them: `None` = not said (inherit), `Some` = set.
#[derive(Debug, Clone, Default, PartialEq)]
struct TextProps {
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    strike: Option<bool>,
    /// Character background: `Some(None)` = explicitly none (transparent/white).
    background: Option<Option<String>>,
    colour: Option<Option<String>>,
    boxed: Option<bool>,
    /// Font family name (resolved from the font-face declaration).
    font: Option<String>,
}

impl TextProps {
    /// `self` with every property `over` sets laid on top.
    fn overlay(&mut self, over: &TextProps) {
        macro_rules! take {
            ($($f:ident),*) => { $( if over.$f.is_some() { self.$f = over.$f.clone(); } )* };
        }
        take!(bold, italic, underline, strike, background, colour, boxed, font);
    }

    fn format(&self) -> RunFormat {
        let (highlight, shading) = match self.background.clone().flatten() {
            Some(hex) => match crate::model::word_highlight_name(&hex) {
                Some(name) => (Some(name.to_string()), None),
                None => (None, Some(hex)),
            },
            None => (None, None),
        };
        RunFormat {
            bold: self.bold.unwrap_or(false),
            italic: self.italic.unwrap_or(false),
            underline: self.underline.unwrap_or(false),
            strike: self.strike.unwrap_or(false),
            highlight,
            shading,
            colour: self.colour.clone().flatten(),
            boxed: self.boxed.unwrap_or(false),
        }
    }
}


/// "#92d050" → "92D050"; anything not a 6-digit hex colour → None.
fn hex_colour(v: &str) -> Option<String> {
    let h = v.trim().strip_prefix('#')?;
    (h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit())).then(|| h.to_ascii_uppercase())
}

/// A colour attribute as a mark: `Some(None)` for transparent / white / unreadable.
fn background_value(v: &str) -> Option<String> {
    hex_colour(v).filter(|h| h != "FFFFFF")
}

#[derive(Debug, Clone, Default)]
struct StyleDef {
    parent: Option<String>,
    text: TextProps,
    /// Table cell background (`Some(None)` = explicitly none).
    cell_bg: Option<Option<String>>,
}

#[derive(Default)]
struct Styles {
    /// Font-face name → font family.
    fonts: HashMap<String, String>,
    named: HashMap<(Family, String), StyleDef>,
    auto_styles: HashMap<(Family, String), StyleDef>,
    auto_content: HashMap<(Family, String), StyleDef>,
}

impl Styles {
    fn get(&self, scope: Scope, family: Family, name: &str, named_only: bool) -> Option<&StyleDef> {
        let key = (family, name.to_string());
        if !named_only {
            let auto = match scope {
                Scope::Styles => &self.auto_styles,
                Scope::Content => &self.auto_content,
            };
            if let Some(s) = auto.get(&key) {
                return Some(s);
            }
        }
        self.named.get(&key)
    }

    /// The style's text properties with its parents' underneath.
    fn text_props(&self, scope: Scope, family: Family, name: &str) -> TextProps {
        let mut chain: Vec<&TextProps> = Vec::new();
        let mut cur = self.get(scope, family, name, false);
        // Parents are always common (named) styles; a loop in the chain stops at 16 steps.
        while let Some(def) = cur {
            chain.push(&def.text);
            if chain.len() >= 16 {
                break;
            }
            cur = def.parent.as_deref().and_then(|p| self.get(scope, family, p, true));
        }
        let mut out = TextProps::default();
        for props in chain.iter().rev() {
            out.overlay(props);
        }
        out
    }

    fn cell_background(&self, scope: Scope, name: &str) -> Option<String> {
        let mut cur = self.get(scope, Family::Cell, name, false);
        let mut steps = 0;
        while let Some(def) = cur {
            if let Some(bg) = &def.cell_bg {
                return bg.clone();
            }
            steps += 1;
            if steps >= 16 {
                break;
            }
            cur = def.parent.as_deref().and_then(|p| self.get(scope, Family::Cell, p, true));
        }
        None
    }
}

/// A style being read (between `<style:style>` and its end).
struct PendingStyle {
    family: Family,
    name: String,
    def: StyleDef,
    automatic: bool,
}

/// Where the grid column of a row-spanning cell is covered.
#[derive(Debug, Clone, Copy)]
struct Cover {
    start_col: usize,
    span: u32,
    first_row: usize,
    last_row: usize,
}

struct TableB {
    table: Table,
    covers: Vec<Option<Cover>>,
    /// Rows finished so far (the index of the row being read).
    row_index: usize,
}

struct RowB {
    row: Row,
    /// Grid column of the next cell.
    col: usize,
    repeat: usize,
}

struct CellB {
    cell: Cell,
    rows: usize,
    repeat: usize,
}

struct ParaB {
    runs: Vec<Run>,
    /// Blocks found inside the paragraph (text boxes, frames): they follow it.
    after: Vec<Block>,
    props: TextProps,
    /// Nothing but collapsible white space yet (leading white space is dropped).
    at_start: bool,
    /// The last character written was a collapsed space (dropped again at the end).
    trailing_space: bool,
}

/// A Word legacy form field kept by LibreOffice as a fieldmark.
struct FieldmarkB {
    kind: FieldKind,
    checked: bool,
    entries: Vec<String>,
    selected: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    Checkbox,
    Dropdown,
    Other,
}

enum Frame {
    /// An element passed through (its text, if inside a paragraph, is kept).
    Other,
    /// A block sink: `office:text` (body) or a page header/footer (furniture).
    Body { blocks: Vec<Block>, furniture: bool },
    Table(TableB),
    Row(RowB),
    Cell(CellB),
    Para(ParaB),
    /// A `text:span`: its style's properties.
    Span(TextProps),
    /// A checkbox content control: emits one checkbox run, its shown glyph is not read.
    CheckControl { checked: bool },
    /// A content control showing its placeholder prompt ("Click or tap here to enter text"):
    /// not an answer, not read.
    Placeholder,
    Fieldmark(FieldmarkB),
    /// Inside `<style:style>`.
    StyleDef,
    /// Inside `office:styles` / `office:automatic-styles`.
    StyleSection { automatic: bool },
}

enum Open {
    Frame(Frame),
    /// Skip this element and everything in it.
    Skip,
    /// Handled already (an empty element such as `text:s`), nothing to close.
    Done,
}

struct Parser<'a> {
    limits: &'a Limits,
    deadline: &'a Deadline,
    styles: Styles,
    /// Form controls (`office:forms`) by id: checkbox state.
    controls: HashMap<String, bool>,
    doc: Document,
    stack: Vec<Frame>,
    cells: usize,
    /// Paragraphs opened and text read so far (bounded by the limits).
    budget: ModelBudget,
    scope: Scope,
    pending_style: Option<PendingStyle>,
    /// Inside a checkbox control or placeholder: text is not read.
    suppress: usize,
}

type Reader<'x> = NsReader<&'x [u8]>;

impl<'a> Parser<'a> {
    fn new(limits: &'a Limits, deadline: &'a Deadline) -> Self {
        Parser {
            limits,
            deadline,
            styles: Styles::default(),
            controls: HashMap::new(),
            doc: Document::default(),
            stack: Vec::new(),
            cells: 0,
            budget: ModelBudget::default(),
            scope: Scope::Content,
            pending_style: None,
            suppress: 0,
        }
    }

    fn parse(&mut self, xml: &[u8], scope: Scope) -> Result<(), ReadError> {
        let part = match scope {
            Scope::Styles => "styles.xml",
            Scope::Content => "content.xml",
        };
        self.scope = scope;
        self.stack.clear();
        self.suppress = 0;
        self.pending_style = None;
        let xml = zipped::xml_text(xml)?;
        let mut reader: Reader<'_> = NsReader::from_reader(xml.as_bytes());
        let mut buf = Vec::new();
        let mut skip = 0usize;
        let mut events = 0u32;
        loop {
            events = events.wrapping_add(1);
            if events.is_multiple_of(DEADLINE_EVERY) {
                self.deadline.check()?;
            }
            buf.clear();
            let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
                Ok((r, e)) => (Ns::of(&r), e),
                Err(_) => {
                    return Err(ReadError::Damaged(format!(
                        "{part} is not well-formed XML near byte {}",
                        reader.error_position()
                    )))
                }
            };
            match event {
                Event::Start(e) => {
                    if skip > 0 {
                        skip += 1;
                        continue;
                    }
                    if self.stack.len() >= self.limits.max_depth {
                        return Err(ReadError::TooLarge(format!(
                            "elements nested more than {} deep",
                            self.limits.max_depth
                        )));
                    }
                    match self.open(&reader, ns, &e)? {
                        Open::Frame(f) => self.push(f),
                        Open::Skip => skip = 1,
                        Open::Done => self.stack.push(Frame::Other),
                    }
                }
                Event::Empty(e) => {
                    if skip > 0 {
                        continue;
                    }
                    if let Open::Frame(f) = self.open(&reader, ns, &e)? {
                        self.close(f)?;
                    }
                }
                Event::End(_) => {
                    if skip > 0 {
                        skip -= 1;
                        continue;
                    }
                    if let Some(f) = self.stack.pop() {
                        self.close(f)?;
                    }
                }
                Event::Text(t) if skip == 0 => {
                    self.budget.text(t.len(), self.limits)?;
                    let s = t.xml10_content();
                    self.text(&s, true);
                }
                Event::CData(t) if skip == 0 => {
                    self.budget.text(t.len(), self.limits)?;
                    let s = t.xml10_content();
                    self.text(&s, true);
                }
                Event::GeneralRef(r) if skip == 0 => {
                    let resolved: Option<String> = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => {
                            let name: &str = &r;
                            quick_xml::escape::resolve_predefined_entity(name).map(str::to_string)
                        }
                        Err(_) => None,
                    };
                    if let Some(s) = resolved {
                        // A character reference is literal text: not collapsed.
                        self.text(&s, !r.is_char_ref());
                    }
                }
                // Office never writes a DOCTYPE; it is how entity attacks start.
                Event::DocType(_) => return Err(zipped::hostile_doctype()),
                Event::Eof => break,
                _ => {}
            }
        }
        // A truncated part leaves frames open: close them so what was read is kept.
        while let Some(f) = self.stack.pop() {
            self.close(f)?;
        }
        Ok(())
    }

    fn push(&mut self, f: Frame) {
        if matches!(f, Frame::CheckControl { .. } | Frame::Placeholder) {
            self.suppress += 1;
        }
        self.stack.push(f);
    }

    /// Handle an element's start; `Open::Frame` frames are closed by [`Self::close`] at its end.
    fn open(&mut self, reader: &Reader<'_>, ns: Ns, e: &BytesStart<'_>) -> Result<Open, ReadError> {
        let local_name = e.local_name();
        let local: &str = local_name.as_ref();
        let in_styles = self.stack.iter().any(|f| matches!(f, Frame::StyleSection { .. }));
        Ok(match (ns, local) {
            // ---- sections of the part ----
            (Ns::Office, "styles") => Open::Frame(Frame::StyleSection { automatic: false }),
            (Ns::Office, "automatic-styles") => Open::Frame(Frame::StyleSection { automatic: true }),
            (Ns::Office, "text") if self.scope == Scope::Content => {
                Open::Frame(Frame::Body { blocks: Vec::new(), furniture: false })
            }
            (Ns::Style, "header" | "footer" | "header-left" | "footer-left" | "header-first" | "footer-first")
                if self.scope == Scope::Styles =>
            {
                Open::Frame(Frame::Body { blocks: Vec::new(), furniture: true })
            }
            (Ns::Loext, "header-first" | "footer-first") if self.scope == Scope::Styles => {
                Open::Frame(Frame::Body { blocks: Vec::new(), furniture: true })
            }
            // Deleted text, comments, footnotes, index templates, metadata and embedded binaries.
            (Ns::Text, "tracked-changes" | "note" | "sequence-decls" | "variable-decls" | "user-field-decls")
            | (Ns::Office, "annotation" | "scripts" | "event-listeners" | "binary-data" | "settings")
            | (Ns::Svg, "title" | "desc")
            | (Ns::Text, "number")
            | (Ns::Draw, "image") => Open::Skip,
            (Ns::Text, l) if l.ends_with("-source") => Open::Skip,

            // ---- fonts and styles ----
            (Ns::Style, "font-face") => {
                let name = attr(reader, e, Ns::Style, "name");
                let family = attr(reader, e, Ns::Svg, "font-family");
                if let (Some(n), Some(f)) = (name, family) {
                    let f = f.trim().trim_matches(|c| c == '\'' || c == '"').to_string();
                    self.styles.fonts.insert(n, f);
                }
                Open::Frame(Frame::Other)
            }
            (Ns::Style, "style") if in_styles => {
                let automatic = self
                    .stack
                    .iter()
                    .rev()
                    .find_map(|f| match f {
                        Frame::StyleSection { automatic } => Some(*automatic),
                        _ => None,
                    })
                    .unwrap_or(false);
                let family = match attr(reader, e, Ns::Style, "family").as_deref() {
                    Some("text") => Some(Family::Text),
                    Some("paragraph") => Some(Family::Paragraph),
                    Some("table-cell") => Some(Family::Cell),
                    _ => None,
                };
                self.pending_style = match (family, attr(reader, e, Ns::Style, "name")) {
                    (Some(family), Some(name)) => Some(PendingStyle {
                        family,
                        name,
                        def: StyleDef { parent: attr(reader, e, Ns::Style, "parent-style-name"), ..StyleDef::default() },
                        automatic,
                    }),
                    _ => None,
                };
                Open::Frame(Frame::StyleDef)
            }
            (Ns::Style, "text-properties") if self.pending_style.is_some() => {
                let props = self.text_properties(reader, e);
                if let Some(p) = self.pending_style.as_mut() {
                    p.def.text.overlay(&props);
                }
                Open::Frame(Frame::Other)
            }
            (Ns::Style, "table-cell-properties") if self.pending_style.is_some() => {
                if let Some(v) = attr(reader, e, Ns::Fo, "background-color") {
                    let bg = background_value(&v);
                    if let Some(p) = self.pending_style.as_mut() {
                        p.def.cell_bg = Some(bg);
                    }
                }
                Open::Frame(Frame::Other)
            }

            // ---- form controls (office:forms) ----
            (Ns::Form, "checkbox") => {
                let id = attr(reader, e, Ns::Xml, "id")
                    .or_else(|| attr(reader, e, Ns::Form, "id"))
                    .or_else(|| attr(reader, e, Ns::Draw, "id"));
                let state = attr(reader, e, Ns::Form, "current-state").or_else(|| attr(reader, e, Ns::Form, "state"));
                if let Some(id) = id {
                    self.controls.insert(id, state.as_deref() == Some("checked"));
                }
                Open::Frame(Frame::Other)
            }
            (Ns::Draw, "control") => {
                if let Some(id) = attr(reader, e, Ns::Draw, "control") {
                    if let Some(&checked) = self.controls.get(&id) {
                        self.checkbox_run(checked);
                    }
                }
                Open::Done
            }

            // ---- tables ----
            (Ns::Table, "table") => Open::Frame(Frame::Table(TableB {
                table: Table::default(),
                covers: Vec::new(),
                row_index: 0,
            })),
            (Ns::Table, "table-row") => {
                let repeat = count_attr(reader, e, Ns::Table, "number-rows-repeated", MAX_REPEAT);
                Open::Frame(Frame::Row(RowB { row: Row::default(), col: 0, repeat }))
            }
            (Ns::Table, "table-cell") => {
                let span = count_attr(reader, e, Ns::Table, "number-columns-spanned", MAX_REPEAT);
                let rows = count_attr(reader, e, Ns::Table, "number-rows-spanned", 1_000_000);
                let repeat = count_attr(reader, e, Ns::Table, "number-columns-repeated", MAX_REPEAT);
                let shading = attr(reader, e, Ns::Table, "style-name")
                    .and_then(|s| self.styles.cell_background(self.scope, &s));
                Open::Frame(Frame::Cell(CellB {
                    cell: Cell { blocks: Vec::new(), shading, span: span as u32, merged_above: false },
                    rows,
                    repeat,
                }))
            }
            (Ns::Table, "covered-table-cell") => {
                let repeat = count_attr(reader, e, Ns::Table, "number-columns-repeated", MAX_REPEAT);
                for _ in 0..repeat {
                    self.covered_cell()?;
                }
                // Text left in a covered cell is hidden by the merge: not read.
                Open::Skip
            }

            // ---- paragraphs and runs ----
            (Ns::Text, "p" | "h") => {
                self.budget.paragraph(self.limits)?;
                let props = match attr(reader, e, Ns::Text, "style-name") {
                    Some(s) => self.styles.text_props(self.scope, Family::Paragraph, &s),
                    None => TextProps::default(),
                };
                Open::Frame(Frame::Para(ParaB {
                    runs: Vec::new(),
                    after: Vec::new(),
                    props,
                    at_start: true,
                    trailing_space: false,
                }))
            }
            (Ns::Text, "span") => {
                let props = match attr(reader, e, Ns::Text, "style-name") {
                    Some(s) => self.styles.text_props(self.scope, Family::Text, &s),
                    None => TextProps::default(),
                };
                Open::Frame(Frame::Span(props))
            }
            (Ns::Text, "s") => {
                let n = count_attr(reader, e, Ns::Text, "c", MAX_SPACES);
                self.text(&" ".repeat(n), false);
                Open::Done
            }
            (Ns::Text, "tab") => {
                self.text("\t", false);
                Open::Done
            }
            (Ns::Text, "line-break") => {
                self.text("\n", false);
                Open::Done
            }
            (Ns::Loext, "content-control") => {
                if attr(reader, e, Ns::Loext, "checkbox").as_deref() == Some("true") {
                    let checked = attr(reader, e, Ns::Loext, "checked").as_deref() == Some("true");
                    Open::Frame(Frame::CheckControl { checked })
                } else if attr(reader, e, Ns::Loext, "showing-place-holder").as_deref() == Some("true") {
                    Open::Frame(Frame::Placeholder)
                } else {
                    Open::Frame(Frame::Other)
                }
            }
            (Ns::Field, "fieldmark" | "fieldmark-start") => {
                let kind = match attr(reader, e, Ns::Field, "type").as_deref() {
                    Some(t) if t.ends_with("FORMCHECKBOX") => FieldKind::Checkbox,
                    Some(t) if t.ends_with("FORMDROPDOWN") => FieldKind::Dropdown,
                    _ => FieldKind::Other,
                };
                Open::Frame(Frame::Fieldmark(FieldmarkB { kind, checked: false, entries: Vec::new(), selected: None }))
            }
            (Ns::Field, "param") => {
                let name = attr(reader, e, Ns::Field, "name");
                let value = attr(reader, e, Ns::Field, "value");
                if let Some(Frame::Fieldmark(fm)) = self.stack.last_mut() {
                    match (name.as_deref(), value) {
                        (Some("Checkbox_Checked"), Some(v)) => fm.checked = v == "true" || v == "1",
                        (Some("Dropdown_ListEntry"), Some(v)) if fm.entries.len() < MAX_REPEAT => fm.entries.push(v),
                        (Some("Dropdown_Selected"), Some(v)) => fm.selected = v.trim().parse().ok(),
                        _ => {}
                    }
                }
                Open::Done
            }
            _ => Open::Frame(Frame::Other),
        })
    }

    /// Handle an element's end.
    fn close(&mut self, f: Frame) -> Result<(), ReadError> {
        match f {
            Frame::Other | Frame::StyleSection { .. } => {}
            Frame::StyleDef => {
                if let Some(p) = self.pending_style.take() {
                    let map = if !p.automatic {
                        &mut self.styles.named
                    } else {
                        match self.scope {
                            Scope::Styles => &mut self.styles.auto_styles,
                            Scope::Content => &mut self.styles.auto_content,
                        }
                    };
                    map.insert((p.family, p.name), p.def);
                }
            }
            Frame::Body { blocks, furniture } => {
                if furniture {
                    // One header or footer per page style: the same text repeated is said once.
                    for b in blocks {
                        if !self.doc.furniture.contains(&b) {
                            self.doc.furniture.push(b);
                        }
                    }
                } else {
                    self.doc.blocks.extend(blocks);
                }
            }
            Frame::Para(mut p) => {
                if p.trailing_space {
                    if let Some(last) = p.runs.last_mut() {
                        if last.text.ends_with(' ') {
                            last.text.pop();
                        }
                        if last.text.is_empty() {
                            p.runs.pop();
                        }
                    }
                }
                self.emit_block(Block::Paragraph(Paragraph { runs: p.runs }));
                for b in p.after {
                    self.emit_block(b);
                }
            }
            Frame::Span(_) => {}
            Frame::CheckControl { checked } => {
                self.suppress = self.suppress.saturating_sub(1);
                self.checkbox_run(checked);
            }
            Frame::Placeholder => self.suppress = self.suppress.saturating_sub(1),
            Frame::Fieldmark(fm) => match fm.kind {
                FieldKind::Checkbox => self.checkbox_run(fm.checked),
                FieldKind::Dropdown => {
                    if let Some(entry) = fm.entries.get(fm.selected.unwrap_or(0)).cloned() {
                        self.text(&entry, false);
                    }
                }
                FieldKind::Other => {}
            },
            Frame::Table(t) => self.emit_block(Block::Table(t.table)),
            Frame::Row(r) => {
                if self.nearest_table().is_none() {
                    return Ok(());
                }
                // Counted before copying, so a hostile repeat count is refused, not built.
                self.count_cells(r.row.cells.len().saturating_mul(r.repeat.saturating_sub(1)))?;
                let Some(table) = self.nearest_table() else { return Ok(()) };
                table.row_index = table.row_index.saturating_add(r.repeat);
                for _ in 1..r.repeat {
                    table.table.rows.push(r.row.clone());
                }
                table.table.rows.push(r.row);
            }
            Frame::Cell(c) => {
                if !matches!(self.stack.last(), Some(Frame::Row(_))) {
                    return Ok(());
                }
                self.count_cells(c.repeat)?;
                let Some(Frame::Row(row)) = self.stack.last_mut() else { return Ok(()) };
                let col = row.col;
                let span = c.cell.span as usize;
                row.col = col.saturating_add(span.saturating_mul(c.repeat));
                for _ in 1..c.repeat {
                    row.row.cells.push(c.cell.clone());
                }
                row.row.cells.push(c.cell);
                let repeat = c.repeat;
                if c.rows > 1 {
                    if let Some(table) = self.nearest_table() {
                        let first_row = table.row_index;
                        let last_row = first_row.saturating_add(c.rows - 1);
                        for k in 0..repeat {
                            let start_col = col + k * span;
                            for g in start_col..start_col + span {
                                if g >= 10_000 {
                                    break;
                                }
                                if table.covers.len() <= g {
                                    table.covers.resize(g + 1, None);
                                }
                                table.covers[g] = Some(Cover { start_col, span: span as u32, first_row, last_row });
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A `table:covered-table-cell`: the continuation of a row-spanning cell becomes a
    /// `merged_above` cell (once, with the spanning cell's span), a horizontal continuation is
    /// dropped, so the row lines up with the grid exactly as the .docx reader's does.
    fn covered_cell(&mut self) -> Result<(), ReadError> {
        let Some(pos) = self.stack.iter().rposition(|f| matches!(f, Frame::Row(_))) else { return Ok(()) };
        let col = match self.stack.get(pos) {
            Some(Frame::Row(r)) => r.col,
            _ => return Ok(()),
        };
        let cover = self.stack[..pos].iter().rev().find_map(|f| match f {
            Frame::Table(t) => Some(t.covers.get(col).copied().flatten().map(|c| (c, t.row_index))),
            _ => None,
        });
        let emit = match cover.flatten() {
            Some((c, row)) if c.start_col == col && row > c.first_row && row <= c.last_row => Some(c.span),
            _ => None,
        };
        if let Some(Frame::Row(r)) = self.stack.get_mut(pos) {
            r.col = col.saturating_add(1);
            if let Some(span) = emit {
                r.row.cells.push(Cell { blocks: Vec::new(), shading: None, span, merged_above: true });
            }
        }
        if emit.is_some() {
            self.count_cells(1)?;
        }
        Ok(())
    }

    fn nearest_table(&mut self) -> Option<&mut TableB> {
        for f in self.stack.iter_mut().rev() {
            match f {
                Frame::Table(t) => return Some(t),
                // A cell's table is below its row; header-row groups are `Other`.
                Frame::Other | Frame::Row(_) => continue,
                _ => return None,
            }
        }
        None
    }

    fn count_cells(&mut self, n: usize) -> Result<(), ReadError> {
        self.cells = self.cells.saturating_add(n);
        if self.cells > self.limits.max_cells {
            return Err(ReadError::TooLarge(format!("more than {} table cells", self.limits.max_cells)));
        }
        Ok(())
    }

    /// A finished paragraph or table goes to the nearest paragraph (as a block that follows it:
    /// a text box), cell, or body.
    fn emit_block(&mut self, b: Block) {
        for f in self.stack.iter_mut().rev() {
            match f {
                Frame::Para(p) => return p.after.push(b),
                Frame::Cell(c) => return c.cell.blocks.push(b),
                Frame::Body { blocks, .. } => return blocks.push(b),
                Frame::Row(_) | Frame::Table(_) => return,
                _ => {}
            }
        }
    }

    /// The paragraph text goes into, with the effective text properties there.
    fn current_para(&mut self) -> Option<(usize, TextProps)> {
        let mut spans: Vec<&TextProps> = Vec::new();
        for (i, f) in self.stack.iter().enumerate().rev() {
            match f {
                Frame::Para(p) => {
                    let mut props = p.props.clone();
                    for s in spans.iter().rev() {
                        props.overlay(s);
                    }
                    return Some((i, props));
                }
                Frame::Span(s) => spans.push(s),
                Frame::Other | Frame::Fieldmark(_) | Frame::CheckControl { .. } | Frame::Placeholder => {}
                _ => return None,
            }
        }
        None
    }

    fn checkbox_run(&mut self, checked: bool) {
        let Some((i, props)) = self.current_para() else { return };
        if let Some(Frame::Para(p)) = self.stack.get_mut(i) {
            p.at_start = false;
            p.trailing_space = false;
            p.runs.push(Run {
                text: if checked { CHECKED } else { UNCHECKED }.to_string(),
                format: props.format(),
                kind: RunKind::Checkbox { checked },
            });
        }
    }

    /// Text inside a paragraph. `collapse`: ODF white-space rules (runs of spaces, tabs and
    /// newlines are one space; leading and trailing ones dropped); `false` for `text:s`, `text:tab`,
    /// `text:line-break`, which are literal.
    fn text(&mut self, s: &str, collapse: bool) {
        if self.suppress > 0 || s.is_empty() {
            return;
        }
        let Some((i, props)) = self.current_para() else { return };
        let Some(Frame::Para(p)) = self.stack.get_mut(i) else { return };
        let format = props.format();
        let font = props.font.as_deref();
        let mut plain = String::new();
        for c in s.chars() {
            if let Some(glyph) = symbol_glyph(font, c) {
                push_run(&mut p.runs, &plain, &format, RunKind::Text);
                plain.clear();
                push_run(&mut p.runs, glyph.encode_utf8(&mut [0u8; 4]), &format, RunKind::Symbol);
                p.at_start = false;
                p.trailing_space = false;
                continue;
            }
            if collapse && matches!(c, ' ' | '\t' | '\n' | '\r') {
                if p.at_start || p.trailing_space || plain.ends_with(' ') {
                    continue;
                }
                // A space already ending the previous run collapses with this one too.
                if plain.is_empty() && p.runs.last().is_some_and(|r| r.text.ends_with(' ') && r.kind == RunKind::Text) {
                    continue;
                }
                plain.push(' ');
                p.trailing_space = true;
            } else {
                plain.push(c);
                p.at_start = false;
                p.trailing_space = false;
            }
        }
        push_run(&mut p.runs, &plain, &format, RunKind::Text);
    }

    fn text_properties(&self, reader: &Reader<'_>, e: &BytesStart<'_>) -> TextProps {
        let mut t = TextProps::default();
        let mut border: Option<bool> = None;
        for a in e.attributes().with_checks(false).flatten() {
            let (r, l) = reader.resolver().resolve_attribute(a.key);
            let ns = Ns::of(&r);
            let local: &str = l.as_ref();
            let Ok(v) = a.normalized_value(XmlVersion::Implicit1_0) else { continue };
            let v = v.trim();
            match (ns, local) {
                (Ns::Fo, "font-weight") => {
                    t.bold = Some(v == "bold" || v.parse::<u32>().is_ok_and(|w| w >= 600));
                }
                (Ns::Fo, "font-style") => t.italic = Some(v == "italic" || v == "oblique"),
                (Ns::Style, "text-underline-style") => t.underline = Some(v != "none"),
                (Ns::Style, "text-line-through-style") => t.strike = Some(v != "none"),
                (Ns::Fo, "background-color") => t.background = Some(background_value(v)),
                (Ns::Fo, "color") if t.colour.is_none() => {
                    t.colour = Some(hex_colour(v).filter(|h| h != "000000"));
                }
                (Ns::Style, "use-window-font-color") if v == "true" => t.colour = Some(None),
                (Ns::Fo, "border" | "border-top" | "border-bottom" | "border-left" | "border-right") => {
                    let on = !(v == "none" || v == "hidden" || v.starts_with("0pt") || v.starts_with("0in"));
                    border = Some(border.unwrap_or(false) || on);
                }
                (Ns::Style, "font-name") => {
                    let family = self.styles.fonts.get(v).cloned().unwrap_or_else(|| v.to_string());
                    t.font = Some(family);
                }
                (Ns::Fo, "font-family") if t.font.is_none() => {
                    t.font = Some(v.trim_matches(|c| c == '\'' || c == '"').to_string());
                }
                _ => {}
            }
        }
        t.boxed = border;
        t
    }
}

/// Append text to the runs, merging with the last run when it has the same formatting.
fn push_run(runs: &mut Vec<Run>, text: &str, format: &RunFormat, kind: RunKind) {
    if text.is_empty() {
        return;
    }
    if kind == RunKind::Text {
        if let Some(last) = runs.last_mut() {
            if last.kind == RunKind::Text && &last.format == format {
                last.text.push_str(text);
                return;
            }
        }
    }
    runs.push(Run { text: text.to_string(), format: format.clone(), kind });
}

/// The Unicode look-alike of a character typed in a symbol font (Wingdings ticks and boxes), with
/// the .docx reader's own table so both formats give the same glyph; a private-use character in
/// no known symbol font is read as Wingdings, as the .docx reader does.
fn symbol_glyph(font: Option<&str>, c: char) -> Option<char> {
    let code = c as u32;
    let pua = (0xF020..=0xF0FF).contains(&code);
    match font.and_then(docx::sym_font) {
        Some(f) if pua || (0x20..=0xFF).contains(&code) => docx::symbol_char(f, code),
        None if pua => docx::symbol_char(docx::SymFont::Wingdings, code),
        _ => None,
    }
}

/// The value of one attribute (entities resolved), matched by namespace and local name.
fn attr(reader: &Reader<'_>, e: &BytesStart<'_>, ns: Ns, local: &str) -> Option<String> {
    for a in e.attributes().with_checks(false).flatten() {
        let (r, l) = reader.resolver().resolve_attribute(a.key);
        if Ns::of(&r) == ns && l.as_ref() == local {
            return a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned());
        }
    }
    None
}

/// A count attribute (spans, repeats, spaces): 1 when absent or unreadable, at most `max`.
fn count_attr(reader: &Reader<'_>, e: &BytesStart<'_>, ns: Ns, local: &str, max: usize) -> usize {
    attr(reader, e, ns, local)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const HEAD: &str = r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" xmlns:xml="http://www.w3.org/XML/1998/namespace">"#;

    fn doc(body: &str, auto: &str) -> Document {
        let xml = format!(
            "{HEAD}<office:automatic-styles>{auto}</office:automatic-styles><office:body><office:text>{body}</office:text></office:body></office:document-content>"
        );
        let limits = Limits::default();
        let deadline = Deadline::after(Duration::from_secs(10));
        read_parts(xml.as_bytes(), None, &limits, &deadline).expect("test xml reads")
    }

    fn para(d: &Document, i: usize) -> &Paragraph {
        match &d.blocks[i] {
            Block::Paragraph(p) => p,
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    #[test]
    fn white_space_collapses_and_literal_spaces_stay() {
        let d = doc("<text:p>  a \n  b<text:s text:c=\"3\"/>c<text:tab/>d<text:line-break/>e  </text:p>", "");
        assert_eq!(para(&d, 0).text(), "a b   c\td\ne");
    }

    #[test]
    fn span_styles_resolve_to_marks() {
        let auto = r##"<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold" fo:background-color="#ffff00"/></style:style>
            <style:style style:name="T2" style:family="text"><style:text-properties fo:color="#0070c0" style:text-underline-style="solid" fo:background-color="#d9d9d9"/></style:style>
            <style:style style:name="T3" style:family="text"><style:text-properties fo:color="#000000" fo:background-color="transparent" fo:border="0.5pt solid #000000"/></style:style>"##;
        let d = doc(
            r#"<text:p>1 <text:span text:style-name="T1">2</text:span> <text:span text:style-name="T2">3</text:span><text:span text:style-name="T3">4</text:span></text:p>"#,
            auto,
        );
        let p = para(&d, 0);
        assert_eq!(p.text(), "1 2 34");
        let two = p.runs.iter().find(|r| r.text == "2").expect("run 2");
        assert!(two.format.bold);
        assert_eq!(two.format.highlight.as_deref(), Some("yellow"));
        let three = p.runs.iter().find(|r| r.text == "3").expect("run 3");
        assert!(three.format.underline);
        assert_eq!(three.format.colour.as_deref(), Some("0070C0"));
        assert_eq!(three.format.shading.as_deref(), Some("D9D9D9"));
        let four = p.runs.iter().find(|r| r.text == "4").expect("run 4");
        assert!(four.format.boxed && four.format.colour.is_none() && four.format.highlight.is_none());
    }

    #[test]
    fn covered_cells_line_up_like_docx() {
        let auto = r##"<style:style style:name="C1" style:family="table-cell"><style:table-cell-properties fo:background-color="#92d050"/></style:style>"##;
        let body = r#"<table:table>
            <table:table-row><table:table-cell table:number-columns-spanned="2"><text:p>HEAD</text:p></table:table-cell><table:covered-table-cell/><table:table-cell><text:p>YES</text:p></table:table-cell></table:table-row>
            <table:table-row><table:table-cell table:number-rows-spanned="2"><text:p>1.5</text:p></table:table-cell><table:table-cell><text:p>Q</text:p></table:table-cell><table:table-cell table:style-name="C1" table:number-rows-spanned="2"><text:p>X</text:p></table:table-cell></table:table-row>
            <table:table-row><table:covered-table-cell/><table:table-cell><text:p>Show examples</text:p></table:table-cell><table:covered-table-cell><text:p>hidden</text:p></table:covered-table-cell></table:table-row>
            </table:table>"#;
        let d = doc(body, auto);
        let Block::Table(t) = &d.blocks[0] else { panic!("table expected") };
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].cells.len(), 2);
        assert_eq!(t.rows[0].cells[0].span, 2);
        assert_eq!(t.rows[1].cells[2].shading.as_deref(), Some("92D050"));
        let r2 = &t.rows[2].cells;
        assert_eq!(r2.len(), 3);
        assert!(r2[0].merged_above && !r2[1].merged_above && r2[2].merged_above);
        assert_eq!(r2[1].text(), "Show examples");
        assert_eq!(r2[2].text(), "");
    }

    #[test]
    fn form_controls_and_frames() {
        let body = r#"<office:forms><form:form><form:checkbox xml:id="c1" form:current-state="checked"/><form:checkbox xml:id="c2"/></form:form></office:forms>
            <text:p>A<draw:control draw:control="c1"/><draw:control draw:control="c2"/><draw:frame><draw:text-box><text:p>boxed text</text:p></draw:text-box></draw:frame>B</text:p>
            <text:tracked-changes><text:changed-region><text:deletion><text:p>deleted</text:p></text:deletion></text:changed-region></text:tracked-changes>"#;
        let d = doc(body, "");
        let p = para(&d, 0);
        assert_eq!(p.text(), "A☒☐B");
        assert_eq!(p.runs[1].kind, RunKind::Checkbox { checked: true });
        assert_eq!(p.runs[2].kind, RunKind::Checkbox { checked: false });
        assert_eq!(para(&d, 1).text(), "boxed text");
        assert_eq!(d.blocks.len(), 2);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let limits = Limits { max_depth: 20, ..Limits::default() };
        let deadline = Deadline::after(Duration::from_secs(10));
        let body = "<text:span>".repeat(40) + &"</text:span>".repeat(40);
        let xml = format!("{HEAD}<office:body><office:text><text:p>{body}</text:p></office:text></office:body></office:document-content>");
        let err = read_parts(xml.as_bytes(), None, &limits, &deadline).expect_err("too deep");
        assert!(matches!(err, ReadError::TooLarge(_)));
    }

    #[test]
    fn malformed_xml_is_damaged() {
        let limits = Limits::default();
        let deadline = Deadline::after(Duration::from_secs(10));
        let xml = format!("{HEAD}<office:body><office:text><text:p>a</text:h>");
        let err = read_parts(xml.as_bytes(), None, &limits, &deadline).expect_err("damaged");
        assert!(matches!(err, ReadError::Damaged(_)));
    }
}
