//! Text a server wrote (error descriptions, codes, trackingIds, device codes and URIs), made safe
//! to show. A hostile or broken server must not be able to move the cursor, clear the screen,
//! rewrite earlier lines (CR), retitle the terminal (OSC) or reorder what a person reads (bidi
//! overrides), in the CLI, the tray, the audit log or the journal. Every server string is
//! cleaned where core parses it; the CLI cleans again where it prints.

use std::borrow::Cow;

/// Unicode's explicit directional formatting characters (UAX #9): they reorder what follows
/// them, so `evil.example\u{202E}moc.xebew` can display as a trusted name.
const BIDI_CONTROLS: &[char] = &[
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// `text` without control characters (C0 including ESC, CR and NUL; DEL; C1 including CSI) and
/// without bidi controls. Line breaks and tabs become spaces so words stay apart; everything
/// else is dropped. Borrows when there is nothing to remove, which is almost always.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\t' | '\n' | '\r' => Some(' '),
                c if is_unsafe(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || BIDI_CONTROLS.contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_control_characters_are_removed() {
        assert_eq!(
            clean("bad\u{1b}[2J\u{1b}]0;owned\u{7}\rgone\0\u{7f}\u{9b}31m"),
            "bad[2J]0;owned gone31m"
        );
        assert_eq!(clean("line one\nline two\ttab"), "line one line two tab");
    }

    #[test]
    fn bidi_overrides_are_removed() {
        assert_eq!(clean("evil\u{202E}moc.xebew"), "evilmoc.xebew");
        assert_eq!(clean("\u{2066}a\u{2069}"), "a");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        let text = "Ünïcode ok: invalid_grant — ROUTER_1 https://x.example/?a=b";
        assert!(matches!(clean(text), Cow::Borrowed(t) if t == text));
    }
}
