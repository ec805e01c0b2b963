package ir

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a token of the text format.
type tokKind uint8

// The token kinds.
const (
	tokEOF    tokKind = iota
	tokError          // a lexical error; the token's text is the message
	tokIdent          // a bare word: keyword, op, dtype, role, attribute key
	tokValue          // %name; the text is the name without '%'
	tokFunc           // @name; the text is the name without '@'
	tokNumber         // -?digits[.digits][e[+-]digits], or with a leading '.'
	tokString         // a double-quoted string; the text includes the quotes
	tokLParen
	tokRParen
	tokLBrack
	tokRBrack
	tokLBrace
	tokRBrace
	tokComma
	tokColon
	tokEqual
	tokArrow
	tokMinus
)

var tokKindNames = [...]string{
	tokEOF:    "end of file",
	tokError:  "invalid token",
	tokIdent:  "identifier",
	tokValue:  "value name (%name)",
	tokFunc:   "function name (@name)",
	tokNumber: "number",
	tokString: "string",
	tokLParen: "'('",
	tokRParen: "')'",
	tokLBrack: "'['",
	tokRBrack: "']'",
	tokLBrace: "'{'",
	tokRBrace: "'}'",
	tokComma:  "','",
	tokColon:  "':'",
	tokEqual:  "'='",
	tokArrow:  "'->'",
	tokMinus:  "'-'",
}

func (k tokKind) String() string { return tokKindNames[k] }

// punct maps the one-byte punctuation tokens to their kinds.
var punct = [256]tokKind{
	'(': tokLParen, ')': tokRParen,
	'[': tokLBrack, ']': tokRBrack,
	'{': tokLBrace, '}': tokRBrace,
	',': tokComma, ':': tokColon, '=': tokEqual,
}

// A token is one lexical element with its position.
type token struct {
	kind tokKind
	text string
	pos  Pos
}

// maxQuoted bounds the length of token text quoted in error messages.
const maxQuoted = 40

// String describes the token for error messages: `"f32"`, `%w3`,
// `end of file`.
func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of file"
	case tokValue:
		return "%" + t.text
	case tokFunc:
		return "@" + t.text
	}
	s := t.text
	if len(s) > maxQuoted {
		s = s[:maxQuoted] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// A lexer splits IR text into tokens. It skips white space, and queues
// `//` comments for the parser to attach. After a lexical error it returns
// the same error token forever.
type lexer struct {
	file     string
	src      []byte
	off      int // offset of the next unread byte
	line     int // line of src[off], from 1
	col      int // column (in bytes) of src[off], from 1
	err      *token
	comments []comment // skipped, not yet taken by the parser
}

// A comment is the text of a `//` comment, from "//" to the end of its
// line without trailing white space, and its position.
type comment struct {
	text string
	pos  Pos
}

// newLexer returns a lexer of src; a leading UTF-8 byte order mark is
// skipped.
func newLexer(file string, src []byte) *lexer {
	l := &lexer{file: file, src: src, line: 1, col: 1}
	if bytes.HasPrefix(src, []byte("\uFEFF")) {
		l.off = len("\uFEFF")
	}
	return l
}

func (l *lexer) pos() Pos { return Pos{File: l.file, Line: l.line, Col: l.col} }

// peekByte returns the byte i positions ahead, or 0 past the end.
func (l *lexer) peekByte(i int) byte {
	if l.off+i < len(l.src) {
		return l.src[l.off+i]
	}
	return 0
}

// advance consumes n bytes, none of which is a newline.
func (l *lexer) advance(n int) {
	l.off += n
	l.col += n
}

func (l *lexer) skipSpaceAndComments() {
	for l.off < len(l.src) {
		switch c := l.src[l.off]; {
		case c == '\n':
			l.off++
			l.line++
			l.col = 1
		case c == ' ' || c == '\t' || c == '\r':
			l.advance(1)
		case c == '/' && l.peekByte(1) == '/':
			pos, start := l.pos(), l.off
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.advance(1)
			}
			text := strings.TrimRight(string(l.src[start:l.off]), " \t\r")
			l.comments = append(l.comments, comment{text: text, pos: pos})
		default:
			return
		}
	}
}

// next returns the next token.
func (l *lexer) next() token {
	if l.err != nil {
		return *l.err
	}
	l.skipSpaceAndComments()
	pos := l.pos()
	if l.off >= len(l.src) {
		return token{kind: tokEOF, pos: pos}
	}
	start := l.off
	c := l.src[l.off]
	switch {
	case punct[c] != tokEOF:
		l.advance(1)
		return token{kind: punct[c], text: string(c), pos: pos}
	case c == '-' && l.peekByte(1) == '>':
		l.advance(2)
		return token{kind: tokArrow, text: "->", pos: pos}
	case isDigit(c) || ((c == '-' || c == '.') && l.startsNumber()):
		return l.number(pos)
	case c == '-':
		l.advance(1)
		return token{kind: tokMinus, text: "-", pos: pos}
	case isIdentStart(c):
		l.advance(1)
		for l.off < len(l.src) && isIdentChar(l.src[l.off]) {
			l.advance(1)
		}
		return token{kind: tokIdent, text: string(l.src[start:l.off]), pos: pos}
	case c == '%' || c == '@':
		return l.name(pos)
	case c == '"':
		return l.string(pos)
	}
	r, size := utf8.DecodeRune(l.src[l.off:])
	if r == utf8.RuneError && size <= 1 {
		return l.fail(pos, fmt.Sprintf("invalid UTF-8 byte 0x%02x", c))
	}
	return l.fail(pos, fmt.Sprintf("unexpected character %U %q", r, r))
}

// fail records a lexical error at pos and returns its token.
func (l *lexer) fail(pos Pos, msg string) token {
	l.err = &token{kind: tokError, text: msg, pos: pos}
	return *l.err
}

// startsNumber reports whether the '-' or '.' at the current offset begins
// a number: "-1", "-.5", ".5".
func (l *lexer) startsNumber() bool {
	i := 0
	if l.peekByte(0) == '-' {
		i++
	}
	if l.peekByte(i) == '.' {
		i++
	}
	return isDigit(l.peekByte(i))
}

// number scans a decimal number: an optional '-', digits with an optional
// fraction, and an optional exponent. A number that runs into letters or
// another '.' is an error.
func (l *lexer) number(pos Pos) token {
	start := l.off
	if l.peekByte(0) == '-' {
		l.advance(1)
	}
	l.digits()
	if l.peekByte(0) == '.' {
		l.advance(1)
		l.digits()
	}
	if c := l.peekByte(0); c == 'e' || c == 'E' {
		i := 1
		if s := l.peekByte(1); s == '+' || s == '-' {
			i++
		}
		if isDigit(l.peekByte(i)) {
			l.advance(i)
			l.digits()
		}
	}
	if c := l.peekByte(0); isIdentChar(c) {
		end := l.off
		for end < len(l.src) && (isIdentChar(l.src[end]) || l.src[end] == '+' || l.src[end] == '-') {
			end++
		}
		return l.fail(pos, fmt.Sprintf("malformed number %q", l.src[start:end]))
	}
	return token{kind: tokNumber, text: string(l.src[start:l.off]), pos: pos}
}

func (l *lexer) digits() {
	for isDigit(l.peekByte(0)) {
		l.advance(1)
	}
}

// name scans %name or @name, where name is [A-Za-z_][A-Za-z0-9_.]* or a
// decimal number.
func (l *lexer) name(pos Pos) token {
	sigil := l.src[l.off]
	kind := tokValue
	if sigil == '@' {
		kind = tokFunc
	}
	l.advance(1)
	start := l.off
	switch c := l.peekByte(0); {
	case isIdentStart(c):
		for isIdentChar(l.peekByte(0)) {
			l.advance(1)
		}
	case isDigit(c):
		l.digits()
		if isIdentChar(l.peekByte(0)) {
			end := l.off
			for end < len(l.src) && isIdentChar(l.src[end]) {
				end++
			}
			return l.fail(pos, fmt.Sprintf("invalid name %q: a name is [A-Za-z_][A-Za-z0-9_.]* or a decimal number", string(sigil)+string(l.src[start:end])))
		}
	default:
		return l.fail(pos, fmt.Sprintf("expected a name after '%c'", sigil))
	}
	return token{kind: kind, text: string(l.src[start:l.off]), pos: pos}
}

// string scans a double-quoted string on one line, honouring backslash
// escapes; the parser unquotes it.
func (l *lexer) string(pos Pos) token {
	start := l.off
	l.advance(1)
	for {
		if l.off >= len(l.src) || l.src[l.off] == '\n' {
			return l.fail(pos, "unterminated string")
		}
		switch l.src[l.off] {
		case '"':
			l.advance(1)
			return token{kind: tokString, text: string(l.src[start:l.off]), pos: pos}
		case '\\':
			if l.off+1 < len(l.src) && l.src[l.off+1] != '\n' {
				l.advance(1) // skip the backslash here and the escaped byte below
			}
		}
		l.advance(1)
	}
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '.' }
