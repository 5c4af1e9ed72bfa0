//! Bytes to text: byte-order marks, UTF-16 (what Windows PowerShell's `Out-File` writes), and
//! positions of invalid bytes.

use std::ops::Deref;

use zeroize::Zeroizing;

use super::ImportError;

/// The file's text: borrowed when it was UTF-8 already, otherwise decoded into memory that is
/// wiped on drop (it holds the secrets).
pub(super) enum Text<'a> {
    Borrowed(&'a str),
    Decoded(Zeroizing<String>),
}

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Borrowed(text) => text,
            Text::Decoded(text) => text,
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

pub(super) fn decode<'a>(
    bytes: &'a [u8],
    source: &str,
    warnings: &mut Vec<String>,
) -> Result<Text<'a>, ImportError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        warnings.push("byte-order mark ignored".to_owned());
        return utf8(rest, source).map(Text::Borrowed);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        warnings.push("UTF-16 text (little-endian byte-order mark) read as UTF-16".to_owned());
        return utf16(rest, source, u16::from_le_bytes).map(Text::Decoded);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        warnings.push("UTF-16 text (big-endian byte-order mark) read as UTF-16".to_owned());
        return utf16(rest, source, u16::from_be_bytes).map(Text::Decoded);
    }
    utf8(bytes, source).map(Text::Borrowed)
}

fn utf8<'a>(bytes: &'a [u8], source: &str) -> Result<&'a str, ImportError> {
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        // The valid prefix is text, so lines and columns can be counted in it.
        let (line, column) = line_column(std::str::from_utf8(valid).unwrap_or_default());
        not_text(
            source,
            line,
            column,
            "not UTF-8 text (is this a binary file?)",
        )
    })
}

fn utf16(
    bytes: &[u8],
    source: &str,
    unit: fn([u8; 2]) -> u16,
) -> Result<Zeroizing<String>, ImportError> {
    let mut text = Zeroizing::new(String::with_capacity(bytes.len() / 2));
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => text.push(c),
            Err(_) => {
                let (line, column) = line_column(&text);
                return Err(not_text(source, line, column, "invalid UTF-16 text"));
            }
        }
    }
    if bytes.len() % 2 == 1 {
        let (line, column) = line_column(&text);
        return Err(not_text(
            source,
            line,
            column,
            "UTF-16 text cut off in the middle of a character",
        ));
    }
    Ok(text)
}

fn not_text(source: &str, line: usize, column: usize, what: &str) -> ImportError {
    ImportError::NotParseable {
        file: source.to_owned(),
        line,
        column,
        what: what.to_owned(),
    }
}

/// 1-based line and column (in characters) of the position just past `before`.
pub(super) fn line_column(before: &str) -> (usize, usize) {
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_dropped_with_a_warning() {
        let mut warnings = Vec::new();
        let text = decode(b"\xEF\xBB\xBF{}", "f", &mut warnings).unwrap();
        assert_eq!(&*text, "{}");
        assert_eq!(warnings, ["byte-order mark ignored"]);
    }

    #[test]
    fn utf16_files_from_powershell_are_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "{\"a\": 1}".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let mut warnings = Vec::new();
        let text = decode(&bytes, "f", &mut warnings).unwrap();
        assert_eq!(&*text, "{\"a\": 1}");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn binary_content_names_the_position_of_the_first_bad_byte() {
        let error = decode(b"ab\ncd\xFF\xFE\x00", "blob.bin", &mut Vec::new())
            .err()
            .unwrap();
        assert!(
            matches!(
                error,
                ImportError::NotParseable {
                    line: 2,
                    column: 3,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().starts_with("blob.bin: line 2, column 3"));
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column(""), (1, 1));
        assert_eq!(line_column("ab\nc"), (2, 2));
        assert_eq!(line_column("é"), (1, 2));
    }
}
