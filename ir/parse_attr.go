package ir

import (
	"math"
	"strconv"
	"strings"
)

// parseAttrs parses "{k=v, ...}". Keys must be distinct; an empty pair of
// braces gives nil attributes, as no braces do.
func (p *parser) parseAttrs() (Attrs, error) {
	p.next() // '{'
	attrs := Attrs{}
	keys := map[string]Pos{}
	for p.tok.kind != tokRBrace {
		if len(keys) > 0 {
			if _, err := p.expect(tokComma, "or '}' after attribute"); err != nil {
				return nil, err
			}
		}
		if p.tok.kind != tokIdent {
			return nil, p.unexpected("attribute name")
		}
		key := p.tok
		if prev, dup := keys[key.text]; dup {
			return nil, p.errorf(key.pos, "duplicate attribute %s (first at %s)", key.text, lineCol(prev))
		}
		keys[key.text] = key.pos
		p.next()
		if _, err := p.expect(tokEqual, "after attribute name"); err != nil {
			return nil, err
		}
		v, err := p.parseAttrValue()
		if err != nil {
			return nil, err
		}
		attrs[key.text] = v
	}
	p.next()
	if len(attrs) == 0 {
		return nil, nil
	}
	return attrs, nil
}

// parseAttrValue parses one attribute value: a number, inf, -inf, nan, a
// quoted string, true, false, a dtype or a list "[v, ...]".
func (p *parser) parseAttrValue() (Attr, error) {
	t := p.tok
	switch t.kind {
	case tokNumber:
		p.next()
		return p.number(t)
	case tokMinus:
		p.next()
		if !p.atKeyword("inf") {
			return nil, p.unexpected("number or 'inf' after '-'")
		}
		p.next()
		return Float(math.Inf(-1)), nil
	case tokString:
		s, err := strconv.Unquote(t.text)
		if err != nil {
			return nil, p.errorf(t.pos, "invalid string literal %s: %v", t, err)
		}
		p.next()
		return String(s), nil
	case tokLBrack:
		return p.parseList()
	case tokIdent:
		if v, ok := wordAttr(t.text); ok {
			p.next()
			return v, nil
		}
	}
	return nil, p.unexpected("attribute value (number, string, true, false, dtype or list)")
}

// wordAttr returns the attribute a bare word stands for.
func wordAttr(w string) (Attr, bool) {
	switch w {
	case "true":
		return Bool(true), true
	case "false":
		return Bool(false), true
	case "inf":
		return Float(math.Inf(1)), true
	case "nan":
		return Float(math.NaN()), true
	}
	if d, ok := ParseDType(w); ok {
		return d, true
	}
	return nil, false
}

// parseList parses "[v, ...]", possibly empty or nested.
func (p *parser) parseList() (Attr, error) {
	if err := p.enter(p.tok.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	p.next() // '['
	l := List{}
	for p.tok.kind != tokRBrack {
		if len(l) > 0 {
			if _, err := p.expect(tokComma, "or ']' in list"); err != nil {
				return nil, err
			}
		}
		v, err := p.parseAttrValue()
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	p.next()
	return l, nil
}

// number converts a number token: one without '.', 'e' or 'E' is an
// integer, any other a Float. Integers take an Int, or a Uint from 2⁶³ to
// 2⁶⁴−1 (u64 values); floats must be finite in float64.
func (p *parser) number(t token) (Attr, error) {
	if strings.ContainsAny(t.text, ".eE") {
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errorf(t.pos, "float %s out of range", t.text)
		}
		return Float(f), nil
	}
	if i, err := strconv.ParseInt(t.text, 10, 64); err == nil {
		return Int(i), nil
	}
	u, err := strconv.ParseUint(t.text, 10, 64)
	if err != nil {
		return nil, p.errorf(t.pos, "integer %s out of range [-2⁶³, 2⁶⁴)", t.text)
	}
	return Uint(u), nil
}
