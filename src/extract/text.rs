//! Text helpers for reading a form the way a person does: labels matched whatever the punctuation,
//! case or spacing; values cleaned of the underscores and dots people type over; wording compared
//! by the words it shares.

/// Lower-case words of `s` (letters and digits only), for comparing wording.
pub fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            push_lower(&mut word, c);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A word of [`words`] as a number: comparing wording compares these, so no word is copied.
pub type WordKey = u64;

/// [`words`] as [`WordKey`]s (FNV-1a of the lower-cased word): for [`containment`] on the hot
/// path, where building a `String` per word cost more than the comparison.
pub fn word_keys(s: &str) -> Vec<WordKey> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut out = Vec::new();
    let mut h = OFFSET;
    let mut in_word = false;
    let feed = |h: &mut u64, c: char| {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            *h = (*h ^ u64::from(b)).wrapping_mul(PRIME);
        }
    };
    for c in s.chars() {
        if c.is_alphanumeric() {
            in_word = true;
            if c.is_ascii() {
                feed(&mut h, c.to_ascii_lowercase());
            } else {
                for l in c.to_lowercase() {
                    feed(&mut h, l);
                }
            }
        } else if in_word {
            out.push(h);
            h = OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(h);
    }
    out
}

/// `s` reduced to lower-case letters and digits separated by single spaces.
///
/// Built in one pass into one string: it runs on every line of every form, several times.
pub fn normalise(s: &str) -> String {
    normalise_prefix(s, usize::MAX)
}

/// The first `max` bytes or a little more of [`normalise`]`(s)`: enough to compare with a label
/// or title no longer than `max` (a long comment cell is not lower-cased to the end for that).
pub fn normalise_prefix(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max.saturating_add(8)));
    let mut gap = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if out.len() > max {
                break;
            }
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            push_lower(&mut out, c);
        } else {
            gap = true;
        }
    }
    out
}

/// Push `c` lower-cased (ASCII without the Unicode tables).
fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// The lower-case alphanumeric characters of `s`, one by one (what [`strip_label`] compares).
fn label_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase)
}

/// How much of `wording`'s vocabulary `text` holds, 0.0..=1.0 (containment, so extra words in
/// `text`, like a typed answer after the question, do not lower the score).
pub fn wording_similarity(text: &str, wording: &str) -> f64 {
    containment(&word_keys(text), &word_keys(wording))
}

/// [`wording_similarity`] on texts already split into [`words`] (for callers comparing one text
/// with many wordings).
pub fn containment<W: Eq + std::hash::Hash>(have: &[W], want: &[W]) -> f64 {
    if want.is_empty() {
        return 0.0;
    }
    let mut hit = 0usize;
    if have.len() <= 64 {
        // Short texts (nearly every call): a linear scan beats hashing every word.
        let mut open = [true; 64];
        for w in want {
            let found = have.iter().zip(open.iter_mut()).find(|(h, free)| **free && *h == w);
            if let Some((_, free)) = found {
                *free = false;
                hit += 1;
            }
        }
    } else {
        let mut have_set: std::collections::HashMap<&W, usize> = std::collections::HashMap::new();
        for w in have {
            *have_set.entry(w).or_default() += 1;
        }
        for w in want {
            if let Some(n) = have_set.get_mut(w) {
                if *n > 0 {
                    *n -= 1;
                    hit += 1;
                }
            }
        }
    }
    let containment = hit as f64 / want.len() as f64;
    // Penalise a text far longer than the wording (a paragraph that merely mentions it).
    if have.len() > want.len() * 3 + 6 {
        containment * 0.6
    } else {
        containment
    }
}

/// If `text` starts with `label` (ignoring case, punctuation and spacing), the rest of `text`
/// after the label, as written.
pub fn strip_label<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    // Compared character by character as both are walked: called for every label on every line,
    // so nothing is allocated.
    let mut want = label_chars(label).peekable();
    want.peek()?;
    for (pos, ch) in text.char_indices() {
        if want.peek().is_none() {
            return Some(&text[pos..]);
        }
        if !ch.is_alphanumeric() {
            continue;
        }
        let l = if ch.is_ascii() {
            ch.to_ascii_lowercase()
        } else {
            let mut lower = ch.to_lowercase();
            let (Some(l), None) = (lower.next(), lower.next()) else { return None };
            l
        };
        if want.next() != Some(l) {
            return None;
        }
    }
    if want.peek().is_none() {
        Some("")
    } else {
        None
    }
}

/// True when the rest after a stripped label starts at a word boundary (so "Date" does not match
/// "Dated" and "Signed" does not match "Signedoff").
pub fn at_word_boundary(rest: &str) -> bool {
    rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
}

/// A typed value cleaned of what surrounds it on a paper form: leading colons, dashes, tabs,
/// underscores and dot leaders, and trailing underscores and dot leaders. `None` when nothing is left.
pub fn clean_value(s: &str) -> Option<String> {
    // A closing bracket left from a label ("Date of review (if applicable)") is filler too.
    let is_filler = |c: char| c.is_whitespace() || matches!(c, '_' | '…' | ':' | '.' | '-' | '–' | '—' | '=' | '|' | ')' | ']');
    let start = s.trim_start_matches(is_filler);
    let end = start.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '_' | '…' | '|' | ':'));
    // Trailing dot leaders ("15.10.2026…….") but keep a single full stop after an initial ("Mr M.").
    let end = strip_trailing_dots(end);
    let v = end.trim();
    if v.is_empty() || v.chars().all(|c| !c.is_alphanumeric()) {
        None
    } else {
        Some(v.to_string())
    }
}

fn strip_trailing_dots(s: &str) -> &str {
    let trimmed = s.trim_end_matches(['.', '…', '_', ' ', '\t']);
    let removed = &s[trimmed.len()..];
    let dots = removed.chars().filter(|c| *c == '.').count();
    if removed.contains('…') || dots >= 2 || removed.contains('_') {
        trimmed
    } else {
        s.trim_end_matches([' ', '\t'])
    }
}

/// Text trimmed, with lines trimmed at their ends and blank lines dropped; `None` if empty.
pub fn cell_value(s: &str) -> Option<String> {
    // A lone carriage return (LibreOffice leaves one at the end of a form field's text) is a line
    // end too.
    let lines: Vec<&str> =
        s.split(['\n', '\r']).map(|l| l.trim_matches([' ', '\t', '\u{a0}'])).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
}

const NUMBER_WORDS: [&str; 21] = [
    "none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
];

const TENS_WORDS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// A count as people type it: "6 active", "Eleven", "Twenty-one", "Nil", "None at present",
/// "14 (sibling group of 9)".
pub fn parse_count(s: &str) -> Option<u32> {
    let t = s.trim();
    let all = words(t);
    let mut ws = all.iter().map(String::as_str);
    let first_word = ws.next()?;
    if let Ok(n) = first_word.parse::<u32>() {
        return Some(n);
    }
    if matches!(first_word, "nil" | "zero" | "no" | "nought") {
        return Some(0);
    }
    if let Some(tens) = TENS_WORDS.iter().position(|w| *w == first_word) {
        // "twenty-one", "forty two": the units word after it.
        let units = ws.next().and_then(|w| NUMBER_WORDS.get(1..10)?.iter().position(|u| *u == w)).map_or(0, |u| u + 1);
        return Some((20 + 10 * tens + units) as u32);
    }
    if let Some(n) = NUMBER_WORDS.iter().position(|w| *w == first_word) {
        return Some(n as u32);
    }
    // "Approximately 30", "about 4": the first number in a short answer.
    let digits: String = t.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
    if words(t).len() <= 4 {
        digits.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_strip_whatever_the_punctuation() {
        assert_eq!(strip_label("Name of school:____ Old Mill", "Name of school"), Some(":____ Old Mill"));
        assert_eq!(strip_label("NAME OF SCHOOL Old Mill", "Name of school"), Some(" Old Mill"));
        assert_eq!(strip_label("Name of pupil", "Name of school"), None);
        assert_eq!(clean_value(":____ Old Mill Primary____"), Some("Old Mill Primary".into()));
        assert_eq!(clean_value("……15.10.2026……."), Some("15.10.2026".into()));
        assert_eq!(clean_value(": Mr M."), Some("Mr M.".into()));
        assert_eq!(clean_value(")…………………. Spring term"), Some("Spring term".into()));
        assert_eq!(clean_value(")\tTBC"), Some("TBC".into()));
        assert_eq!(clean_value("……………………………."), None);
        assert_eq!(cell_value("Details complete\r"), Some("Details complete".into()));
    }

    #[test]
    fn counts_in_words_and_numbers() {
        assert_eq!(parse_count("6 active"), Some(6));
        assert_eq!(parse_count("Eleven"), Some(11));
        assert_eq!(parse_count("Twenty"), Some(20));
        assert_eq!(parse_count("twenty-one"), Some(21));
        assert_eq!(parse_count("twenty one"), Some(21));
        assert_eq!(parse_count("Forty-two (two sibling groups)"), Some(42));
        assert_eq!(parse_count("Thirty cases"), Some(30));
        assert_eq!(parse_count("None at present"), Some(0));
        assert_eq!(parse_count("Nil"), Some(0));
        assert_eq!(parse_count("14 (sibling group of 9)"), Some(14));
        assert_eq!(parse_count("All cases are created at the point of referral"), None);
    }

    #[test]
    fn word_keys_are_words() {
        assert_eq!(word_keys("Child's VOICE, voice"), word_keys("child s voice voice"));
        assert_eq!(word_keys("a b").len(), 2);
        assert_ne!(word_keys("voice"), word_keys("voices"));
        assert_eq!(normalise_prefix("Comments / Actions: please say", 8), "comments a");
        assert_eq!(normalise("  Comments / Actions  "), "comments actions");
    }

    #[test]
    fn similarity_is_containment() {
        let w = "Does the chronology evidence child’s voice? Show examples";
        assert!(wording_similarity("Does the chronology evidence child's voice?", w) > 0.7);
        assert!(wording_similarity("Where is the copy of the CP plan stored?", w) < 0.3);
    }
}
