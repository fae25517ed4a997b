//! The schools register (`--schools register.csv`): one row per school with its name or URN and
//! any other columns (trust, local authority, phase...). Each return is joined to its register row
//! by name, tolerant of the ways people write school names ("St Mary's CE Primary" and
//! "St. Marys C of E Primary School" are one school).

use std::collections::BTreeSet;
use std::path::Path;

/// Split one CSV line (RFC 4180 quoting: `"a, b"` and `""` inside quotes).
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Words that say what kind of school it is rather than which: they count for less when names
/// are compared.
const GENERIC: &[&str] = &[
    "primary", "academy", "infant", "infants", "junior", "juniors", "nursery", "community", "college", "high",
    "secondary", "ce", "rc", "va", "vc", "catholic", "church", "free", "first", "middle", "lower", "upper",
    "trust", "federation", "all", "saints", "st", "and",
];

/// Words dropped before comparing.
const DROPPED: &[&str] = &["school", "the", "of", "a", "at", "ltd", "limited"];

/// A school name reduced to comparable words: lower case, apostrophes dropped ("Mary's" →
/// "marys"), other punctuation a space, "C of E"/"Church of England" → "ce", "Saint" → "st",
/// "&" → "and", "school" and "the" dropped.
pub fn name_tokens(name: &str) -> Vec<String> {
    let lower = name.to_lowercase().replace('&', " and ");
    let mut cleaned = String::with_capacity(lower.len());
    for c in lower.chars() {
        if c == '\'' || c == '’' || c == '‘' || c == '`' {
            continue;
        }
        cleaned.push(if c.is_alphanumeric() { c } else { ' ' });
    }
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words.get(i).copied().unwrap_or("");
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        if w == "c" && next(1) == "of" && next(2) == "e" {
            out.push("ce".into());
            i += 3;
            continue;
        }
        if w == "church" && next(1) == "of" && next(2) == "england" {
            out.push("ce".into());
            i += 3;
            continue;
        }
        if w == "c" && next(1) == "e" {
            out.push("ce".into());
            i += 2;
            continue;
        }
        if w == "roman" && next(1) == "catholic" {
            out.push("rc".into());
            i += 2;
            continue;
        }
        let w = match w {
            "saint" => "st",
            "cofe" => "ce",
            other => other,
        };
        if !DROPPED.contains(&w) {
            out.push(w.to_string());
        }
        i += 1;
    }
    out
}

/// The key two returns for one school share: the name's comparable words, sorted.
pub fn school_key(name: &str) -> String {
    let set: BTreeSet<String> = name_tokens(name).into_iter().collect();
    set.into_iter().collect::<Vec<_>>().join(" ")
}

fn weight(token: &str) -> f64 {
    if GENERIC.contains(&token) {
        0.3
    } else {
        1.0
    }
}

/// True when two words are the same allowing one typo in longer words ("infants"/"infant").
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la < 5 || lb < 5 || la.abs_diff(lb) > 1 {
        return false;
    }
    edit_distance_at_most_one(a, b)
}

fn edit_distance_at_most_one(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    let mut i = 0;
    let mut j = 0;
    let mut edits = 0;
    while i < short.len() && j < long.len() {
        if short.get(i) == long.get(j) {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        if short.len() == long.len() {
            i += 1;
        }
        j += 1;
    }
    edits + (long.len() - j) + (short.len() - i) <= 1
}

/// Weighted token-set similarity of two names (0 = nothing shared, 1 = the same words), where
/// generic words ("primary", "academy") count for less than the distinctive ones.
pub fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut shared = 0.0;
    let mut used = vec![false; b.len()];
    for ta in a {
        for (k, tb) in b.iter().enumerate() {
            if !used.get(k).copied().unwrap_or(true) && same_word(ta, tb) {
                if let Some(u) = used.get_mut(k) {
                    *u = true;
                }
                shared += weight(ta);
                break;
            }
        }
    }
    let total_a: f64 = a.iter().map(|t| weight(t)).sum();
    let total_b: f64 = b.iter().map(|t| weight(t)).sum();
    let union = total_a + total_b - shared;
    if union <= 0.0 {
        0.0
    } else {
        shared / union
    }
}

/// Similarity of two free-text strings (action wording), for "is this action repeated?".
pub fn text_similarity(a: &str, b: &str) -> f64 {
    similarity(&name_tokens(a), &name_tokens(b))
}

/// The loaded register.
#[derive(Debug, Clone, Default)]
pub struct Register {
    /// Column headings as written.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    name_col: Option<usize>,
    urn_col: Option<usize>,
    tokens: Vec<Vec<String>>,
}

/// Below this similarity a name is not taken to be a register school.
const MATCH_THRESHOLD: f64 = 0.6;

impl Register {
    /// Read `register.csv`: the first line is headings; a column called "school", "name" or
    /// "school name" holds names, one called "URN" the URN (either is enough).
    pub fn from_csv(text: &str) -> Result<Register, String> {
        let text = text.trim_start_matches('\u{feff}');
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines.next().ok_or("the schools register is empty")?;
        let columns: Vec<String> = split_csv_line(header).into_iter().map(|c| c.trim().to_string()).collect();
        let find = |names: &[&str]| {
            columns.iter().position(|c| {
                let c = c.to_ascii_lowercase();
                names.iter().any(|n| c == *n)
            })
        };
        let name_col = find(&["school", "name", "school name", "school_name", "establishment", "establishment name", "establishmentname"])
            .or_else(|| columns.iter().position(|c| c.to_ascii_lowercase().contains("name")));
        let urn_col = find(&["urn", "school urn", "dfe number", "laestab"]);
        if name_col.is_none() && urn_col.is_none() {
            return Err("the schools register needs a column headed \"School\" (or \"Name\") or \"URN\"".into());
        }
        let mut rows = Vec::new();
        for line in lines {
            let mut fields: Vec<String> = split_csv_line(line).into_iter().map(|f| f.trim().to_string()).collect();
            fields.resize(columns.len().max(fields.len()), String::new());
            rows.push(fields);
        }
        let tokens = rows
            .iter()
            .map(|r| name_col.and_then(|c| r.get(c)).map(|n| name_tokens(n)).unwrap_or_default())
            .collect();
        Ok(Register { columns, rows, name_col, urn_col, tokens })
    }

    /// Load `--schools FILE`.
    pub fn load(path: &Path) -> Result<Register, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("the schools register {} could not be read: {e}", path.display()))?;
        let text = String::from_utf8(bytes.clone())
            .unwrap_or_else(|_| encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned());
        Register::from_csv(&text)
    }

    /// The index of the column headed `name` (any case).
    pub fn column(&self, name: &str) -> Option<usize> {
        let n = name.trim().to_ascii_lowercase();
        self.columns.iter().position(|c| c.to_ascii_lowercase() == n)
    }

    /// A cell of a register row.
    pub fn cell(&self, row: usize, col: usize) -> Option<&str> {
        self.rows.get(row).and_then(|r| r.get(col)).map(|s| s.as_str()).filter(|s| !s.is_empty())
    }

    /// The register's name for a row (or its URN).
    pub fn display_name(&self, row: usize) -> Option<&str> {
        self.name_col.and_then(|c| self.cell(row, c)).or_else(|| self.urn_col.and_then(|c| self.cell(row, c)))
    }

    /// The register row for a school name as written on a return: a URN written in the name, or
    /// the best name match above the threshold that is clearly better than the runner-up.
    pub fn find(&self, school: &str) -> Option<usize> {
        if let Some(uc) = self.urn_col {
            let digits: Vec<&str> = school.split(|c: char| !c.is_ascii_digit()).filter(|s| s.len() >= 5).collect();
            for (i, row) in self.rows.iter().enumerate() {
                if let Some(urn) = row.get(uc) {
                    if !urn.is_empty() && (school.trim() == urn || digits.contains(&urn.as_str())) {
                        return Some(i);
                    }
                }
            }
        }
        let tokens = name_tokens(school);
        let mut best: Option<(usize, f64)> = None;
        let mut second = 0.0;
        for (i, t) in self.tokens.iter().enumerate() {
            let s = similarity(&tokens, t);
            match best {
                Some((_, b)) if s <= b => second = f64::max(second, s),
                _ => {
                    if let Some((_, b)) = best {
                        second = f64::max(second, b);
                    }
                    best = Some((i, s));
                }
            }
        }
        let (i, score) = best?;
        (score >= MATCH_THRESHOLD && score - second >= 0.05).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_match() {
        let a = name_tokens("St Mary's CE Primary");
        let b = name_tokens("St. Marys C of E Primary School");
        assert_eq!(a, b);
        assert_eq!(school_key("The Old Mill Primary School"), school_key("Old Mill Primary"));
    }

    #[test]
    fn register_finds_the_right_school() {
        let csv = "URN,School,Trust,Phase\n100001,St Mary's CE Primary,North Trust,Primary\n100002,St Mary's Catholic High,South Trust,Secondary\n100003,Thornbury Road Infant School,North Trust,Primary\n";
        let reg = Register::from_csv(csv).unwrap();
        assert_eq!(reg.find("St. Marys C of E Primary School"), Some(0));
        assert_eq!(reg.find("Thornbury Road Infants"), Some(2));
        assert_eq!(reg.find("100002"), Some(1));
        assert_eq!(reg.find("Old Mill Primary School"), None);
        assert_eq!(reg.column("trust"), Some(2));
        assert_eq!(split_csv_line("a,\"b, c\",\"d \"\"e\"\"\""), vec!["a", "b, c", "d \"e\""]);
    }
}
