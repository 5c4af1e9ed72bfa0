//! Text as menus and notifications show it: names shown literally (shortened with an ellipsis,
//! kept whole per character as people see them, right-to-left text isolated so it does not
//! reorder the words around it), and remaining times people read at a glance.

use chrono::{DateTime, Duration, Utc};
use unicode_segmentation::UnicodeSegmentation;

/// Longest credential name shown in a menu title, in characters as people count them.
pub const NAME_CHARS: usize = 48;
/// Longest org label shown beside a name.
pub const LABEL_CHARS: usize = 32;

/// `text` on one line, at most `max` user-perceived characters (grapheme clusters: an emoji
/// with its modifiers, a letter with its accents), with "…" at the end when shortened.
pub fn ellipsize(text: &str, max: usize) -> String {
    let one_line: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let graphemes: Vec<&str> = one_line.graphemes(true).collect();
    if graphemes.len() <= max {
        return one_line;
    }
    let mut shortened: String = graphemes[..max.saturating_sub(1)].concat();
    shortened.truncate(shortened.trim_end().len());
    shortened.push('…');
    shortened
}

/// Wraps text that holds right-to-left letters in a first-strong isolate, so "● שלום (Acme) ·
/// 11 h" keeps its order around the name. Left-to-right text is returned as it is.
pub fn isolate(text: &str) -> String {
    if text.chars().any(is_right_to_left) {
        format!("\u{2068}{text}\u{2069}")
    } else {
        text.to_owned()
    }
}

/// A name as a menu shows it: shortened, then isolated.
pub fn display(text: &str, max: usize) -> String {
    isolate(&ellipsize(text, max))
}

/// Hebrew, Arabic, Syriac, Thaana, N'Ko and the other right-to-left blocks, and their
/// presentation forms.
fn is_right_to_left(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// How long until `at`, as "42 min", "11 h", "13 d", "< 1 min" or "expired". Rounded down, so
/// the figure never promises more than is left.
pub fn remaining(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = at - now;
    if left <= Duration::zero() {
        return "expired".into();
    }
    let minutes = left.num_minutes();
    if minutes < 1 {
        "< 1 min".into()
    } else if minutes < 60 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{} h", minutes / 60)
    } else {
        format!("{} d", minutes / (24 * 60))
    }
}

/// The label handed to the native menu: menus treat `&` as the mark of an access key (muda turns
/// it into GTK's `_`, and escapes a literal `_` itself), so a literal `&` is doubled.
pub fn native(label: &str) -> String {
    label.replace('&', "&&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        let now = crate::status::tests::now();
        (now + Duration::minutes(minutes), now)
    }

    #[test]
    fn remaining_times_read_at_a_glance() {
        let cases = [
            (-5, "expired"),
            (0, "expired"),
            (42, "42 min"),
            (60, "1 h"),
            (11 * 60 + 59, "11 h"),
            (47 * 60, "47 h"),
            (13 * 24 * 60 + 300, "13 d"),
        ];
        for (minutes, expected) in cases {
            let (at, now) = at(minutes);
            assert_eq!(remaining(at, now), expected, "{minutes} minutes");
        }
        let now = crate::status::tests::now();
        assert_eq!(remaining(now + Duration::seconds(30), now), "< 1 min");
    }

    #[test]
    fn short_names_are_kept_as_they_are() {
        assert_eq!(ellipsize("Acme_Corp & Sons", 48), "Acme_Corp & Sons");
    }

    #[test]
    fn long_names_end_in_an_ellipsis_within_the_limit() {
        let name = "A very long integration name that goes on and on for a while";
        let shown = ellipsize(name, 20);
        assert_eq!(shown, "A very long integra…");
        assert_eq!(shown.chars().count(), 20);
    }

    #[test]
    fn shortening_never_splits_an_emoji_or_an_accent() {
        // A family emoji is one character to a person (several code points joined).
        let family = "👨\u{200d}👩\u{200d}👧";
        let name = format!("{family}{family}{family} Acme");
        let shown = ellipsize(&name, 3);
        assert_eq!(shown, format!("{family}{family}…"));
        let accented = "e\u{301}e\u{301}e\u{301}e\u{301}";
        assert_eq!(ellipsize(accented, 3), "e\u{301}e\u{301}…");
    }

    #[test]
    fn control_characters_do_not_break_the_line() {
        assert_eq!(ellipsize("Acme\nCorp\t1", 48), "Acme Corp 1");
    }

    #[test]
    fn right_to_left_names_are_isolated_and_left_to_right_ones_untouched() {
        assert_eq!(isolate("Acme Corp"), "Acme Corp");
        assert_eq!(isolate("שלום"), "\u{2068}שלום\u{2069}");
        assert_eq!(isolate("شركة 7"), "\u{2068}شركة 7\u{2069}");
    }

    #[test]
    fn ampersands_are_literal_in_native_labels() {
        assert_eq!(native("R&D"), "R&&D");
        assert_eq!(native("my_org"), "my_org");
    }
}
