package review

import (
	"strings"
	"unicode"

	"superapp/internal/miniprogram/wxml"
)

// nameWidth is a name's length as WeChat counts it: a Chinese (CJK,
// full-width) character counts 2, any other character 1.
func nameWidth(s string) int {
	n := 0
	for _, r := range s {
		if isWide(r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r >= 0x3000 && r <= 0x303F || // CJK symbols and punctuation
		r >= 0xFF00 && r <= 0xFFEF // full-width forms
}

// advance is the position reached after s, starting at p (WXML text and
// attribute values know where they start; findings point inside them).
func advance(p wxml.Pos, s string) wxml.Pos {
	for _, r := range s {
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// wordHit is one listed word found in a text.
type wordHit struct {
	entry *wordEntry
	off   int // byte offset in the text
}

// wordEntry is one row of a word table: the word, why it is listed and, for
// words that are also parts of harmless ones, the harmless words that
// contain it (a hit inside one of them does not count).
type wordEntry struct {
	Word   string
	Why    string
	Except []string
}

// findWords returns the first hit of each entry in text (case-insensitive
// for Latin letters).
func findWords(text string, table []wordEntry) []wordHit {
	var hits []wordHit
	lower := strings.ToLower(text)
	for i := range table {
		e := &table[i]
		if off := indexExcept(lower, strings.ToLower(e.Word), e.Except); off >= 0 {
			hits = append(hits, wordHit{e, off})
		}
	}
	return hits
}

// indexExcept is the byte offset of the first occurrence of word in text
// that is not part of one of the except words around it, or -1.
func indexExcept(text, word string, except []string) int {
	from := 0
	for {
		i := strings.Index(text[from:], word)
		if i < 0 {
			return -1
		}
		i += from
		if !insideAny(text, i, len(word), except) {
			return i
		}
		from = i + len(word)
	}
}

// insideAny reports whether text[i:i+n] lies inside an occurrence of one of
// the words.
func insideAny(text string, i, n int, words []string) bool {
	for _, w := range words {
		w = strings.ToLower(w)
		for start := max(0, i-len(w)+n); start <= i && start+len(w) <= len(text); start++ {
			if text[start:start+len(w)] == w {
				return true
			}
		}
	}
	return false
}
