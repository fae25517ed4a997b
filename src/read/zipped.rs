//! A small, safe reader for zip packages (OOXML .docx/.xlsx, ODF .odt/.ods), shared by every
//! zip-based reader and by format sniffing.
//!
//! Why a helper: every part read from a package must count towards one hard cap on inflated
//! bytes (a zip bomb is refused, not inflated), zip errors must become the same consultant-facing
//! reasons, and OPC relationship lookup (which part is the main document, which parts are its
//! headers and footers) is needed by more than one reader.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use zip::result::ZipError;
use zip::ZipArchive;

use crate::read::{io_reason, Deadline, Limits, ReadError};

/// The reason given for any zip-level damage (truncated download, broken e-mail attachment).
const DAMAGED: &str = "the zip package is truncated or damaged";

/// Bytes inflated between deadline checks.
const CHUNK: usize = 64 * 1024;

/// An open zip package with a running count of inflated bytes.
pub struct Package<R: Read + Seek = BufReader<File>> {
    archive: ZipArchive<R>,
    /// Part names as stored (backslashes turned into slashes, no leading slash), in zip order.
    names: Vec<String>,
    /// Lower-cased part name → zip index (OPC part names are case-insensitive).
    index: HashMap<String, usize>,
    inflated: u64,
    max_inflated: u64,
    deadline: Deadline,
}

/// One OPC relationship (`Relationship` element of a `.rels` part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    pub id: String,
    /// The relationship type URI (transitional `http://schemas.openxmlformats.org/...` or Strict
    /// `http://purl.oclc.org/ooxml/...`); compare with [`Relationship::is_type`].
    pub rel_type: String,
    /// The target resolved to a part name inside the package (no leading slash), or the raw
    /// target for external relationships.
    pub target: String,
    /// `TargetMode="External"` (a hyperlink, a linked file): not a part of the package.
    pub external: bool,
}

impl Relationship {
    /// True when the type's last segment is `kind` ("officeDocument", "header", "footer",
    /// "styles"), which matches both the transitional and the Strict URIs.
    pub fn is_type(&self, kind: &str) -> bool {
        self.rel_type.rsplit('/').next().is_some_and(|last| last.eq_ignore_ascii_case(kind))
    }
}

/// The first bytes of an OLE2 compound file (old .doc/.xls, and encrypted OOXML).
pub const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// True when an OLE2 file has an `EncryptedPackage` stream (a password-protected .docx/.xlsx).
/// Looks for the stream's UTF-16 name in the first 16 MB (directory entries sit there in
/// every real file); bounded by the file-size limit.
pub fn ole2_holds_encrypted_package(file: &mut File, limits: &Limits) -> bool {
    let needle: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let cap = limits.max_file_bytes.min(16 * 1024 * 1024);
    let mut data = Vec::new();
    if file.rewind().is_err() || file.take(cap).read_to_end(&mut data).is_err() {
        return false;
    }
    data.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// True when the file starts like a zip (local header, or an empty archive's end record).
pub fn looks_like_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") || head.starts_with(b"PK\x07\x08")
}

impl Package<BufReader<File>> {
    /// Open the zip package at `path`. A file that does not start like a zip is
    /// `ReadError::NotADocument`; a zip that cannot be opened is `ReadError::Damaged`.
    pub fn open(path: &Path, limits: &Limits, deadline: &Deadline) -> Result<Self, ReadError> {
        let mut file = File::open(path).map_err(|e| ReadError::Other(format!("cannot open the file: {}", io_reason(&e))))?;
        let mut head = [0u8; 4];
        let n = read_up_to(&mut file, &mut head).map_err(|e| ReadError::Other(format!("cannot read the file: {}", io_reason(&e))))?;
        if n == 0 {
            return Err(ReadError::Empty);
        }
        let head = head.get(..n).unwrap_or(&[]);
        if head == OLE2_MAGIC.get(..4).unwrap_or(&[]) {
            // Office saves a password-protected .docx/.xlsx as an OLE2 file holding the
            // encrypted package; anything else in OLE2 is the old binary format.
            return Err(if ole2_holds_encrypted_package(&mut file, limits) {
                ReadError::Encrypted
            } else {
                ReadError::NotADocument("an old-format Office file (.doc/.xls) with a new-format name".into())
            });
        }
        if !looks_like_zip(head) {
            return Err(ReadError::NotADocument("it is not a zip package (Word .docx, Excel .xlsx or OpenDocument file)".into()));
        }
        file.rewind().map_err(|e| ReadError::Other(format!("cannot read the file: {}", io_reason(&e))))?;
        Package::from_reader(BufReader::new(file), limits, deadline)
    }
}

impl<R: Read + Seek> Package<R> {
    /// Open a zip package from any seekable reader (tests use an in-memory cursor).
    pub fn from_reader(reader: R, limits: &Limits, deadline: &Deadline) -> Result<Self, ReadError> {
        let archive = ZipArchive::new(reader).map_err(zip_error)?;
        let mut names = Vec::with_capacity(archive.len());
        let mut index = HashMap::with_capacity(archive.len());
        for (i, name) in archive.file_names().enumerate() {
            let name = match name {
                Ok(n) => normalise_name(&n),
                // A name that cannot be decoded can never be looked up; keep the slot.
                Err(_) => String::new(),
            };
            index.entry(name.to_ascii_lowercase()).or_insert(i);
            names.push(name);
        }
        Ok(Package { archive, names, index, inflated: 0, max_inflated: limits.max_inflated_bytes, deadline: *deadline })
    }

    /// The part names in the package, in zip order (directories included, as stored).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// True when the package holds the part `name` (case-insensitive, leading slash optional).
    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(&normalise_name(name).to_ascii_lowercase())
    }

    /// Total bytes inflated so far from this package.
    pub fn inflated(&self) -> u64 {
        self.inflated
    }

    /// Read the part `name` into memory, counting its bytes towards the package's inflation cap.
    /// A missing part is `ReadError::Damaged`.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, ReadError> {
        self.read_opt(name)?.ok_or_else(|| ReadError::Damaged(format!("the package has no part {}", normalise_name(name))))
    }

    /// Read the part `name` if the package holds it.
    pub fn read_opt(&mut self, name: &str) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_limited(name, u64::MAX)
    }

    /// Read at most the first `max` bytes of part `name` (inflating no more than needed), for
    /// readers that need only what a part says first.
    pub fn read_prefix(&mut self, name: &str, max: u64) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_limited(name, max)
    }

    fn read_limited(&mut self, name: &str, max: u64) -> Result<Option<Vec<u8>>, ReadError> {
        let Some(&i) = self.index.get(&normalise_name(name).to_ascii_lowercase()) else {
            return Ok(None);
        };
        self.deadline.check()?;
        let remaining = self.max_inflated.saturating_sub(self.inflated);
        let mut part = self.archive.by_index(i).map_err(zip_error)?;
        if part.encrypted() {
            return Err(ReadError::Encrypted);
        }
        let declared = part.size();
        if declared > remaining && max == u64::MAX {
            return Err(bomb(self.max_inflated));
        }
        // The declared size may lie, so never more than the limits. Reserving all of it up front
        // costs no memory until written, and a part that grows in steps is copied at each step
        // (mimalloc does not remap large blocks in place): a 150 MB part peaked at twice its size.
        let mut out = Vec::with_capacity(declared.min(remaining).min(max) as usize);
        // Inflated straight into `out`, a chunk at a time (a zeroed 64 KB staging buffer per part
        // cost more than inflating a small part).
        while (out.len() as u64) < max {
            let want = (max - out.len() as u64).min(CHUNK as u64);
            let n = match (&mut part).take(want).read_to_end(&mut out) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => return Err(ReadError::Damaged(DAMAGED.into())),
            };
            self.inflated = self.inflated.saturating_add(n as u64);
            if self.inflated > self.max_inflated {
                return Err(bomb(self.max_inflated));
            }
            self.deadline.check()?;
        }
        Ok(Some(out))
    }

    /// The relationships of part `source` (read from its `_rels/NAME.rels` part); `""` gives the
    /// package relationships (`_rels/.rels`). A package without the rels part has none.
    pub fn relationships(&mut self, source: &str) -> Result<Vec<Relationship>, ReadError> {
        let source = normalise_name(source);
        let (dir, file) = match source.rfind('/') {
            Some(i) => (source.get(..=i).unwrap_or(""), source.get(i + 1..).unwrap_or("")),
            None => ("", source.as_str()),
        };
        let rels_name = format!("{dir}_rels/{file}.rels");
        let Some(bytes) = self.read_opt(&rels_name)? else {
            return Ok(Vec::new());
        };
        parse_relationships(&bytes, dir)
    }

    /// The package's main part (the `officeDocument` relationship of `_rels/.rels`, transitional
    /// or Strict), e.g. `word/document.xml`, sometimes `word/document2.xml`. Falls back to
    /// `fallback` when the package has no usable relationship (some generators omit it).
    pub fn main_part(&mut self, fallback: &str) -> Result<String, ReadError> {
        let rels = self.relationships("")?;
        if let Some(rel) = rels.iter().find(|r| !r.external && r.is_type("officeDocument") && self.has(&r.target)) {
            return Ok(rel.target.clone());
        }
        if self.has(fallback) {
            return Ok(normalise_name(fallback));
        }
        Err(ReadError::Damaged("the package has no main document part".into()))
    }
}

/// Read as many bytes as are available into `buf`, up to its length.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(buf.get_mut(n..).unwrap_or(&mut [])) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn bomb(limit: u64) -> ReadError {
    ReadError::TooLarge(format!("zip bomb: its parts inflate to more than {} MB", limit / (1024 * 1024)))
}

/// Map a zip error to a consultant-facing reason.
fn zip_error(e: ZipError) -> ReadError {
    match e {
        ZipError::UnsupportedArchive(why) if why == ZipError::PASSWORD_REQUIRED => ReadError::Encrypted,
        ZipError::InvalidPassword => ReadError::Encrypted,
        ZipError::CompressionMethodNotSupported(_) | ZipError::UnsupportedArchive(_) => {
            ReadError::Damaged("the zip package uses a kind of compression Office does not write".into())
        }
        _ => ReadError::Damaged(DAMAGED.into()),
    }
}

/// A part name as used for lookup: slashes forward, no leading slash.
fn normalise_name(name: &str) -> String {
    let name = if name.contains('\\') { Cow::Owned(name.replace('\\', "/")) } else { Cow::Borrowed(name) };
    name.trim_start_matches('/').to_string()
}

/// Parse a `.rels` part; relative targets are resolved against `base_dir` (with trailing slash).
pub fn parse_relationships(bytes: &[u8], base_dir: &str) -> Result<Vec<Relationship>, ReadError> {
    let text = xml_text(bytes)?;
    let mut reader = Reader::from_str(&text);
    let mut out = Vec::new();
    loop {
        let event = reader.read_event().map_err(|_| ReadError::Damaged("a relationships part is not well-formed XML".into()))?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let mut rel = Relationship { id: String::new(), rel_type: String::new(), target: String::new(), external: false };
                for attr in e.attributes().flatten() {
                    let value = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_else(|_| attr.value.to_string());
                    match attr.key.local_name().as_ref() {
                        "Id" => rel.id = value,
                        "Type" => rel.rel_type = value,
                        "Target" => rel.target = value,
                        "TargetMode" => rel.external = value.eq_ignore_ascii_case("External"),
                        _ => {}
                    }
                }
                if !rel.external {
                    rel.target = resolve_target(base_dir, &rel.target);
                }
                out.push(rel);
            }
            Event::DocType(_) => return Err(hostile_doctype()),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The reason for refusing a part that carries a DOCTYPE (Office never writes one; it is how
/// entity-expansion and external-entity attacks start).
pub fn hostile_doctype() -> ReadError {
    ReadError::Damaged("a part carries a DOCTYPE declaration, which Office never writes; the file may be hostile".into())
}

/// The XML text of a part: UTF-8 (BOM stripped) or UTF-16 (with a BOM) turned into UTF-8.
pub fn xml_text(bytes: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest).map(Cow::Borrowed).map_err(|_| not_utf8());
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, had_errors) = encoding_rs::UTF_16LE.decode(bytes);
        if had_errors {
            return Err(not_utf8());
        }
        // The declaration still says UTF-16; quick-xml reads the text as UTF-8 regardless.
        return Ok(Cow::Owned(text.into_owned()));
    }
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| not_utf8())
}

fn not_utf8() -> ReadError {
    ReadError::Damaged("a part's text is not valid UTF-8 or UTF-16".into())
}

/// Resolve a relationship target against the source part's folder: `/x` is from the package
/// root, `../x` climbs, `%20` and friends are decoded.
pub fn resolve_target(base_dir: &str, target: &str) -> String {
    let target = percent_decode(target);
    let target = target.replace('\\', "/");
    let joined = if let Some(abs) = target.strip_prefix('/') { abs.to_string() } else { format!("{base_dir}{target}") };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        if b == b'%' {
            let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(t) => Cow::Owned(t),
        Err(_) => Cow::Borrowed(s),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use std::time::Duration;
    use zip::write::SimpleFileOptions;

    /// Build an in-memory zip from (name, bytes) pairs (deflated).
    pub(crate) fn make_zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            w.start_file(*name, opts).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn open(bytes: Vec<u8>, limits: &Limits) -> Result<Package<Cursor<Vec<u8>>>, ReadError> {
        Package::from_reader(Cursor::new(bytes), limits, &Deadline::after(Duration::from_secs(10)))
    }

    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document2.xml"/></Relationships>"#;

    #[test]
    fn finds_main_part_through_rels() {
        let zip = make_zip(&[("_rels/.rels", RELS.as_bytes()), ("word/document2.xml", b"<x/>")]);
        let mut p = open(zip, &Limits::default()).unwrap();
        assert_eq!(p.main_part("word/document.xml").unwrap(), "word/document2.xml");
        assert!(p.has("/Word/Document2.xml"));
        assert_eq!(p.read("word/document2.xml").unwrap(), b"<x/>");
        assert_eq!(p.inflated(), RELS.len() as u64 + 4);
        assert_eq!(p.names(), ["_rels/.rels", "word/document2.xml"]);
    }

    #[test]
    fn strict_rels_and_absolute_targets() {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="/word/document.xml"/></Relationships>"#;
        let zip = make_zip(&[("_rels/.rels", rels.as_bytes()), ("word/document.xml", b"<x/>")]);
        let mut p = open(zip, &Limits::default()).unwrap();
        assert_eq!(p.main_part("nothing.xml").unwrap(), "word/document.xml");
    }

    #[test]
    fn missing_rels_falls_back_and_missing_main_is_damaged() {
        let zip = make_zip(&[("word/document.xml", b"<x/>")]);
        let mut p = open(zip, &Limits::default()).unwrap();
        assert_eq!(p.main_part("word/document.xml").unwrap(), "word/document.xml");
        let zip = make_zip(&[("other.xml", b"<x/>")]);
        let mut p = open(zip, &Limits::default()).unwrap();
        assert!(matches!(p.main_part("word/document.xml"), Err(ReadError::Damaged(_))));
        assert!(matches!(p.read("word/document.xml"), Err(ReadError::Damaged(_))));
    }

    #[test]
    fn part_relationships_resolve_headers() {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="../word/footer%201.xml"/><Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/a" TargetMode="External"/></Relationships>"#;
        let zip = make_zip(&[("word/_rels/document.xml.rels", rels.as_bytes()), ("word/document.xml", b"<x/>")]);
        let mut p = open(zip, &Limits::default()).unwrap();
        let rels = p.relationships("word/document.xml").unwrap();
        assert_eq!(rels.len(), 3);
        assert!(rels[0].is_type("header"));
        assert_eq!(rels[0].target, "word/header1.xml");
        assert!(rels[1].is_type("footer"));
        assert_eq!(rels[1].target, "word/footer 1.xml");
        assert!(rels[2].external);
        assert_eq!(rels[2].target, "https://example.org/a");
        assert!(p.relationships("word/header1.xml").unwrap().is_empty());
    }

    #[test]
    fn prefix_reads_inflate_only_what_is_asked() {
        let big: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let zip = make_zip(&[("a.xml", &big)]);
        let mut p = open(zip, &Limits::default()).unwrap();
        let head = p.read_prefix("a.xml", 1000).unwrap().unwrap();
        assert_eq!(head, big[..1000]);
        assert!(p.inflated() <= 1000 + CHUNK as u64);
        assert_eq!(p.read_prefix("a.xml", 1_000_000).unwrap().unwrap(), big);
        assert_eq!(p.read_prefix("missing.xml", 10).unwrap(), None);
    }

    #[test]
    fn zip_bomb_is_refused_by_counting() {
        let big = vec![0u8; 3 * 1024 * 1024];
        let zip = make_zip(&[("a.xml", &big), ("b.xml", &big)]);
        assert!(zip.len() < 100 * 1024, "zeros compress well");
        let limits = Limits { max_inflated_bytes: 4 * 1024 * 1024, ..Limits::default() };
        let mut p = open(zip, &limits).unwrap();
        assert_eq!(p.read("a.xml").unwrap().len(), 3 * 1024 * 1024);
        match p.read("b.xml") {
            Err(ReadError::TooLarge(why)) => assert!(why.starts_with("zip bomb"), "{why}"),
            other => panic!("expected TooLarge, got {:?}", other.map(|v| v.len())),
        }
    }

    #[test]
    fn lying_declared_size_is_still_capped() {
        // Patch the declared uncompressed size (local header and central directory) to 1 byte:
        // the count while inflating must still stop it.
        let big = vec![b'a'; 2 * 1024 * 1024];
        let mut zip = make_zip(&[("a.xml", &big)]);
        let size = (big.len() as u32).to_le_bytes();
        let mut i = 0;
        while i + 4 <= zip.len() {
            if zip[i..i + 4] == size {
                zip[i..i + 4].copy_from_slice(&1u32.to_le_bytes());
            }
            i += 1;
        }
        let limits = Limits { max_inflated_bytes: 1024 * 1024, ..Limits::default() };
        match open(zip, &limits) {
            Ok(mut p) => assert!(matches!(p.read("a.xml"), Err(ReadError::TooLarge(_)) | Err(ReadError::Damaged(_)))),
            Err(e) => assert!(matches!(e, ReadError::Damaged(_))),
        }
    }

    #[test]
    fn truncated_zip_is_damaged_and_random_bytes_are_not_a_document() {
        let zip = make_zip(&[("_rels/.rels", RELS.as_bytes()), ("word/document2.xml", &[b'x'; 5000])]);
        let cut = zip[..zip.len() / 2].to_vec();
        assert!(matches!(open(cut, &Limits::default()), Err(ReadError::Damaged(_))));

        let dir = std::env::temp_dir().join(format!("cpoms-zipped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("random.docx");
        std::fs::write(&path, b"this is not a zip file at all").unwrap();
        let d = Deadline::after(Duration::from_secs(10));
        assert!(matches!(Package::open(&path, &Limits::default(), &d), Err(ReadError::NotADocument(_))));
        let path2 = dir.join("cut.docx");
        std::fs::write(&path2, &zip[..zip.len() - 30]).unwrap();
        assert!(matches!(Package::open(&path2, &Limits::default(), &d), Err(ReadError::Damaged(_))));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn damaged_part_data_is_damaged() {
        let mut zip = make_zip(&[("a.xml", &[b'q'; 20000])]);
        // Corrupt the compressed data just after the 30-byte local header and the 5-byte name.
        for b in zip.iter_mut().skip(40).take(20) {
            *b ^= 0x5A;
        }
        let mut p = open(zip, &Limits::default()).unwrap();
        assert!(matches!(p.read("a.xml"), Err(ReadError::Damaged(_))));
    }

    #[test]
    fn doctype_in_rels_is_refused() {
        let rels = br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><Relationships/>"#;
        assert!(matches!(parse_relationships(rels, ""), Err(ReadError::Damaged(_))));
    }

    #[test]
    fn resolves_targets() {
        assert_eq!(resolve_target("word/", "media/image1.png"), "word/media/image1.png");
        assert_eq!(resolve_target("word/", "../customXml/item1.xml"), "customXml/item1.xml");
        assert_eq!(resolve_target("word/", "/word/styles.xml"), "word/styles.xml");
        assert_eq!(resolve_target("", "word/document.xml"), "word/document.xml");
        assert_eq!(resolve_target("", "../../../etc/passwd"), "etc/passwd");
    }

    #[test]
    fn utf16_parts_are_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<a>é</a>".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(xml_text(&bytes).unwrap(), "<a>é</a>");
        assert_eq!(xml_text(b"\xEF\xBB\xBF<a/>").unwrap(), "<a/>");
        assert!(xml_text(b"<a>\xFF</a>").is_err());
    }
}
