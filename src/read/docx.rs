//! The Word (.docx, OOXML WordprocessingML) reader: the main part streamed with quick-xml events
//! into the neutral model, page headers and footers into [`Document::furniture`].
//!
//! Elements are matched by namespace URI (transitional or Strict), never by prefix, so files
//! written with `ns0:` prefixes or a default namespace read the same. The reader keeps what a
//! person sees: the text with every tracked change accepted, ticked boxes (content controls,
//! legacy form fields, Wingdings glyphs) as their state, and the formatting people use as marks.
//! Nesting is handled with explicit stacks (never recursion on input), and every hostile-input
//! limit in [`Limits`] is honoured.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Read, Seek};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::model::{Block, Cell, Document, Paragraph, Row, Run, RunFormat, RunKind, Table};
use crate::read::zipped::{hostile_doctype, xml_text, Package};
use crate::read::{Deadline, Limits, ModelBudget, ReadError};

const W_TRANSITIONAL: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const W14: &str = "http://schemas.microsoft.com/office/word/2010/wordml";
const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// Glyphs given to checkbox runs, whatever the file drew.
const CHECKED: &str = "☒";
const UNCHECKED: &str = "☐";

/// Events between deadline checks.
const CHECK_EVERY: u32 = 2048;

/// Read the .docx at `path`.
pub fn read(path: &Path, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let mut pkg = Package::open(path, limits, deadline)?;
    read_package(&mut pkg, limits, deadline)
}

/// Read an already opened zip package as a Word document (sniffing may have opened it).
pub fn read_package<R: Read + Seek>(pkg: &mut Package<R>, limits: &Limits, deadline: &Deadline) -> Result<Document, ReadError> {
    let main = pkg.main_part("word/document.xml")?;
    let rels = pkg.relationships(&main)?;
    let mut notes = Vec::new();

    let xml = pkg.read(&main)?;
    let text = xml_text(&xml)?;

    // Styles matter through the defaults and the default paragraph style, and through styles
    // the text names. A document naming none needs only the head of the styles part.
    let names_styles = text.contains("pStyle") || text.contains("rStyle");
    let styles = match rels.iter().find(|r| !r.external && r.is_type("styles")) {
        Some(rel) => match read_styles(pkg, &rel.target, names_styles, limits, deadline) {
            Ok(s) => s,
            Err(e @ (ReadError::TooLarge(_) | ReadError::TooSlow)) => return Err(e),
            Err(_) => {
                notes.push("the document's styles could not be read; formatting from styles is ignored".to_string());
                Styles::default()
            }
        },
        None => Styles::default(),
    };

    let body = parse_part(&text, PartKind::Main, &styles, limits, deadline)?;
    drop(xml);
    notes.extend(body.notes);

    let mut furniture = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for rel in rels.iter().filter(|r| !r.external && (r.is_type("header") || r.is_type("footer"))) {
        if seen.contains(&rel.target.as_str()) {
            continue;
        }
        seen.push(&rel.target);
        let Some(bytes) = pkg.read_opt(&rel.target)? else { continue };
        match xml_text(&bytes).and_then(|t| parse_part(&t, PartKind::Furniture, &styles, limits, deadline)) {
            Ok(part) => furniture.extend(part.blocks),
            Err(e @ (ReadError::TooLarge(_) | ReadError::TooSlow)) => return Err(e),
            Err(_) => notes.push("a page header or footer could not be read and was skipped".to_string()),
        }
    }
    Ok(Document { blocks: body.blocks, furniture, notes, unread: Vec::new() })
}

/// Bytes of a styles part read first when only its defaults are needed.
const STYLES_HEAD: u64 = 64 * 1024;

fn read_styles<R: Read + Seek>(pkg: &mut Package<R>, part: &str, all: bool, limits: &Limits, deadline: &Deadline) -> Result<Styles, ReadError> {
    if !all {
        if let Some(mut head) = pkg.read_prefix(part, STYLES_HEAD)? {
            // Cut after the last complete tag so the text is whole UTF-8 ('>' is never inside a
            // multi-byte character).
            let end = head.iter().rposition(|&b| b == b'>').map_or(0, |i| i + 1);
            head.truncate(end);
            match xml_text(&head).and_then(|t| Styles::parse_defaults(&t, limits, deadline)) {
                Ok(Some(s)) => return Ok(s),
                Err(e @ (ReadError::TooLarge(_) | ReadError::TooSlow)) => return Err(e),
                // Not complete in the head (or not UTF-8 there): read the whole part.
                Ok(None) | Err(_) => {}
            }
        }
    }
    match pkg.read_opt(part)? {
        Some(bytes) => Styles::parse(&xml_text(&bytes)?, limits, deadline),
        None => Ok(Styles::default()),
    }
}

/// Which part is being parsed (decides the root element expected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartKind {
    /// `w:document` (the body).
    Main,
    /// `w:hdr` / `w:ftr`.
    Furniture,
}

/// What parsing one part produced.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub blocks: Vec<Block>,
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Run properties and styles
// ---------------------------------------------------------------------------------------------

/// A symbol font whose private-use characters we map to Unicode look-alikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SymFont {
    Wingdings,
    Wingdings2,
    Wingdings3,
    Symbol,
    Webdings,
}

pub(crate) fn sym_font(name: &str) -> Option<SymFont> {
    let n = name.trim().to_ascii_lowercase();
    match n.as_str() {
        "wingdings" => Some(SymFont::Wingdings),
        "wingdings 2" => Some(SymFont::Wingdings2),
        "wingdings 3" => Some(SymFont::Wingdings3),
        "symbol" => Some(SymFont::Symbol),
        "webdings" => Some(SymFont::Webdings),
        _ => None,
    }
}

/// The Unicode look-alike of a symbol-font character (code with or without the F0 prefix).
pub(crate) fn symbol_char(font: SymFont, code: u32) -> Option<char> {
    let low = if (0xF000..=0xF0FF).contains(&code) { code - 0xF000 } else { code };
    let c = match (font, low) {
        (SymFont::Wingdings, 0xFC) => '✓',
        (SymFont::Wingdings, 0xFB) => '✗',
        (SymFont::Wingdings, 0xFE) => '☑',
        (SymFont::Wingdings, 0xFD) => '☒',
        (SymFont::Wingdings, 0xA8) => '☐',
        (SymFont::Wingdings, 0x6F) => '☐',
        (SymFont::Wingdings, 0x71) => '☐',
        (SymFont::Wingdings, 0x72) => '☐',
        (SymFont::Wingdings, 0x78) => '☒',
        (SymFont::Wingdings, 0xA1) => '○',
        (SymFont::Wingdings, 0x6E) => '■',
        (SymFont::Wingdings, 0x6C) => '●',
        (SymFont::Wingdings, 0x43) => '👍',
        (SymFont::Wingdings, 0x44) => '👎',
        (SymFont::Wingdings2, 0x4F) => '✗',
        (SymFont::Wingdings2, 0x50) => '✓',
        (SymFont::Wingdings2, 0x51) => '☒',
        (SymFont::Wingdings2, 0x52) => '☑',
        (SymFont::Wingdings2, 0x53) => '☒',
        (SymFont::Wingdings2, 0x54) => '☒',
        (SymFont::Wingdings2, 0xA3) => '☐',
        (SymFont::Wingdings2, 0xA2) => '☐',
        (SymFont::Symbol, 0xD6) => '√',
        (SymFont::Symbol, 0xB4) => '×',
        (SymFont::Webdings, 0x61) => '✓',
        (SymFont::Webdings, 0x72) => '✗',
        _ => return None,
    };
    Some(c)
}

/// Map text typed in a symbol font (or private-use characters in any font) to look-alikes.
/// `None` when nothing in it is a known symbol.
fn map_symbol_text(font: Option<SymFont>, text: &str) -> Option<String> {
    // Fast path: ordinary text in an ordinary font.
    if font.is_none() && !text.chars().any(|c| (0xF020..=0xF0FF).contains(&(c as u32))) {
        return None;
    }
    let mut mapped_any = false;
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let code = ch as u32;
        let pua = (0xF020..=0xF0FF).contains(&code);
        let mapped = match font {
            Some(f) if pua || (0x20..=0xFF).contains(&code) => symbol_char(f, code),
            // A private-use symbol character without a known symbol font: Wingdings is by far
            // the commonest source of them.
            None if pua => symbol_char(SymFont::Wingdings, code),
            _ => None,
        };
        match mapped {
            Some(c) => {
                mapped_any = true;
                out.push(c);
            }
            None => out.push(ch),
        }
    }
    mapped_any.then_some(out)
}

/// Run properties as written at one level (style or direct); `None` = not said here.
#[derive(Debug, Clone, Default, PartialEq)]
struct RProps {
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    strike: Option<bool>,
    dstrike: Option<bool>,
    highlight: Option<Option<String>>,
    shading: Option<Option<String>>,
    colour: Option<Option<String>>,
    boxed: Option<bool>,
    font: Option<Option<SymFont>>,
    hidden: Option<bool>,
}

impl RProps {
    /// Lay `top` over `self` (what `top` says wins).
    fn overlay(&mut self, top: &RProps) {
        fn o<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
            if let Some(v) = b {
                *a = Some(v.clone());
            }
        }
        o(&mut self.bold, &top.bold);
        o(&mut self.italic, &top.italic);
        o(&mut self.underline, &top.underline);
        o(&mut self.strike, &top.strike);
        o(&mut self.dstrike, &top.dstrike);
        o(&mut self.highlight, &top.highlight);
        o(&mut self.shading, &top.shading);
        o(&mut self.colour, &top.colour);
        o(&mut self.boxed, &top.boxed);
        o(&mut self.font, &top.font);
        o(&mut self.hidden, &top.hidden);
    }

    fn format(&self) -> RunFormat {
        RunFormat {
            bold: self.bold.unwrap_or(false),
            italic: self.italic.unwrap_or(false),
            underline: self.underline.unwrap_or(false),
            strike: self.strike.unwrap_or(false) || self.dstrike.unwrap_or(false),
            highlight: self.highlight.clone().flatten(),
            shading: self.shading.clone().flatten(),
            colour: self.colour.clone().flatten(),
            boxed: self.boxed.unwrap_or(false),
        }
    }

    /// Apply one child element of a `w:rPr` (`local` is its local name). `w:rStyle` is handled
    /// by the caller.
    fn apply(&mut self, local: &str, e: &BytesStart) {
        match local {
            "b" => self.bold = Some(on_off(e)),
            "i" => self.italic = Some(on_off(e)),
            "u" => self.underline = Some(attr(e, "val").is_none_or(|v| !v.eq_ignore_ascii_case("none"))),
            "strike" => self.strike = Some(on_off(e)),
            "dstrike" => self.dstrike = Some(on_off(e)),
            "highlight" => {
                self.highlight = Some(attr(e, "val").and_then(|v| {
                    let v = v.trim();
                    let plain = v.is_empty() || ["none", "white", "black"].iter().any(|n| v.eq_ignore_ascii_case(n));
                    (!plain).then(|| v.to_string())
                }))
            }
            "shd" => self.shading = Some(shd_colour(e)),
            "color" => self.colour = Some(attr(e, "val").and_then(|v| hex_mark(&v))),
            "bdr" => self.boxed = Some(attr(e, "val").is_none_or(|v| !matches!(v.as_ref(), "none" | "nil"))),
            "rFonts" => {
                if let Some(name) = attr(e, "ascii").or_else(|| attr(e, "hAnsi")) {
                    self.font = Some(sym_font(&name));
                }
            }
            "vanish" => self.hidden = Some(on_off(e)),
            _ => {}
        }
    }
}

/// Styles that matter for marks: run properties of paragraph and character styles, resolved
/// through `basedOn`, over the document defaults.
#[derive(Debug, Default)]
pub(crate) struct Styles {
    defaults: RProps,
    /// Resolved (basedOn chain applied, defaults not included) props by style id.
    resolved: HashMap<String, RProps>,
    default_paragraph: Option<String>,
}

/// Largest number of styles read from styles.xml (real files have a few hundred).
const MAX_STYLES: usize = 20_000;

impl Styles {
    pub(crate) fn parse(xml: &str, limits: &Limits, deadline: &Deadline) -> Result<Styles, ReadError> {
        Styles::parse_inner(xml, limits, deadline, false).map(Option::unwrap_or_default)
    }

    /// Only the document defaults and the default paragraph style, from the start of a styles
    /// part (they come first; the latent-style table and other styles need not be inflated).
    /// `None` when `head` ends before they are complete.
    fn parse_defaults(head: &str, limits: &Limits, deadline: &Deadline) -> Result<Option<Styles>, ReadError> {
        Styles::parse_inner(head, limits, deadline, true)
    }

    fn parse_inner(xml: &str, limits: &Limits, deadline: &Deadline, defaults_only: bool) -> Result<Option<Styles>, ReadError> {
        struct Raw {
            based_on: Option<String>,
            props: RProps,
        }
        let mut reader = NsReader::from_str(xml);
        let mut raw: HashMap<String, Raw> = HashMap::new();
        let mut defaults = RProps::default();
        let mut default_paragraph = None;
        // Open elements that matter here (others as "").
        let mut stack: Vec<&'static str> = Vec::new();
        let mut current: Option<(String, Raw)> = None;
        let mut in_default_rpr = false;
        let mut events = 0u32;
        loop {
            events = events.wrapping_add(1);
            if events.is_multiple_of(CHECK_EVERY) {
                deadline.check()?;
            }
            let (res, ev) = match reader.read_resolved_event() {
                Ok(x) => x,
                Err(_) if defaults_only => return Ok(None),
                Err(_) => return Err(ReadError::Damaged("the styles part is not well-formed XML".into())),
            };
            let is_w = is_w_ns(&res);
            match ev {
                // The latent-style table is most of a styles part and carries no formatting.
                // (Not a match guard, as clippy suggests: a skipped table must not fall through
                // to the next arm.)
                #[allow(clippy::collapsible_match)]
                Event::Start(ref e) if is_w && e.local_name().as_ref() == "latentStyles" => {
                    if reader.read_to_end(e.name()).is_err() {
                        if defaults_only {
                            return Ok(None);
                        }
                        return Err(ReadError::Damaged("the styles part is not well-formed XML".into()));
                    }
                }
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    let name = e.local_name();
                    let full_local = if is_w { name.as_ref() } else { "" };
                    let local: &'static str = match full_local {
                        "styles" => "styles",
                        "style" => "style",
                        "rPr" => "rPr",
                        "rPrDefault" => "rPrDefault",
                        _ => "",
                    };
                    let parent = stack.last().copied().unwrap_or("");
                    let grand = stack.len().checked_sub(2).and_then(|i| stack.get(i)).copied().unwrap_or("");
                    match (parent, full_local) {
                        ("styles", "style") => {
                            let id = attr(e, "styleId").map(|v| v.into_owned()).unwrap_or_default();
                            if attr(e, "type").as_deref() == Some("paragraph")
                                && attr(e, "default").is_some_and(|v| is_true(&v))
                            {
                                default_paragraph = Some(id.clone());
                            }
                            current = Some((id, Raw { based_on: None, props: RProps::default() }));
                        }
                        ("style", "basedOn") => {
                            if let Some((_, r)) = current.as_mut() {
                                r.based_on = attr(e, "val").map(|v| v.into_owned());
                            }
                        }
                        ("rPrDefault", "rPr") => in_default_rpr = true,
                        ("rPr", l) if grand == "style" => {
                            if let Some((_, r)) = current.as_mut() {
                                r.props.apply(l, e);
                            }
                        }
                        ("rPr", l) if grand == "rPrDefault" && in_default_rpr => defaults.apply(l, e),
                        _ => {}
                    }
                    if !empty {
                        stack.push(local);
                        if stack.len() > limits.max_depth {
                            return Err(ReadError::TooLarge(format!("styles nested deeper than {} levels", limits.max_depth)));
                        }
                    } else if local == "style" && parent == "styles" {
                        if let Some((id, r)) = current.take() {
                            let done = defaults_only && default_paragraph.as_deref() == Some(id.as_str());
                            raw.insert(id, r);
                            if done {
                                break;
                            }
                        }
                    }
                }
                Event::End(_) => {
                    let closed = stack.pop().unwrap_or_default();
                    if closed == "style" && stack.last().copied() == Some("styles") {
                        if let Some((id, r)) = current.take() {
                            if raw.len() >= MAX_STYLES {
                                return Err(ReadError::TooLarge(format!("more than {MAX_STYLES} styles")));
                            }
                            let done = defaults_only && default_paragraph.as_deref() == Some(id.as_str());
                            raw.insert(id, r);
                            if done {
                                break;
                            }
                        }
                    }
                    if closed == "rPr" && stack.last().copied() == Some("rPrDefault") {
                        in_default_rpr = false;
                    }
                }
                Event::DocType(_) => return Err(hostile_doctype()),
                Event::Eof if defaults_only => return Ok(None),
                Event::Eof => break,
                _ => {}
            }
        }
        // Resolve basedOn chains (bounded: cycles and very long chains stop at 16 levels).
        let mut resolved = HashMap::with_capacity(raw.len());
        for id in raw.keys() {
            let mut chain: Vec<&RProps> = Vec::new();
            let mut cur = Some(id.as_str());
            while let Some(c) = cur {
                if chain.len() >= 16 {
                    break;
                }
                let Some(r) = raw.get(c) else { break };
                chain.push(&r.props);
                cur = r.based_on.as_deref();
            }
            let mut props = RProps::default();
            for p in chain.iter().rev() {
                props.overlay(p);
            }
            resolved.insert(id.clone(), props);
        }
        Ok(Some(Styles { defaults, resolved, default_paragraph }))
    }

    /// Defaults with the paragraph style (or the default paragraph style) laid over.
    fn paragraph_base(&self, style: Option<&str>) -> RProps {
        let mut p = self.defaults.clone();
        if let Some(s) = style.or(self.default_paragraph.as_deref()).and_then(|id| self.resolved.get(id)) {
            p.overlay(s);
        }
        p
    }
}

// ---------------------------------------------------------------------------------------------
// Attribute helpers
// ---------------------------------------------------------------------------------------------

/// The value of the attribute whose local name is `local` (any prefix: `w:val`, `w14:val`).
fn attr<'a>(e: &'a BytesStart, local: &str) -> Option<Cow<'a, str>> {
    for a in e.attributes().with_checks(false).flatten() {
        if a.key.local_name().as_ref() == local {
            // Borrowed unless the value holds an entity or a line break (no allocation per lookup).
            return Some(match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(v) => v,
                Err(_) => a.value.clone(),
            });
        }
    }
    None
}

fn is_true(v: &str) -> bool {
    !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "false" | "off" | "none")
}

/// An OOXML on/off property: present without `val`, or `val` not 0/false/off, is on.
fn on_off(e: &BytesStart) -> bool {
    attr(e, "val").is_none_or(|v| is_true(&v))
}

/// A colour that is a mark: hex upper-cased; auto, none, black and white are not marks.
fn hex_mark(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("auto") || v.eq_ignore_ascii_case("none") || v.eq_ignore_ascii_case("nil") {
        return None;
    }
    let up = v.to_ascii_uppercase();
    if up == "FFFFFF" || up == "000000" {
        return None;
    }
    Some(up)
}

/// The shading colour of a `w:shd`: its fill, or its foreground colour for a solid pattern.
fn shd_colour(e: &BytesStart) -> Option<String> {
    let val = attr(e, "val");
    if val.as_deref() == Some("nil") {
        return None;
    }
    if val.as_deref() == Some("solid") {
        if let Some(c) = attr(e, "color").and_then(|c| hex_mark(&c)) {
            return Some(c);
        }
    }
    attr(e, "fill").and_then(|f| hex_mark(&f))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    W,
    W14,
    Mc,
    Other,
}

fn is_w_ns(res: &ResolveResult) -> bool {
    matches!(res, ResolveResult::Bound(ns) if ns.as_ref() == W_TRANSITIONAL || ns.as_ref() == W_STRICT)
}

/// The namespace a bound URI names.
fn ns_of_uri(uri: &[u8]) -> Ns {
    match uri {
        u if u == W_TRANSITIONAL.as_bytes() || u == W_STRICT.as_bytes() => Ns::W,
        u if u == W14.as_bytes() => Ns::W14,
        u if u == MC.as_bytes() => Ns::Mc,
        _ => Ns::Other,
    }
}

/// The namespace prefixes in scope while a part is parsed: quick-xml's own resolver (its rules:
/// at most 128 bindings in scope, the reserved `xml`/`xmlns` prefixes), but consulted less.
/// `NsReader` scans every tag's attributes for declarations and resolves every name, about a
/// tenth of the Word reader's time; a part declares its namespaces on its root, so only a tag
/// holding `xmlns` is handed to the resolver, and a name with the same prefix as the one before
/// it reuses that answer.
#[derive(Default)]
struct Namespaces {
    resolver: quick_xml::name::NamespaceResolver,
    /// Per open element: whether it was handed to the resolver (and must be popped from it).
    pushed: Vec<bool>,
    /// The last name's prefix (up to and with its colon; empty for none) and its namespace,
    /// forgotten whenever the bindings change.
    last: Option<(Box<[u8]>, Ns)>,
}

impl Namespaces {
    /// An element starts: take its declarations into scope and resolve its name. An error is a
    /// declaration XML forbids or too many bindings, as `NsReader` reports them.
    fn open(&mut self, e: &BytesStart) -> Result<Ns, quick_xml::name::NamespaceError> {
        static XMLNS: std::sync::LazyLock<memchr::memmem::Finder<'static>> = std::sync::LazyLock::new(|| memchr::memmem::Finder::new("xmlns"));
        // Without "xmlns" in the tag the resolver would find no declaration in it.
        let declares = XMLNS.find(e.attributes_raw().as_bytes()).is_some();
        if declares {
            self.last = None;
            // Pushed before the check, so `close` pops it even when it fails.
            self.pushed.push(true);
            self.resolver.push(e)?;
        } else {
            self.pushed.push(false);
        }
        let name = e.name();
        let bytes = name.as_ref().as_bytes();
        let prefix = bytes.iter().position(|&b| b == b':').and_then(|i| bytes.get(..=i)).unwrap_or(&[]);
        if let Some((p, ns)) = &self.last {
            if p.as_ref() == prefix {
                return Ok(*ns);
            }
        }
        let ns = match self.resolver.resolve_element(name).0 {
            ResolveResult::Bound(uri) => ns_of_uri(uri.as_ref().as_bytes()),
            _ => Ns::Other,
        };
        self.last = Some((prefix.into(), ns));
        Ok(ns)
    }

    /// An element ends (an empty element ends as soon as it starts).
    fn close(&mut self) {
        if self.pushed.pop() == Some(true) {
            self.resolver.pop();
            self.last = None;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The part parser
// ---------------------------------------------------------------------------------------------

/// What an open element means, decided when it opened and acted on when it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Transparent: its children are read as if they were its parent's.
    Pass,
    /// Transparent markup-compatibility wrapper (its `Choice` is read once).
    Alt,
    Para,
    PPr,
    /// The paragraph mark's run properties (a tracked deletion of the mark lives there).
    PPrRPr,
    Run,
    RPr,
    Text,
    Table,
    Row,
    TrPr,
    Cell,
    TcPr,
    Sdt,
    SdtPr,
    SdtCheckbox,
    SdtContent,
    FldChar,
    FfData,
    FfCheckBox,
    FfDdList,
    TextBox,
}

/// Open model objects under construction, one per structural frame.
enum Node {
    /// The part's body, or a text box's content.
    Blocks(Vec<Block>),
    Table(Vec<Row>),
    Row { cells: Vec<Cell>, deleted: bool },
    Cell { cell: Cell, vmerge_continue: bool, para_shading: Option<String>, deleted: bool },
    Para { para: Paragraph, after: Vec<Block>, base: RProps, shading: Option<String>, mark_deleted: bool },
    Run(RunNode),
}

struct RunNode {
    format: RunFormat,
    font: Option<SymFont>,
    hidden: bool,
    text: String,
    base: RProps,
    direct: RProps,
    style: Option<String>,
}

struct SdtState {
    checkbox: Option<bool>,
    placeholder: bool,
    in_content: bool,
    emitted: bool,
}

struct FieldState {
    in_result: bool,
    checkbox: bool,
    default: Option<bool>,
    checked: Option<bool>,
    /// A legacy drop-down (FORMDROPDOWN): its entries and the chosen and default indexes.
    dropdown: Option<Dropdown>,
}

#[derive(Default)]
struct Dropdown {
    entries: Vec<String>,
    result: Option<usize>,
    default: Option<usize>,
}

/// Most entries kept from one legacy drop-down (Word allows 25).
const MAX_DROPDOWN_ENTRIES: usize = 64;

struct Parser<'a> {
    styles: &'a Styles,
    limits: &'a Limits,
    kind: PartKind,
    frames: Vec<Frame>,
    nodes: Vec<Node>,
    sdts: Vec<SdtState>,
    fields: Vec<FieldState>,
    /// Per open `mc:AlternateContent`: has one `Choice` been read.
    alts: Vec<bool>,
    /// Open elements inside a skipped subtree.
    skip: usize,
    cells: usize,
    /// Paragraphs opened and text read so far (bounded by the limits).
    budget: ModelBudget,
    root_seen: bool,
    tracked: bool,
    deleted_rows: usize,
    hidden_text: bool,
    /// Runs of a paragraph whose mark was deleted (tracked): accepted, the paragraph joins the
    /// next one in the same container. With the node depth it was closed at.
    carry: Option<(usize, Vec<Run>)>,
}

/// Parse one WordprocessingML part (document, header or footer) into blocks.
pub(crate) fn parse_part(xml: &str, kind: PartKind, styles: &Styles, limits: &Limits, deadline: &Deadline) -> Result<Parsed, ReadError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut namespaces = Namespaces::default();
    let mut p = Parser {
        styles,
        limits,
        kind,
        frames: Vec::with_capacity(64),
        nodes: vec![Node::Blocks(Vec::new())],
        sdts: Vec::new(),
        fields: Vec::new(),
        alts: Vec::new(),
        skip: 0,
        cells: 0,
        budget: ModelBudget::default(),
        root_seen: false,
        tracked: false,
        deleted_rows: 0,
        hidden_text: false,
        carry: None,
    };
    let mut events = 0u32;
    loop {
        events = events.wrapping_add(1);
        if events.is_multiple_of(CHECK_EVERY) {
            deadline.check()?;
        }
        // Namespaces are resolved only where they are used (element starts).
        let ev = reader.read_event().map_err(|e| malformed(kind, &e))?;
        match ev {
            Event::Start(e) => {
                let ns = namespaces.open(&e).map_err(|_| not_well_formed(kind))?;
                p.start(ns, &e, false)?;
            }
            Event::Empty(e) => {
                let ns = namespaces.open(&e).map_err(|_| not_well_formed(kind));
                namespaces.close();
                p.start(ns?, &e, true)?;
            }
            Event::End(_) => {
                namespaces.close();
                p.end()?;
            }
            Event::Text(t) if p.in_text() => {
                p.budget.text(t.len(), p.limits)?;
                p.push_text(&t.xml10_content());
            }
            Event::CData(t) if p.in_text() => {
                p.budget.text(t.len(), p.limits)?;
                p.push_text(&t.xml10_content());
            }
            Event::GeneralRef(r) if p.in_text() => {
                {
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match r.as_ref() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            // An undefined entity: there is no DTD, so it has no text.
                            _ => None,
                        },
                        Err(_) => None,
                    };
                    if let Some(c) = ch {
                        let mut b = [0u8; 4];
                        p.push_text(c.encode_utf8(&mut b));
                    }
                }
            }
            Event::DocType(_) => return Err(hostile_doctype()),
            Event::Eof => break,
            _ => {}
        }
    }
    p.flush_carry();
    if !p.frames.is_empty() || p.skip > 0 {
        return Err(ReadError::Damaged(format!("the {} ends before its XML is complete (cut short)", part_name(kind))));
    }
    if !p.root_seen {
        return Err(match kind {
            PartKind::Main => ReadError::NotADocument("the package holds no Word document text".into()),
            PartKind::Furniture => ReadError::Damaged("a page header or footer is empty".into()),
        });
    }
    let mut notes = Vec::new();
    if p.tracked && kind == PartKind::Main {
        notes.push("the document has tracked changes; it was read as if every change were accepted".to_string());
    }
    if p.deleted_rows > 0 {
        notes.push(format!("{} table row(s) deleted with tracked changes were left out", p.deleted_rows));
    }
    if p.hidden_text {
        notes.push("hidden text in the document was left out".to_string());
    }
    let blocks = match p.nodes.into_iter().next() {
        Some(Node::Blocks(b)) => b,
        _ => Vec::new(),
    };
    Ok(Parsed { blocks, notes })
}

fn part_name(kind: PartKind) -> &'static str {
    match kind {
        PartKind::Main => "document text",
        PartKind::Furniture => "page header or footer",
    }
}

fn malformed(kind: PartKind, e: &quick_xml::Error) -> ReadError {
    use quick_xml::errors::SyntaxError;
    let cut = matches!(e, quick_xml::Error::Syntax(SyntaxError::UnclosedTag | SyntaxError::UnclosedComment | SyntaxError::UnclosedCData | SyntaxError::UnclosedDoctype | SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl | SyntaxError::UnclosedSingleQuotedAttributeValue));
    if cut {
        ReadError::Damaged(format!("the {} ends before its XML is complete (cut short)", part_name(kind)))
    } else {
        not_well_formed(kind)
    }
}

fn not_well_formed(kind: PartKind) -> ReadError {
    ReadError::Damaged(format!("the {} is not well-formed XML", part_name(kind)))
}

impl<'a> Parser<'a> {
    fn in_text(&self) -> bool {
        self.skip == 0 && self.frames.last() == Some(&Frame::Text)
    }

    /// The nearest open frame that is not transparent.
    fn parent(&self) -> Option<Frame> {
        self.frames.iter().rev().copied().find(|f| !matches!(f, Frame::Pass | Frame::Alt))
    }

    fn start(&mut self, ns: Ns, e: &BytesStart, empty: bool) -> Result<(), ReadError> {
        if self.skip > 0 {
            if !empty {
                self.skip += 1;
                self.check_depth()?;
            }
            return Ok(());
        }
        let frame = self.open(ns, e)?;
        match frame {
            None => {
                if !empty {
                    self.skip = 1;
                    self.check_depth()?;
                }
            }
            Some(f) => {
                if empty {
                    self.close(f);
                } else {
                    self.frames.push(f);
                    self.check_depth()?;
                }
            }
        }
        Ok(())
    }

    fn check_depth(&self) -> Result<(), ReadError> {
        if self.frames.len() + self.skip > self.limits.max_depth {
            Err(ReadError::TooLarge(format!("XML nested deeper than {} levels", self.limits.max_depth)))
        } else {
            Ok(())
        }
    }

    fn end(&mut self) -> Result<(), ReadError> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        if let Some(f) = self.frames.pop() {
            self.close(f);
        }
        Ok(())
    }

    /// Decide what a newly opened element is. `None` = skip it and everything inside it.
    fn open(&mut self, ns: Ns, e: &BytesStart) -> Result<Option<Frame>, ReadError> {
        let name = e.local_name();
        let local = name.as_ref();
        if !self.root_seen {
            self.root_seen = true;
            let ok = ns == Ns::W
                && match self.kind {
                    PartKind::Main => local == "document",
                    PartKind::Furniture => local == "hdr" || local == "ftr",
                };
            if !ok {
                return Err(match (self.kind, local) {
                    (PartKind::Main, "workbook") => ReadError::NotADocument("it is an Excel workbook with a Word file name".into()),
                    (PartKind::Main, "presentation") => ReadError::NotADocument("it is a PowerPoint file with a Word file name".into()),
                    (PartKind::Main, _) => ReadError::NotADocument("the package holds no Word document text".into()),
                    (PartKind::Furniture, _) => ReadError::Damaged("a page header or footer is not WordprocessingML".into()),
                });
            }
            return Ok(Some(Frame::Pass));
        }
        let parent = self.parent();
        // Property containers: their children are properties, never content.
        match parent {
            Some(Frame::RPr) => {
                if ns == Ns::W {
                    if local == "rStyle" {
                        if let Some(Node::Run(r)) = self.nodes.last_mut() {
                            r.style = attr(e, "val").map(|v| v.into_owned());
                        }
                    } else if let Some(Node::Run(r)) = self.nodes.last_mut() {
                        r.direct.apply(local, e);
                    }
                }
                return Ok(None);
            }
            Some(Frame::PPr) => {
                if ns == Ns::W {
                    match local {
                        "pStyle" => {
                            let base = self.styles.paragraph_base(attr(e, "val").as_deref());
                            if let Some(Node::Para { base: b, .. }) = self.nodes.last_mut() {
                                *b = base;
                            }
                        }
                        "shd" => {
                            let s = shd_colour(e);
                            if let Some(Node::Para { shading, .. }) = self.nodes.last_mut() {
                                *shading = s;
                            }
                        }
                        "rPr" => return Ok(Some(Frame::PPrRPr)),
                        _ => {}
                    }
                }
                return Ok(None);
            }
            Some(Frame::PPrRPr) => {
                if ns == Ns::W && (local == "del" || local == "moveFrom") {
                    self.tracked = true;
                    if let Some(Node::Para { mark_deleted, .. }) = self.nodes.last_mut() {
                        *mark_deleted = true;
                    }
                }
                return Ok(None);
            }
            Some(Frame::TcPr) => {
                if ns == Ns::W {
                    if let Some(Node::Cell { cell, vmerge_continue, deleted, .. }) = self.nodes.last_mut() {
                        match local {
                            // A tracked deletion of the whole cell: accepted, it is gone.
                            "cellDel" => {
                                *deleted = true;
                                self.tracked = true;
                            }
                            "gridSpan" => {
                                cell.span = attr(e, "val").and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(1).clamp(1, 1000);
                            }
                            "vMerge" => *vmerge_continue = attr(e, "val").is_none_or(|v| v != "restart"),
                            "shd" => cell.shading = shd_colour(e),
                            _ => {}
                        }
                    }
                }
                return Ok(None);
            }
            Some(Frame::TrPr) => {
                if ns == Ns::W && local == "del" {
                    self.tracked = true;
                    if let Some(Node::Row { deleted, .. }) = self.nodes.last_mut() {
                        *deleted = true;
                    }
                }
                return Ok(None);
            }
            Some(Frame::SdtPr) => {
                if ns == Ns::W14 && local == "checkbox" {
                    if let Some(s) = self.sdts.last_mut() {
                        s.checkbox.get_or_insert(false);
                    }
                    return Ok(Some(Frame::SdtCheckbox));
                }
                if ns == Ns::W && local == "showingPlcHdr" && on_off(e) {
                    if let Some(s) = self.sdts.last_mut() {
                        s.placeholder = true;
                    }
                }
                return Ok(None);
            }
            Some(Frame::SdtCheckbox) => {
                if ns == Ns::W14 && local == "checked" {
                    if let Some(s) = self.sdts.last_mut() {
                        s.checkbox = Some(on_off(e));
                    }
                }
                return Ok(None);
            }
            Some(Frame::FldChar) => {
                return Ok((ns == Ns::W && local == "ffData").then_some(Frame::FfData));
            }
            Some(Frame::FfData) => {
                if ns == Ns::W && local == "checkBox" {
                    if let Some(f) = self.fields.last_mut() {
                        f.checkbox = true;
                    }
                    return Ok(Some(Frame::FfCheckBox));
                }
                if ns == Ns::W && local == "ddList" {
                    if let Some(f) = self.fields.last_mut() {
                        f.dropdown = Some(Dropdown::default());
                    }
                    return Ok(Some(Frame::FfDdList));
                }
                return Ok(None);
            }
            Some(Frame::FfCheckBox) => {
                if ns == Ns::W {
                    if let Some(f) = self.fields.last_mut() {
                        match local {
                            "default" => f.default = Some(on_off(e)),
                            "checked" => f.checked = Some(on_off(e)),
                            _ => {}
                        }
                    }
                }
                return Ok(None);
            }
            Some(Frame::FfDdList) => {
                if let (Ns::W, Some(Some(dd))) = (ns, self.fields.last_mut().map(|f| f.dropdown.as_mut())) {
                    let index = || attr(e, "val").and_then(|v| v.trim().parse::<usize>().ok());
                    match local {
                        "result" => dd.result = index(),
                        "default" => dd.default = index(),
                        "listEntry" if dd.entries.len() < MAX_DROPDOWN_ENTRIES => {
                            dd.entries.push(attr(e, "val").map(|v| v.into_owned()).unwrap_or_default())
                        }
                        _ => {}
                    }
                }
                return Ok(None);
            }
            Some(Frame::Text) => return Ok(None),
            _ => {}
        }

        match ns {
            Ns::Mc => {
                return Ok(match local {
                    "AlternateContent" => {
                        self.alts.push(false);
                        Some(Frame::Alt)
                    }
                    "Choice" => match self.alts.last_mut() {
                        Some(done) if !*done => {
                            *done = true;
                            Some(Frame::Pass)
                        }
                        _ => None,
                    },
                    _ => None,
                })
            }
            Ns::W => {}
            // Drawing, VML, math and extension wrappers: look inside (text boxes live there).
            Ns::W14 | Ns::Other => return Ok(Some(Frame::Pass)),
        }

        if local == "txbxContent" {
            self.flush_carry();
            self.nodes.push(Node::Blocks(Vec::new()));
            return Ok(Some(Frame::TextBox));
        }
        if parent == Some(Frame::Run) {
            return Ok(self.open_run_child(local, e));
        }

        let frame = match local {
            "p" => {
                self.budget.paragraph(self.limits)?;
                let base = self.styles.paragraph_base(None);
                self.nodes.push(Node::Para { para: Paragraph::default(), after: Vec::new(), base, shading: None, mark_deleted: false });
                self.emit_pending_checkbox();
                Frame::Para
            }
            "pPr" if parent == Some(Frame::Para) => Frame::PPr,
            "r" => {
                let base = self.nearest_para_base();
                let fmt = base.format();
                let font = base.font.flatten();
                let hidden = base.hidden.unwrap_or(false);
                self.nodes.push(Node::Run(RunNode {
                    format: fmt,
                    font,
                    hidden,
                    text: String::new(),
                    base,
                    direct: RProps::default(),
                    style: None,
                }));
                Frame::Run
            }
            "tbl" => {
                self.flush_carry();
                self.nodes.push(Node::Table(Vec::new()));
                Frame::Table
            }
            "tr" => {
                self.nodes.push(Node::Row { cells: Vec::new(), deleted: false });
                Frame::Row
            }
            "trPr" if parent == Some(Frame::Row) => Frame::TrPr,
            "tc" => {
                self.cells += 1;
                if self.cells > self.limits.max_cells {
                    return Err(ReadError::TooLarge(format!("more than {} table cells", self.limits.max_cells)));
                }
                self.nodes.push(Node::Cell { cell: Cell::default(), vmerge_continue: false, para_shading: None, deleted: false });
                Frame::Cell
            }
            "tcPr" if parent == Some(Frame::Cell) => Frame::TcPr,
            "sdt" => {
                self.sdts.push(SdtState { checkbox: None, placeholder: false, in_content: false, emitted: false });
                Frame::Sdt
            }
            "sdtPr" if parent == Some(Frame::Sdt) => Frame::SdtPr,
            "sdtContent" if parent == Some(Frame::Sdt) => {
                self.open_sdt_content();
                Frame::SdtContent
            }
            "del" | "moveFrom" => {
                self.tracked = true;
                return Ok(None);
            }
            "ins" | "moveTo" => {
                self.tracked = true;
                Frame::Pass
            }
            // Wrappers whose runs are read as if they were not there.
            "body" | "customXml" | "smartTag" | "hyperlink" | "dir" | "bdo" | "fldSimple" | "ruby" | "rubyBase" => Frame::Pass,
            // Everything else in WordprocessingML outside a run is properties or
            // bookkeeping (sectPr, tblPr, tblGrid, bookmarks, comment ranges, rPrChange...).
            _ => return Ok(None),
        };
        Ok(Some(frame))
    }

    /// A child of `w:r`.
    fn open_run_child(&mut self, local: &str, e: &BytesStart) -> Option<Frame> {
        match local {
            "rPr" => Some(Frame::RPr),
            "t" => Some(Frame::Text),
            "tab" | "ptab" => {
                self.push_text("\t");
                None
            }
            "br" | "cr" => {
                self.push_text("\n");
                None
            }
            "noBreakHyphen" => {
                self.push_text("-");
                None
            }
            "sym" => {
                self.push_sym(e);
                None
            }
            "fldChar" => match attr(e, "fldCharType").as_deref() {
                Some("begin") => {
                    self.fields.push(FieldState { in_result: false, checkbox: false, default: None, checked: None, dropdown: None });
                    Some(Frame::FldChar)
                }
                Some("separate") => {
                    if let Some(f) = self.fields.last_mut() {
                        f.in_result = true;
                    }
                    None
                }
                Some("end") => {
                    self.fields.pop();
                    None
                }
                _ => None,
            },
            // Drawings and embedded objects may hold text boxes.
            "drawing" | "pict" | "object" => Some(Frame::Pass),
            // instrText, delText, footnote references, soft hyphens, page numbers...
            _ => None,
        }
    }

    fn close(&mut self, frame: Frame) {
        match frame {
            Frame::Alt => {
                self.alts.pop();
            }
            Frame::Para => {
                // A field still in its instructions, or a checkbox field, never spans paragraphs:
                // one left open here lost its end (e.g. to a tracked deletion); do not let it
                // hide the rest of the document.
                self.fields.retain(|f| f.in_result && !f.checkbox && f.dropdown.is_none());
                if let Some(Node::Para { mut para, after, shading, mark_deleted, .. }) = self.nodes.pop() {
                    if let (Some(s), Some(Node::Cell { para_shading, .. })) = (shading, self.nodes.last_mut()) {
                        if para_shading.is_none() {
                            *para_shading = Some(s);
                        }
                    }
                    let depth = self.nodes.len();
                    // Join a carried paragraph (its mark deleted) onto this one.
                    match self.carry.take() {
                        Some((d, mut runs)) if d == depth => {
                            for r in std::mem::take(&mut para.runs) {
                                push_merged(&mut runs, r);
                            }
                            para.runs = runs;
                        }
                        Some(other) => {
                            self.carry = Some(other);
                            self.flush_carry();
                        }
                        None => {}
                    }
                    if mark_deleted {
                        self.carry = Some((depth, para.runs));
                    } else {
                        self.attach_block(Block::Paragraph(para));
                    }
                    for b in after {
                        self.attach_block(b);
                    }
                }
            }
            Frame::RPr => {
                if let Some(Node::Run(r)) = self.nodes.last_mut() {
                    let mut eff = r.base.clone();
                    if let Some(s) = r.style.as_deref().and_then(|id| self.styles.resolved.get(id)) {
                        eff.overlay(s);
                    }
                    eff.overlay(&r.direct);
                    r.format = eff.format();
                    r.font = eff.font.flatten();
                    r.hidden = eff.hidden.unwrap_or(false);
                }
            }
            Frame::Run => {
                self.flush_run_text();
                self.nodes.pop();
            }
            Frame::Table => {
                self.flush_carry();
                if let Some(Node::Table(rows)) = self.nodes.pop() {
                    self.attach_block(Block::Table(Table { rows, name: None }));
                }
            }
            Frame::Row => {
                self.flush_carry();
                if let Some(Node::Row { cells, deleted }) = self.nodes.pop() {
                    if deleted {
                        self.deleted_rows += 1;
                    } else if let Some(Node::Table(rows)) = self.nodes.iter_mut().rev().find(|n| matches!(n, Node::Table(_))) {
                        rows.push(Row { cells });
                    }
                }
            }
            Frame::Cell => {
                self.flush_carry();
                if let Some(Node::Cell { mut cell, vmerge_continue, para_shading, deleted }) = self.nodes.pop() {
                    if deleted {
                        return;
                    }
                    if cell.shading.is_none() {
                        cell.shading = para_shading;
                    }
                    if vmerge_continue {
                        cell.merged_above = true;
                        cell.blocks.clear();
                    }
                    if let Some(Node::Row { cells, .. }) = self.nodes.iter_mut().rev().find(|n| matches!(n, Node::Row { .. })) {
                        cells.push(cell);
                    }
                }
            }
            Frame::Sdt => {
                self.sdts.pop();
            }
            Frame::FldChar => {
                let checkbox = self.fields.last().filter(|f| f.checkbox).map(|f| f.checked.or(f.default).unwrap_or(false));
                if let Some(checked) = checkbox {
                    self.flush_run_text();
                    let format = self.current_run_format();
                    self.emit_run(checkbox_run(checked, format));
                }
                // A legacy drop-down shows its chosen entry; Word keeps it only in ffData.
                let chosen = self.fields.last().and_then(|f| f.dropdown.as_ref()).and_then(|dd| {
                    let i = dd.result.or(dd.default).unwrap_or(0);
                    dd.entries.get(i).cloned()
                });
                if let Some(text) = chosen {
                    self.flush_run_text();
                    let format = self.current_run_format();
                    self.emit_run(Run { text, format, kind: RunKind::Text });
                }
            }
            Frame::TextBox => {
                self.flush_carry();
                if let Some(Node::Blocks(blocks)) = self.nodes.pop() {
                    let para = self.nodes.iter_mut().rev().find(|n| matches!(n, Node::Para { .. }));
                    match para {
                        Some(Node::Para { after, .. }) => after.extend(blocks),
                        _ => {
                            for b in blocks {
                                self.attach_block(b);
                            }
                        }
                    }
                }
            }
            Frame::Pass
            | Frame::PPr
            | Frame::PPrRPr
            | Frame::Text
            | Frame::TrPr
            | Frame::TcPr
            | Frame::SdtPr
            | Frame::SdtCheckbox
            | Frame::SdtContent
            | Frame::FfData
            | Frame::FfCheckBox
            | Frame::FfDdList => {}
        }
    }

    /// A paragraph whose mark was deleted and that nothing followed in its container stays a
    /// paragraph of its own (unless nothing of it is left).
    fn flush_carry(&mut self) {
        if let Some((_, runs)) = self.carry.take() {
            if !runs.is_empty() {
                self.attach_block(Block::Paragraph(Paragraph { runs }));
            }
        }
    }

    /// Put a finished block into the nearest open container (body, cell or text box).
    fn attach_block(&mut self, block: Block) {
        for node in self.nodes.iter_mut().rev() {
            match node {
                Node::Blocks(b) => return b.push(block),
                Node::Cell { cell, .. } => return cell.blocks.push(block),
                // A block met inside a paragraph (malformed nesting): keep it after the paragraph.
                Node::Para { after, .. } => return after.push(block),
                _ => {}
            }
        }
    }

    /// The run properties a new run starts from: its paragraph's style over the defaults.
    fn nearest_para_base(&self) -> RProps {
        for node in self.nodes.iter().rev() {
            match node {
                Node::Para { base, .. } => return base.clone(),
                Node::Blocks(_) | Node::Cell { .. } => break,
                _ => {}
            }
        }
        self.styles.paragraph_base(None)
    }

    fn current_run_format(&self) -> RunFormat {
        match self.nodes.last() {
            Some(Node::Run(r)) => r.format.clone(),
            _ => RunFormat::default(),
        }
    }

    /// True when text met now is not what a person reads: a field's instructions, the glyph
    /// of a checkbox (given as its state instead), a content control's placeholder, hidden text.
    fn suppressed(&self) -> bool {
        self.fields.iter().any(|f| !f.in_result || f.checkbox || f.dropdown.is_some())
            || self.sdts.iter().any(|s| s.in_content && (s.checkbox.is_some() || s.placeholder))
    }

    fn push_text(&mut self, text: &str) {
        if self.suppressed() {
            return;
        }
        let mut hidden = false;
        if let Some(Node::Run(r)) = self.nodes.last_mut() {
            if r.hidden {
                hidden = true;
            } else {
                r.text.push_str(text);
            }
        }
        if hidden {
            self.hidden_text = true;
        }
    }

    fn push_sym(&mut self, e: &BytesStart) {
        if self.suppressed() {
            return;
        }
        let font = attr(e, "font").and_then(|f| sym_font(&f));
        let code = attr(e, "char").and_then(|c| u32::from_str_radix(c.trim(), 16).ok());
        let Some(code) = code else { return };
        let glyph = font.and_then(|f| symbol_char(f, code)).or_else(|| symbol_char(SymFont::Wingdings, code).filter(|_| font.is_none()));
        let text = match glyph {
            Some(c) => c.to_string(),
            // An unknown symbol: keep the private-use character so the run is not lost.
            None => match char::from_u32(if code < 0x100 { 0xF000 + code } else { code }) {
                Some(c) => c.to_string(),
                None => return,
            },
        };
        if let Some(Node::Run(r)) = self.nodes.last() {
            if r.hidden {
                return;
            }
        }
        self.flush_run_text();
        let format = self.current_run_format();
        self.emit_run(Run { text, format, kind: RunKind::Symbol });
    }

    /// Emit the text gathered so far in the innermost run as a run of its paragraph.
    fn flush_run_text(&mut self) {
        let Some(Node::Run(r)) = self.nodes.last_mut() else { return };
        if r.text.is_empty() {
            return;
        }
        let text = std::mem::take(&mut r.text);
        let format = r.format.clone();
        let run = match map_symbol_text(r.font, &text) {
            Some(mapped) if !mapped.trim().is_empty() => Run { text: mapped, format, kind: RunKind::Symbol },
            _ => Run { text, format, kind: RunKind::Text },
        };
        self.emit_run(run);
    }

    /// Add a run to the innermost open paragraph, merging it with the previous run when both are
    /// plain text with the same formatting. A run outside any paragraph gets one of its own.
    fn emit_run(&mut self, run: Run) {
        for node in self.nodes.iter_mut().rev() {
            match node {
                Node::Para { para, .. } => {
                    push_merged(&mut para.runs, run);
                    return;
                }
                Node::Run(_) => {}
                _ => break,
            }
        }
        self.attach_block(Block::Paragraph(Paragraph { runs: vec![run] }));
    }

    fn open_sdt_content(&mut self) {
        let Some(s) = self.sdts.last_mut() else { return };
        s.in_content = true;
        let Some(checked) = s.checkbox else { return };
        // A run-level control (inside a paragraph): its state is one run, here.
        let in_para = self.nodes.iter().rev().find(|n| !matches!(n, Node::Run(_))).is_some_and(|n| matches!(n, Node::Para { .. }));
        if in_para {
            if let Some(s) = self.sdts.last_mut() {
                s.emitted = true;
            }
            self.emit_run(checkbox_run(checked, RunFormat::default()));
        }
    }

    /// A block-, row- or cell-level checkbox control: its state goes into the first paragraph
    /// opened inside it.
    fn emit_pending_checkbox(&mut self) {
        let pending = self.sdts.iter_mut().rev().find(|s| s.in_content && !s.emitted && s.checkbox.is_some());
        if let Some(s) = pending {
            s.emitted = true;
            let checked = s.checkbox.unwrap_or(false);
            if let Some(Node::Para { para, .. }) = self.nodes.last_mut() {
                para.runs.push(checkbox_run(checked, RunFormat::default()));
            }
        }
    }
}

fn checkbox_run(checked: bool, format: RunFormat) -> Run {
    Run { text: if checked { CHECKED } else { UNCHECKED }.to_string(), format, kind: RunKind::Checkbox { checked } }
}

fn push_merged(runs: &mut Vec<Run>, run: Run) {
    if run.text.is_empty() && run.kind == RunKind::Text {
        return;
    }
    if let Some(last) = runs.last_mut() {
        if last.kind == RunKind::Text && run.kind == RunKind::Text && last.format == run.format {
            last.text.push_str(&run.text);
            return;
        }
    }
    runs.push(run);
}

#[cfg(test)]
mod tests_support {
    pub(super) use super::tests::{package_with, paras};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::zipped::tests::make_zip;
    use std::io::Cursor;
    use std::time::Duration;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml""#;

    fn deadline() -> Deadline {
        Deadline::after(Duration::from_secs(10))
    }

    fn parse_with(xml: &str, limits: &Limits) -> Result<Vec<Block>, ReadError> {
        parse_part(xml, PartKind::Main, &Styles::default(), limits, &deadline()).map(|p| p.blocks)
    }

    /// Parse a `w:body`'s inner XML.
    fn body(inner: &str) -> Vec<Block> {
        let xml = format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{inner}</w:body></w:document>"#);
        parse_with(&xml, &Limits::default()).unwrap()
    }

    pub(super) fn paras(blocks: &[Block]) -> Vec<&Paragraph> {
        blocks.iter().filter_map(|b| if let Block::Paragraph(p) = b { Some(p) } else { None }).collect()
    }

    fn only_runs(blocks: &[Block]) -> Vec<Run> {
        let ps = paras(blocks);
        assert_eq!(ps.len(), 1, "expected one paragraph: {blocks:?}");
        ps[0].runs.clone()
    }

    fn table(blocks: &[Block]) -> &Table {
        blocks.iter().find_map(|b| if let Block::Table(t) = b { Some(t) } else { None }).expect("a table")
    }

    fn text_of(blocks: &[Block]) -> Vec<String> {
        paras(blocks).iter().map(|p| p.text()).collect()
    }

    fn run(rpr: &str, text: &str) -> String {
        format!(r#"<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#)
    }

    #[test]
    fn namespaces_are_matched_by_uri_not_prefix() {
        let ns0 = r#"<ns0:document xmlns:ns0="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><ns0:body><ns0:p><ns0:r><ns0:t>ns0 text</ns0:t></ns0:r></ns0:p></ns0:body></ns0:document>"#;
        assert_eq!(text_of(&parse_with(ns0, &Limits::default()).unwrap()), ["ns0 text"]);
        let default = r#"<document xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><body><p><r><rPr><b/></rPr><t>default ns</t></r></p></body></document>"#;
        let blocks = parse_with(default, &Limits::default()).unwrap();
        let runs = only_runs(&blocks);
        assert_eq!(runs[0].text, "default ns");
        assert!(runs[0].format.bold);
        let strict = r#"<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body><w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>strict</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;
        let blocks = parse_with(strict, &Limits::default()).unwrap();
        let t = table(&blocks);
        assert_eq!(t.rows[0].cells[0].span, 2);
        assert_eq!(t.rows[0].cells[0].text(), "strict");
        // The same element names in a foreign namespace are not Word content.
        let foreign = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:x="urn:other"><w:body><w:p><w:r><x:t>not word</x:t><w:t>word</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(text_of(&parse_with(foreign, &Limits::default()).unwrap()), ["word"]);
        // Scopes: a prefix rebound inside a run holds only there; a prefix declared on an empty
        // element or a closed one is unbound after it; an inner default namespace is undone.
        let scoped = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r xmlns:w="urn:other"><w:t>rebound</w:t></w:r><w:r><w:t>back</w:t></w:r><w:r><q:x xmlns:q="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/><q:t>unbound</q:t></w:r><w:r><t xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main">default</t><t>none</t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(text_of(&parse_with(scoped, &Limits::default()).unwrap()), ["backdefault"]);
        // quick-xml's rules hold as with its NsReader: more than 128 bindings in scope, or a
        // reserved prefix rebound, is not well-formed (and costs nothing to refuse).
        let many: String = (0..130).map(|i| format!(r#" xmlns:p{i}="urn:p{i}""#)).collect();
        let crowded = format!(r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"{many}><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>"#);
        assert!(matches!(parse_with(&crowded, &Limits::default()), Err(ReadError::Damaged(why)) if why.contains("not well-formed")));
        let reserved = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p xmlns:xml="urn:other"><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>"#;
        assert!(matches!(parse_with(reserved, &Limits::default()), Err(ReadError::Damaged(why)) if why.contains("not well-formed")));
        // An empty prefix (":p") is not the default namespace.
        let empty_prefix = r#"<document xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><body><p><r><t>kept</t></r><:r><t>dropped</t></:r></p></body></document>"#;
        assert_eq!(text_of(&parse_with(empty_prefix, &Limits::default()).unwrap()), ["kept"]);
    }

    #[test]
    fn run_formatting_marks() {
        let blocks = body(&format!(
            "<w:p>{}{}{}{}{}{}{}{}{}{}{}{}{}</w:p>",
            run(r#"<w:b w:val="0"/><w:bCs/>"#, "a"),
            run(r#"<w:b w:val="off"/>"#, "b"),
            run(r#"<w:b w:val="true"/>"#, "c"),
            run(r#"<w:highlight/>"#, "d"),
            run(r#"<w:highlight w:val="yellow"/>"#, "e"),
            run(r#"<w:highlight w:val="none"/><w:u w:val="none"/>"#, "f"),
            run(r#"<w:u w:val="single"/>"#, "g"),
            run(r#"<w:dstrike/>"#, "h"),
            run(r#"<w:shd w:val="clear" w:color="auto" w:fill="FFFF00"/>"#, "i"),
            run(r#"<w:shd w:val="clear" w:color="auto" w:fill="ffffff"/><w:color w:val="auto"/>"#, "j"),
            run(r#"<w:color w:val="ff0000"/>"#, "k"),
            run(r#"<w:color w:val="000000"/>"#, "l"),
            run(r#"<w:bdr w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#, "m"),
        ));
        let runs = only_runs(&blocks);
        let find = |t: &str| runs.iter().find(|r| r.text.contains(t)).unwrap().format.clone();
        assert!(!find("a").bold && !find("b").bold && find("c").bold);
        assert_eq!(find("d").highlight, None);
        assert_eq!(find("e").highlight.as_deref(), Some("yellow"));
        assert!(find("f").highlight.is_none() && !find("f").underline);
        assert!(find("g").underline);
        assert!(find("h").strike);
        assert_eq!(find("i").shading.as_deref(), Some("FFFF00"));
        assert_eq!(find("j"), RunFormat::default());
        assert_eq!(find("k").colour.as_deref(), Some("FF0000"));
        assert_eq!(find("l").colour, None);
        assert!(find("m").boxed);
        // Plain runs with the same formatting merge: "a", "b", "j" and "l" carry no marks.
        assert!(runs.iter().any(|r| r.text == "ab"));
    }

    #[test]
    fn breaks_tabs_and_hyphens() {
        let blocks = body(r#"<w:p><w:r><w:t>one</w:t><w:br/><w:t>two</w:t><w:tab/><w:t>three</w:t><w:br w:type="page"/><w:cr/><w:t>a</w:t><w:noBreakHyphen/><w:t>b</w:t><w:softHyphen/><w:lastRenderedPageBreak/></w:r><w:proofErr w:type="spellStart"/><w:bookmarkStart w:id="0" w:name="x"/><w:r><w:t>&amp;&#x41;&lt;</w:t></w:r><w:bookmarkEnd w:id="0"/><w:commentRangeStart w:id="1"/><w:r><w:commentReference w:id="1"/></w:r></w:p><w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>x</w:t></w:r></w:p>"#);
        assert_eq!(text_of(&blocks), ["one\ntwo\tthree\n\na-b&A<", "x"]);
    }

    #[test]
    fn tables_spans_merges_shading_and_nesting() {
        let blocks = body(r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr><w:tblGrid><w:gridCol w:w="100"/></w:tblGrid>
            <w:tr><w:tc><w:tcPr><w:gridSpan w:val="3"/><w:vMerge w:val="restart"/><w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/></w:tcPr><w:p><w:r><w:t>top</w:t></w:r></w:p></w:tc>
                  <w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="FFFFFF"/></w:tcPr><w:p><w:pPr><w:shd w:val="clear" w:color="auto" w:fill="92D050"/></w:pPr><w:r><w:t>para shaded</w:t></w:r></w:p></w:tc>
                  <w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="auto"/></w:tcPr><w:p/></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:gridSpan w:val="3"/><w:vMerge/></w:tcPr><w:p><w:r><w:t>top</w:t></w:r></w:p></w:tc>
                  <w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>inner</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc>
                  <w:tc><w:tcPr><w:shd w:val="solid" w:color="FF0000" w:fill="auto"/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>"#);
        let t = table(&blocks);
        assert_eq!(t.rows.len(), 2);
        let (a, b) = (&t.rows[0].cells, &t.rows[1].cells);
        assert_eq!((a[0].span, a[0].merged_above, a[0].shading.as_deref()), (3, false, Some("D9D9D9")));
        assert_eq!(a[0].text(), "top");
        assert_eq!(a[1].shading.as_deref(), Some("92D050"), "paragraph shading stands in for the cell's");
        assert_eq!(a[2].shading, None);
        assert!(b[0].merged_above && b[0].blocks.is_empty() && b[0].span == 3);
        let inner = table(&b[1].blocks);
        assert_eq!(inner.rows[0].cells[0].text(), "inner");
        assert_eq!(b[1].text(), "inner\n", "the empty paragraph Word requires after a nested table");
        assert_eq!(b[2].shading.as_deref(), Some("FF0000"));
    }

    #[test]
    fn symbols_map_to_lookalikes() {
        let blocks = body(r#"<w:p><w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r><w:r><w:t>a</w:t><w:sym w:font="Wingdings" w:char="FD"/></w:r><w:r><w:sym w:font="Wingdings 2" w:char="F050"/></w:r>
            <w:r><w:rPr><w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/></w:rPr><w:t>ü</w:t></w:r>
            <w:r><w:rPr><w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/></w:rPr><w:t>&#xF0FE;</w:t></w:r>
            <w:r><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/></w:rPr><w:t>ü</w:t></w:r></w:p>"#);
        let runs = only_runs(&blocks);
        let shown: Vec<(RunKind, &str)> = runs.iter().map(|r| (r.kind, r.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (RunKind::Symbol, "✓"),
                (RunKind::Text, "a"),
                (RunKind::Symbol, "☒"),
                (RunKind::Symbol, "✓"),
                (RunKind::Symbol, "✓"),
                (RunKind::Symbol, "☑"),
                (RunKind::Text, "ü"),
            ]
        );
    }

    #[test]
    fn checkbox_content_controls() {
        let sdt = |checked: &str, glyph: &str| {
            format!(r#"<w:sdt><w:sdtPr><w:id w:val="1"/><w14:checkbox>{checked}<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:hAnsi="MS Gothic"/></w:rPr><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"#)
        };
        let blocks = body(&format!(
            "<w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p>",
            sdt(r#"<w14:checked w14:val="1"/>"#, "☒"),
            sdt(r#"<w14:checked/>"#, "☒"),
            sdt(r#"<w14:checked w14:val="false"/>"#, "☐"),
            sdt("", "☐"),
        ));
        let got: Vec<Vec<Run>> = paras(&blocks).iter().map(|p| p.runs.clone()).collect();
        let kinds: Vec<Vec<(RunKind, String)>> = got.iter().map(|rs| rs.iter().map(|r| (r.kind, r.text.clone())).collect()).collect();
        assert_eq!(
            kinds,
            [
                vec![(RunKind::Checkbox { checked: true }, "☒".to_string())],
                vec![(RunKind::Checkbox { checked: true }, "☒".to_string())],
                vec![(RunKind::Checkbox { checked: false }, "☐".to_string())],
                vec![(RunKind::Checkbox { checked: false }, "☐".to_string())],
            ]
        );
        // Cell-level control wrapping a whole cell, and plain text controls at every level.
        let blocks = body(
            r#"<w:sdt><w:sdtPr><w:alias w:val="block"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>block text</w:t></w:r></w:p></w:sdtContent></w:sdt>
            <w:tbl><w:sdt><w:sdtContent><w:tr>
               <w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent><w:tc><w:p><w:r><w:t>☒</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt>
               <w:tc><w:p><w:sdt><w:sdtContent><w:r><w:t>run text</w:t></w:r></w:sdtContent></w:sdt></w:p></w:tc>
               <w:tc><w:p><w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:r><w:t>Click or tap here to enter text.</w:t></w:r></w:sdtContent></w:sdt></w:p></w:tc>
            </w:tr></w:sdtContent></w:sdt></w:tbl>"#,
        );
        assert_eq!(text_of(&blocks), ["block text"]);
        let t = table(&blocks);
        let cells = &t.rows[0].cells;
        assert_eq!(cells.len(), 3);
        let runs = cells[0].runs();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].kind, RunKind::Checkbox { checked: true });
        assert_eq!(cells[1].text(), "run text");
        assert_eq!(cells[2].text(), "", "placeholder text is not an answer");
    }

    #[test]
    fn legacy_form_fields() {
        let cb = |ff: &str| {
            format!(r#"<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:enabled/><w:checkBox><w:sizeAuto/>{ff}</w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#)
        };
        let blocks = body(&format!(
            r#"<w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p>
            <w:p><w:r><w:t xml:space="preserve">Name: </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:textInput/></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Jo Bloggs</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
            <w:p><w:fldSimple w:instr=" DATE \@ &quot;dd/MM/yyyy&quot; "><w:r><w:t>01/02/2024</w:t></w:r></w:fldSimple></w:p>"#,
            cb(r#"<w:default w:val="1"/>"#),
            cb(r#"<w:default w:val="0"/>"#),
            cb(r#"<w:default w:val="0"/><w:checked/>"#),
            cb(r#"<w:default w:val="1"/><w:checked w:val="0"/>"#),
        ));
        let ps = paras(&blocks);
        let states: Vec<Vec<RunKind>> = ps.iter().take(4).map(|p| p.runs.iter().map(|r| r.kind).collect()).collect();
        assert_eq!(
            states,
            [
                vec![RunKind::Checkbox { checked: true }],
                vec![RunKind::Checkbox { checked: false }],
                vec![RunKind::Checkbox { checked: true }],
                vec![RunKind::Checkbox { checked: false }],
            ]
        );
        assert_eq!(ps[4].text(), "Name: Jo Bloggs");
        assert_eq!(ps[5].text(), "01/02/2024");

        // A legacy drop-down shows its chosen entry (kept only in ffData), or its default.
        let dd = |pick: &str| {
            format!(r#"<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Dropdown1"/><w:ddList>{pick}<w:listEntry w:val="Yes"/><w:listEntry w:val="No"/><w:listEntry w:val="N/A"/></w:ddList></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMDROPDOWN </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#)
        };
        let blocks = body(&format!("{}{}{}", dd(r#"<w:result w:val="1"/>"#), dd(r#"<w:default w:val="2"/>"#), dd("")));
        assert_eq!(text_of(&blocks), ["No", "N/A", "Yes"]);
    }

    #[test]
    fn tracked_changes_read_as_accepted() {
        let xml = format!(
            r#"<w:document {NS}><w:body><w:p><w:r><w:t xml:space="preserve">kept </w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>inserted</w:t></w:r></w:ins><w:del w:id="2" w:author="a"><w:r><w:delText>deleted</w:delText></w:r></w:del><w:moveFrom w:id="3"><w:r><w:t>moved away</w:t></w:r></w:moveFrom><w:moveTo w:id="4"><w:r><w:t xml:space="preserve"> moved here</w:t></w:r></w:moveTo>
            <w:r><w:rPr><w:rPrChange w:id="5" w:author="a"><w:rPr><w:b/><w:highlight w:val="yellow"/></w:rPr></w:rPrChange></w:rPr><w:t xml:space="preserve"> plain now</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>row one</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:trPr><w:del w:id="6" w:author="a"/></w:trPr><w:tc><w:p><w:del w:id="7"><w:r><w:delText>gone row</w:delText></w:r></w:del></w:p></w:tc></w:tr><w:tr><w:trPr><w:ins w:id="8"/></w:trPr><w:tc><w:p><w:ins w:id="9"><w:r><w:t>new row</w:t></w:r></w:ins></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        let parsed = parse_part(&xml, PartKind::Main, &Styles::default(), &Limits::default(), &deadline()).unwrap();
        let runs = &paras(&parsed.blocks)[0].runs;
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].text, "kept inserted moved here plain now");
        assert_eq!(runs[0].format, RunFormat::default());
        let t = table(&parsed.blocks);
        let rows: Vec<String> = t.rows.iter().map(|r| r.cells[0].text()).collect();
        assert_eq!(rows, ["row one", "new row"]);

        // A deleted paragraph mark joins the paragraph to the next; a wholly deleted paragraph
        // disappears.
        let blocks = body(r#"<w:tbl><w:tr><w:tc>
            <w:p><w:pPr><w:rPr><w:del w:id="1" w:author="a"/></w:rPr></w:pPr><w:r><w:t xml:space="preserve">joined </w:t></w:r></w:p>
            <w:p><w:r><w:t>line</w:t></w:r></w:p>
            <w:p><w:pPr><w:rPr><w:del w:id="2" w:author="a"/></w:rPr></w:pPr><w:del w:id="3" w:author="a"><w:r><w:delText>No</w:delText></w:r></w:del></w:p>
            <w:p><w:r><w:t>Yes</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:pPr><w:rPr><w:del w:id="4" w:author="a"/></w:rPr></w:pPr><w:r><w:t>kept alone</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>"#);
        assert_eq!(table(&blocks).rows[0].cells[0].text(), "joined line\nYes");
        assert_eq!(text_of(&blocks), ["kept alone"]);

        let blocks = body(r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:cellDel w:id="1" w:author="a"/></w:tcPr><w:p><w:r><w:t>gone</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#);
        let cells: Vec<String> = table(&blocks).rows[0].cells.iter().map(|c| c.text()).collect();
        assert_eq!(cells, ["a", "b"]);
        assert!(parsed.notes.iter().any(|n| n.contains("tracked changes")));
    }

    #[test]
    fn text_boxes_and_alternate_content() {
        let blocks = body(r#"<w:p><w:r><w:t>before</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>in the box</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>in the box</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t xml:space="preserve"> after</w:t></w:r></w:p><w:p><w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>vml box</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"#);
        assert_eq!(text_of(&blocks), ["before after", "in the box", "", "vml box"]);
    }

    #[test]
    fn transparent_wrappers() {
        let blocks = body(r#"<w:customXml w:element="x"><w:p><w:smartTag w:uri="u" w:element="place"><w:r><w:t xml:space="preserve">Leeds </w:t></w:r></w:smartTag><w:hyperlink r:id="rId5" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:r><w:t>link</w:t></w:r></w:hyperlink><w:dir w:val="rtl"><w:r><w:t xml:space="preserve"> dir</w:t></w:r></w:dir><w:bdo w:val="ltr"><w:r><w:t xml:space="preserve"> bdo</w:t></w:r></w:bdo></w:p></w:customXml><w:sectPr><w:pgSz w:w="11906"/></w:sectPr>"#);
        assert_eq!(text_of(&blocks), ["Leeds link dir bdo"]);
    }

    #[test]
    fn hostile_and_broken_xml() {
        let limits = Limits::default();
        // Truncated in the middle of the document.
        let full = format!(r#"<w:document {NS}><w:body><w:p><w:r><w:t>some text</w:t></w:r></w:p></w:body></w:document>"#);
        for cut in [full.len() - 12, full.len() / 2, full.len() - 30] {
            match parse_with(&full[..cut], &limits) {
                Err(ReadError::Damaged(why)) => assert!(why.contains("cut short") || why.contains("well-formed"), "{why}"),
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        // Depth bomb.
        let deep = format!("<w:document {NS}><w:body>{}{}</w:body></w:document>", "<w:customXml>".repeat(10_000), "</w:customXml>".repeat(10_000));
        assert!(matches!(parse_with(&deep, &limits), Err(ReadError::TooLarge(_))));
        // Depth bomb inside a skipped subtree counts too.
        let deep = format!("<w:document {NS}><w:body><w:sectPr>{}{}</w:sectPr></w:body></w:document>", "<w:x>".repeat(10_000), "</w:x>".repeat(10_000));
        assert!(matches!(parse_with(&deep, &limits), Err(ReadError::TooLarge(_))));
        // Cell bomb.
        let cells = format!("<w:document {NS}><w:body><w:tbl><w:tr>{}</w:tr></w:tbl></w:body></w:document>", "<w:tc><w:p/></w:tc>".repeat(50));
        let small = Limits { max_cells: 20, ..Limits::default() };
        assert!(matches!(parse_with(&cells, &small), Err(ReadError::TooLarge(_))));
        assert!(parse_with(&cells, &limits).is_ok());
        // Paragraph bomb (a small file of millions of empty paragraphs) and text bomb.
        let paras = format!("<w:document {NS}><w:body>{}</w:body></w:document>", "<w:p/>".repeat(50));
        let small = Limits { max_paragraphs: 20, ..Limits::default() };
        assert!(matches!(parse_with(&paras, &small), Err(ReadError::TooLarge(why)) if why.contains("paragraphs")));
        assert!(parse_with(&paras, &limits).is_ok());
        let text = format!("<w:document {NS}><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>", "x".repeat(3000));
        let small = Limits { max_text_bytes: 2000, ..Limits::default() };
        assert!(matches!(parse_with(&text, &small), Err(ReadError::TooLarge(why)) if why.contains("text")));
        assert!(parse_with(&text, &limits).is_ok());
        // A DTD with entities is refused, not expanded.
        let dtd = format!(r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><w:document {NS}><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"#);
        assert!(matches!(parse_with(&dtd, &limits), Err(ReadError::Damaged(_))));
        // Not a Word part at all.
        let wb = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>"#;
        assert!(matches!(parse_with(wb, &limits), Err(ReadError::NotADocument(_))));
        // Mismatched end tags.
        let bad = format!("<w:document {NS}><w:body><w:p></w:r></w:body></w:document>");
        assert!(matches!(parse_with(&bad, &limits), Err(ReadError::Damaged(_))));
    }

    #[test]
    fn deadline_stops_a_long_read() {
        let many = format!("<w:document {NS}><w:body>{}</w:body></w:document>", "<w:p><w:r><w:t>x</w:t></w:r></w:p>".repeat(20_000));
        let past = Deadline::after(Duration::from_secs(0));
        std::thread::sleep(Duration::from_millis(2));
        let r = parse_part(&many, PartKind::Main, &Styles::default(), &Limits::default(), &past);
        assert!(matches!(r, Err(ReadError::TooSlow)));
    }

    const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    const DOC_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>"#;
    const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:basedOn w:val="Normal"/><w:rPr><w:b/><w:color w:val="2F5496"/></w:rPr></w:style><w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr></w:style><w:style w:type="character" w:styleId="Tick"><w:basedOn w:val="Strong"/><w:rPr><w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/><w:highlight w:val="green"/></w:rPr></w:style></w:styles>"#;

    fn package(doc_body: &str) -> Result<Document, ReadError> {
        package_with(doc_body, STYLES)
    }

    pub(super) fn package_with(doc_body: &str, styles: &str) -> Result<Document, ReadError> {
        let doc = format!(r#"<w:document {NS}><w:body>{doc_body}</w:body></w:document>"#);
        let footer = format!(r#"<w:ftr {NS}><w:p><w:r><w:t>July 2019</w:t></w:r></w:p></w:ftr>"#);
        let header = format!(r#"<w:hdr {NS}><w:p><w:r><w:t>CPOMS</w:t></w:r></w:p></w:hdr>"#);
        let comments = format!(r#"<w:comments {NS}><w:comment w:id="1"><w:p><w:r><w:t>review note</w:t></w:r></w:p></w:comment></w:comments>"#);
        let zip = make_zip(&[
            ("_rels/.rels", RELS.as_bytes()),
            ("word/_rels/document.xml.rels", DOC_RELS.as_bytes()),
            ("word/document.xml", doc.as_bytes()),
            ("word/styles.xml", styles.as_bytes()),
            ("word/footer1.xml", footer.as_bytes()),
            ("word/header1.xml", header.as_bytes()),
            ("word/comments.xml", comments.as_bytes()),
        ]);
        let limits = Limits::default();
        let mut pkg = Package::from_reader(Cursor::new(zip), &limits, &deadline())?;
        read_package(&mut pkg, &limits, &deadline())
    }

    #[test]
    fn styles_headers_and_footers() {
        let doc = package(r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>heading</w:t></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>unbolded</w:t></w:r></w:p><w:p><w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>strong</w:t></w:r><w:r><w:rPr><w:rStyle w:val="Tick"/></w:rPr><w:t>ü</w:t></w:r><w:r><w:t>plain</w:t></w:r><w:commentRangeStart w:id="1"/></w:p>"#).unwrap();
        let ps = paras(&doc.blocks);
        assert!(ps[0].runs[0].format.bold);
        assert_eq!(ps[0].runs[0].format.colour.as_deref(), Some("2F5496"));
        assert!(!ps[0].runs[1].format.bold, "direct formatting beats the paragraph style");
        assert!(ps[1].runs[0].format.bold);
        assert_eq!(ps[1].runs[1].kind, RunKind::Symbol);
        assert_eq!(ps[1].runs[1].text, "✓");
        assert!(ps[1].runs[1].format.bold && ps[1].runs[1].format.highlight.as_deref() == Some("green"));
        assert!(!ps[1].runs[2].format.bold);
        let furniture = text_of(&doc.furniture);
        assert!(furniture.contains(&"July 2019".to_string()) && furniture.contains(&"CPOMS".to_string()));
        assert!(!text_of(&doc.blocks).iter().any(|t| t.contains("review note")), "comments are not read");
    }
}

#[cfg(test)]
mod style_head_tests {
    use super::tests_support::*;

    /// A document that names no style needs only the defaults and the default paragraph style,
    /// read from the head of the styles part; a head too short falls back to the whole part.
    #[test]
    fn defaults_from_the_head_of_the_styles_part() {
        let styles = |latent: usize| {
            format!(
                r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:color w:val="1F497D"/></w:rPr></w:rPrDefault></w:docDefaults><w:latentStyles>{}</w:latentStyles><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:rPr><w:u w:val="single"/></w:rPr></w:style><w:style w:type="character" w:styleId="Strong"><w:rPr><w:b/></w:rPr></w:style></w:styles>"#,
                r#"<w:lsdException w:name="Normal" w:uiPriority="0" w:qFormat="1"/>"#.repeat(latent)
            )
        };
        for latent in [10, 2000] {
            let doc = package_with("<w:p><w:r><w:t>text</w:t></w:r></w:p>", &styles(latent)).unwrap();
            let run = &paras(&doc.blocks)[0].runs[0];
            assert_eq!(run.format.colour.as_deref(), Some("1F497D"), "latent {latent}");
            assert!(run.format.underline, "latent {latent}");
        }
    }
}
