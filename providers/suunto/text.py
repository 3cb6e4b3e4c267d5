"""Text as a Suunto watch can show it: the characters it is guaranteed to render, and the
lengths its screens hold (suunto-research.md §2.3 character set, §2.4 step and notification
titles, §2.6 text fields).

The watch is guaranteed to render only space, ``! " # $ % & ' ( ) * + , - . / 0-9 : ; < = > ?
A-Z a-z | °`` (and a line break in a notification); anything else "may be dropped or shown as an
icon".  ``@`` is outside that set but is in Suunto's own published sample, so it is kept.  This
is a rendering risk, not a server rule: only what the watch shows (the short description, step
titles, notifications) is folded here; the name and description, shown by the phone app, keep
every character.

Lengths count Unicode code points, as the partner with a live integration does (how Suunto
counts is not published, §6).
"""

from __future__ import annotations

import string
import unicodedata

SHOWN = frozenset(" !\"#$%&'()*+,-./:;<=>?|°@" + string.digits + string.ascii_letters)
# Common characters with a close rendering inside the set (dashes, quotes, arrows, ligatures).
SUBSTITUTES = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "~": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": ",", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2026": "...", "\u00d7": "x", "\u2192": ">", "\u2190": "<", "\u00b7": "-", "\u2022": "-",
    "\u2044": "/", "\\": "/", "_": " ", "\t": " ", "[": "(", "]": ")", "{": "(", "}": ")",
    "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE", "\u00f8": "o", "\u00d8": "O", "\u0153": "oe", "\u0152": "OE",
    "\u0111": "d", "\u0110": "D", "\u0142": "l", "\u0141": "L", "\u00fe": "th", "\u00de": "Th",
    "\u00ba": "°", "\u02da": "°",
}
LINES_MAX = 6  # a text or notification shows at most six lines


def watch_text(text: str, multiline: bool = False) -> str:
    """``text`` in the characters the watch renders: accents dropped, close substitutes for
    common punctuation, anything else left out; runs of spaces collapsed."""
    out = []
    for ch in text:
        if (ch == "\n" and multiline) or ch in SHOWN:
            out.append(ch)
        elif ch in SUBSTITUTES:
            out.append(SUBSTITUTES[ch])
        elif ch in ("\n", "\r"):
            out.append(" ")
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            out.append("".join(SUBSTITUTES.get(c, c) for c in decomposed if c in SHOWN or c in SUBSTITUTES))
    lines = [" ".join(line.split()) for line in "".join(out).split("\n")]
    return "\n".join(line for line in lines if line)


def cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` code points (and six lines), cut between words where
    that keeps most of it, never leaving a trailing space."""
    lines = text.split("\n")
    if len(lines) > LINES_MAX:
        text = "\n".join(lines[:LINES_MAX - 1] + [" ".join(lines[LINES_MAX - 1:])])
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= limit * 2 // 3:  # a word boundary near the end: do not show half a word
        head = head[:space]
    return head.rstrip()


def fits(text: str, limit: int) -> bool:
    return len(text) <= limit and len(text.split("\n")) <= LINES_MAX
