package ir

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// DefaultMaxElements is the element limit of a declared type when
// ParseOptions.MaxElements is not set.
const DefaultMaxElements int64 = 1 << 32

// maxDepth bounds the nesting of attribute lists and regions, so that
// hostile input cannot exhaust the stack.
const maxDepth = 64

// ParseOptions tunes the parser.
type ParseOptions struct {
	// MaxElements bounds the number of elements (and every dimension) of
	// each declared type; zero or less means DefaultMaxElements. A type
	// over the limit is an error, never an allocation.
	MaxElements int64
}

// A ParseError reports malformed IR text: a syntax error, an unknown name
// (op, dtype, role, value) or a redefinition. Parse stops at the first one.
type ParseError struct {
	Pos Pos
	Msg string
}

// Error returns "file:line:col: msg", without the file if it is unknown.
func (e *ParseError) Error() string { return e.Pos.String() + ": " + e.Msg }

// Parse parses a file in the IR text format (see DESIGN.md, "IR text
// format"). filename is used in positions only and may be empty. The
// result is well formed syntactically: names are unique and defined before
// their uses, ops exist and have the right number of results, and the
// returned values match the declared result types. Whether each statement
// obeys its op's type rules is left to Verify.
func Parse(filename string, src []byte) (*Module, error) {
	return ParseWith(filename, src, ParseOptions{})
}

// ParseWith is Parse with options.
func ParseWith(filename string, src []byte, opts ParseOptions) (*Module, error) {
	m, err := newParser(filename, src, opts).parseModule()
	if err != nil {
		return nil, err
	}
	return m, nil
}

// newParser returns a parser of src positioned on its first token.
func newParser(filename string, src []byte, opts ParseOptions) *parser {
	p := &parser{lex: newLexer(filename, src), maxElems: opts.MaxElements}
	if p.maxElems <= 0 {
		p.maxElems = DefaultMaxElements
	}
	p.next()
	return p
}

// ParseAndVerify parses src and verifies the module, reporting every
// independent error at once: a syntax error stops the parse and is
// returned alone (a *ParseError), as Parse does; otherwise the returns
// that do not match their declared results and everything the verifier
// finds are returned together, in the order of the text, as an
// ErrorList. The module is returned only when there is no error.
func ParseAndVerify(filename string, src []byte, opts ParseOptions) (*Module, error) {
	p := newParser(filename, src, opts)
	p.deferReturns = true
	m, err := p.parseModule()
	if err != nil {
		return nil, err
	}
	errs := p.deferred
	var list ErrorList
	if err := VerifyModule(m); errors.As(err, &list) {
		errs = append(errs, list...)
	} else if err != nil {
		return nil, err
	}
	if len(errs) == 0 {
		return m, nil
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return nil, errs
}

// ParseFunc parses src, which must hold exactly one function. It is meant
// for tests and small snippets.
func ParseFunc(src string) (*Func, error) {
	m, err := Parse("", []byte(src))
	if err != nil {
		return nil, err
	}
	if len(m.Funcs) != 1 {
		return nil, &ParseError{Pos: m.Funcs[1].Pos, Msg: fmt.Sprintf("expected exactly one func, found %d", len(m.Funcs))}
	}
	return m.Funcs[0], nil
}

// A parser is a recursive-descent parser over the lexer's tokens with one
// token of look-ahead.
type parser struct {
	// deferReturns makes a return that does not match the declared
	// results an error of deferred, not the end of parsing.
	deferReturns bool
	deferred     ErrorList
	lex          *lexer
	tok          token // the current token
	prev         token // the token before it, the last one consumed
	maxElems     int64
	depth        int // current nesting of lists and regions
}

// scope maps the names of the values visible in a function body to them.
type scope map[string]*Value

func (p *parser) next() {
	p.prev = p.tok
	p.tok = p.lex.next()
}

// commentsBefore takes the queued comments that come before pos.
func (p *parser) commentsBefore(pos Pos) []string {
	q := p.lex.comments
	n := 0
	for n < len(q) && (q[n].pos.Line < pos.Line || q[n].pos.Line == pos.Line && q[n].pos.Col < pos.Col) {
		n++
	}
	return p.takeComments(n)
}

// takeComments takes the first n queued comments.
func (p *parser) takeComments(n int) []string {
	if n == 0 {
		return nil
	}
	texts := make([]string, n)
	for i, c := range p.lex.comments[:n] {
		texts[i] = c.text
	}
	p.lex.comments = p.lex.comments[n:]
	return texts
}

// endComments attaches to c, at the end of the construct whose last
// token was just consumed, the comments inside the construct (they move
// before it) and the comment that follows it on its last line.
func (p *parser) endComments(c *Comments) {
	c.Before = append(c.Before, p.commentsBefore(p.prev.pos)...)
	if q := p.lex.comments; len(q) > 0 && q[0].pos.Line == p.prev.pos.Line {
		c.Line = p.takeComments(1)[0]
	}
}

func (p *parser) errorf(pos Pos, format string, args ...any) error {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// unexpected reports that the current token is not what the grammar wants
// here; want describes it ("':' after parameter name"). A lexical error
// reports itself instead.
func (p *parser) unexpected(want string) error {
	if p.tok.kind == tokError {
		return p.errorf(p.tok.pos, "%s", p.tok.text)
	}
	return p.errorf(p.tok.pos, "expected %s, found %s", want, p.tok)
}

// expect consumes a token of kind k or reports what it found instead;
// context completes the description of k ("after parameter name").
func (p *parser) expect(k tokKind, context string) (token, error) {
	if p.tok.kind != k {
		return token{}, p.unexpected(k.String() + " " + context)
	}
	t := p.tok
	p.next()
	return t, nil
}

// atKeyword reports whether the current token is the bare word kw.
func (p *parser) atKeyword(kw string) bool { return p.tok.kind == tokIdent && p.tok.text == kw }

// enter increments the nesting depth, failing beyond maxDepth; the caller
// calls p.leave when done.
func (p *parser) enter(pos Pos) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf(pos, "nesting deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// lineCol formats pos without its file, for "first defined at 3:3".
func lineCol(pos Pos) string { return fmt.Sprintf("%d:%d", pos.Line, pos.Col) }

// parseModule parses one or more functions up to the end of the input.
func (p *parser) parseModule() (*Module, error) {
	m := &Module{}
	seen := map[string]*Func{}
	for len(m.Funcs) == 0 || p.tok.kind != tokEOF {
		f, err := p.parseFunc()
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[f.Name]; dup {
			return nil, p.errorf(f.Pos, "function @%s redefined (first defined at %s)", f.Name, lineCol(prev.Pos))
		}
		seen[f.Name] = f
		m.Funcs = append(m.Funcs, f)
	}
	m.Trailing = p.takeComments(len(p.lex.comments))
	return m, nil
}

// parseFunc parses
//
//	func @name(%p: TYPE ROLE, ...) -> (TYPE, ...) { STMT... return %v, ... }
//
// in a scope of its own: a function sees only its parameters and values.
func (p *parser) parseFunc() (*Func, error) {
	if !p.atKeyword("func") {
		return nil, p.unexpected("'func'")
	}
	f := &Func{Pos: p.tok.pos}
	f.Comments.Before = p.commentsBefore(f.Pos)
	p.next()
	name, err := p.expect(tokFunc, "after 'func'")
	if err != nil {
		return nil, err
	}
	f.Name = name.text
	sc := scope{}
	if _, err := p.expect(tokLParen, "after function name"); err != nil {
		return nil, err
	}
	for p.tok.kind != tokRParen {
		if len(f.Params) > 0 {
			if _, err := p.expect(tokComma, "or ')' after parameter"); err != nil {
				return nil, err
			}
		}
		v, err := p.parseParam(sc, len(f.Params))
		if err != nil {
			return nil, err
		}
		f.Params = append(f.Params, v)
	}
	p.next()
	if _, err := p.expect(tokArrow, "after parameters"); err != nil {
		return nil, err
	}
	results, err := p.parseResultTypes()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tokLBrace, "before function body"); err != nil {
		return nil, err
	}
	p.endComments(&f.Comments)
	for !p.atKeyword("return") {
		if p.tok.kind != tokValue {
			return nil, p.unexpected("statement or 'return'")
		}
		in, err := p.parseStmt(sc)
		if err != nil {
			return nil, err
		}
		f.Body = append(f.Body, in)
	}
	if err := p.parseReturn(f, sc, results); err != nil {
		return nil, err
	}
	return f, nil
}

// parseParam parses "%name: TYPE ROLE" and defines the parameter.
func (p *parser) parseParam(sc scope, index int) (*Value, error) {
	name, err := p.expect(tokValue, "for a parameter")
	if err != nil {
		return nil, err
	}
	if err := p.checkNew(sc, name); err != nil {
		return nil, err
	}
	if _, err := p.expect(tokColon, "after parameter name"); err != nil {
		return nil, err
	}
	t, err := p.parseType()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokIdent {
		return nil, p.unexpected("role (data, param or state) after parameter type")
	}
	role, ok := ParseRole(p.tok.text)
	if !ok {
		return nil, p.errorf(p.tok.pos, "unknown role %s (want data, param or state)", p.tok)
	}
	p.next()
	v := &Value{Name: name.text, Type: t, Index: index, Role: role, Pos: name.pos}
	sc[v.Name] = v
	return v, nil
}

// checkNew reports a value name that is already defined in sc.
func (p *parser) checkNew(sc scope, name token) error {
	if prev, dup := sc[name.text]; dup {
		return p.errorf(name.pos, "value %%%s redefined (first defined at %s)", name.text, lineCol(prev.Pos))
	}
	return nil
}

// parseResultTypes parses "(TYPE, ...)", possibly empty.
func (p *parser) parseResultTypes() ([]Type, error) {
	if _, err := p.expect(tokLParen, "before result types"); err != nil {
		return nil, err
	}
	types := []Type{}
	for p.tok.kind != tokRParen {
		if len(types) > 0 {
			if _, err := p.expect(tokComma, "or ')' after result type"); err != nil {
				return nil, err
			}
		}
		t, err := p.parseType()
		if err != nil {
			return nil, err
		}
		types = append(types, t)
	}
	p.next()
	return types, nil
}

// parseReturn parses "return %a, ... }" and checks the values against the
// declared result types.
func (p *parser) parseReturn(f *Func, sc scope, types []Type) error {
	pos := p.tok.pos
	f.ReturnComments.Before = p.commentsBefore(pos)
	p.next()
	values, uses, err := p.parseUses(sc, "in return")
	if err != nil {
		return err
	}
	context := "after return"
	if len(values) > 0 {
		context = "or ',' after return value"
	}
	p.endComments(&f.ReturnComments)
	f.Trailing = p.commentsBefore(p.tok.pos)
	if _, err := p.expect(tokRBrace, context); err != nil {
		return err
	}
	f.Results = values
	if len(values) != len(types) {
		return p.returnError(pos, "return has %d values, but @%s declares %d results", len(values), f.Name, len(types))
	}
	for i, v := range values {
		if !v.Type.Equal(types[i]) {
			return p.returnError(uses[i].pos, "return value %s has type %s, but @%s declares result %d as %s", v, v.Type, f.Name, i, types[i])
		}
	}
	return nil
}

// returnError reports a return that does not match the declared results:
// an error that ends parsing, or one that ParseAndVerify reports with the
// verifier's.
func (p *parser) returnError(pos Pos, format string, args ...any) error {
	if !p.deferReturns {
		return p.errorf(pos, format, args...)
	}
	p.deferred = append(p.deferred, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	return nil
}

// parseUses parses a possibly empty list of value uses "%a, %b, ..." and
// resolves them in sc; context says where the list is ("in return").
func (p *parser) parseUses(sc scope, context string) ([]*Value, []token, error) {
	if p.tok.kind != tokValue {
		return nil, nil, nil
	}
	var values []*Value
	var uses []token
	for {
		t, err := p.expect(tokValue, "after ',' "+context)
		if err != nil {
			return nil, nil, err
		}
		v, err := p.lookup(sc, t)
		if err != nil {
			return nil, nil, err
		}
		values = append(values, v)
		uses = append(uses, t)
		if p.tok.kind != tokComma {
			return values, uses, nil
		}
		p.next()
	}
}

// lookup resolves a use of a value name.
func (p *parser) lookup(sc scope, t token) (*Value, error) {
	v, ok := sc[t.text]
	if !ok {
		return nil, p.errorf(t.pos, "undefined value %%%s", t.text)
	}
	return v, nil
}

// parseType parses "DTYPE[d0,d1,...]" and checks its element count.
func (p *parser) parseType() (Type, error) {
	if p.tok.kind != tokIdent {
		return Type{}, p.unexpected("type (such as f32[2,3])")
	}
	start := p.tok
	d, ok := ParseDType(start.text)
	if !ok {
		return Type{}, p.errorf(start.pos, "unknown dtype %s (want f32, f64, i64 or u64)", start)
	}
	p.next()
	if _, err := p.expect(tokLBrack, "after dtype"); err != nil {
		return Type{}, err
	}
	shape := Shape{}
	for p.tok.kind != tokRBrack {
		if len(shape) > 0 {
			if _, err := p.expect(tokComma, "or ']' in shape"); err != nil {
				return Type{}, err
			}
		}
		n, err := p.parseDim()
		if err != nil {
			return Type{}, err
		}
		shape = append(shape, n)
	}
	p.next()
	t := Type{DType: d, Shape: shape}
	n, ok := shape.NumElements()
	if !ok {
		return Type{}, p.errorf(start.pos, "type %s has too many elements (overflows int64)", t)
	}
	if n > p.maxElems {
		return Type{}, p.errorf(start.pos, "type %s has %d elements, more than the limit of %d", t, n, p.maxElems)
	}
	return t, nil
}

// parseDim parses one dimension: a non-negative decimal integer no larger
// than the element limit.
func (p *parser) parseDim() (int, error) {
	t := p.tok
	if t.kind != tokNumber {
		return 0, p.unexpected("dimension")
	}
	if strings.Trim(t.text, "0123456789") != "" {
		return 0, p.errorf(t.pos, "invalid dimension %s (want a non-negative integer)", t)
	}
	n, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil || n > math.MaxInt {
		return 0, p.errorf(t.pos, "dimension %s out of range", t.text)
	}
	if n > p.maxElems {
		return 0, p.errorf(t.pos, "dimension %d exceeds the limit of %d elements", n, p.maxElems)
	}
	p.next()
	return int(n), nil
}

// parseStmt parses
//
//	%r, ... = OP %a, ... {k=v, ...} region { FUNC... } : TYPE, ...
//
// where operands, attributes and region are optional, and defines the
// results in sc.
func (p *parser) parseStmt(sc scope) (*Instr, error) {
	in := &Instr{Pos: p.tok.pos}
	in.Comments.Before = p.commentsBefore(in.Pos)
	var names []token
	local := map[string]Pos{} // the names of this statement's results
	for {
		t, err := p.expect(tokValue, "for a result")
		if err != nil {
			return nil, err
		}
		if err := p.checkNew(sc, t); err != nil {
			return nil, err
		}
		if prev, dup := local[t.text]; dup {
			return nil, p.errorf(t.pos, "value %%%s redefined (first defined at %s)", t.text, lineCol(prev))
		}
		local[t.text] = t.pos
		names = append(names, t)
		if p.tok.kind != tokComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tokEqual, "or ',' after result name"); err != nil {
		return nil, err
	}
	if p.tok.kind != tokIdent {
		return nil, p.unexpected("op name after '='")
	}
	op, ok := LookupOp(p.tok.text)
	if !ok {
		return nil, p.errorf(p.tok.pos, "unknown op %s", p.tok)
	}
	in.Op = op
	info := op.Info()
	if info.Results > 0 && len(names) != info.Results {
		return nil, p.errorf(in.Pos, "%s defines %d results, but the statement names %d", op, info.Results, len(names))
	}
	p.next()
	args, _, err := p.parseUses(sc, "in operands")
	if err != nil {
		return nil, err
	}
	in.Args = args
	if p.tok.kind == tokLBrace {
		attrs, err := p.parseAttrs()
		if err != nil {
			return nil, err
		}
		in.Attrs = attrs
	}
	switch {
	case p.atKeyword("region") && !info.HasRegion:
		return nil, p.errorf(p.tok.pos, "%s takes no region", op)
	case p.atKeyword("region"):
		r, err := p.parseRegion()
		if err != nil {
			return nil, err
		}
		in.Region = r
	case info.HasRegion:
		return nil, p.unexpected(fmt.Sprintf("'region' (%s needs one)", op))
	}
	colon := p.tok.pos
	if _, err := p.expect(tokColon, "before result types"); err != nil {
		return nil, err
	}
	var types []Type
	for {
		t, err := p.parseType()
		if err != nil {
			return nil, err
		}
		types = append(types, t)
		if p.tok.kind != tokComma {
			break
		}
		p.next()
	}
	if len(types) != len(names) {
		return nil, p.errorf(colon, "%d results named but %d types declared", len(names), len(types))
	}
	for i, t := range types {
		v := &Value{Name: names[i].text, Type: t, Def: in, Index: i, Pos: names[i].pos}
		in.Results = append(in.Results, v)
		sc[v.Name] = v
	}
	p.endComments(&in.Comments)
	return in, nil
}

// parseRegion parses "region { FUNC... }". Each function has its own
// scope: the values of the enclosing function are not visible inside.
func (p *parser) parseRegion() (*Region, error) {
	pos := p.tok.pos
	p.next()
	if err := p.enter(pos); err != nil {
		return nil, err
	}
	defer p.leave()
	if _, err := p.expect(tokLBrace, "after 'region'"); err != nil {
		return nil, err
	}
	r := &Region{}
	seen := map[string]*Func{}
	for p.tok.kind != tokRBrace {
		if !p.atKeyword("func") {
			return nil, p.unexpected("'func' or '}' in region")
		}
		f, err := p.parseFunc()
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[f.Name]; dup {
			return nil, p.errorf(f.Pos, "function @%s redefined in region (first defined at %s)", f.Name, lineCol(prev.Pos))
		}
		seen[f.Name] = f
		r.Funcs = append(r.Funcs, f)
	}
	p.next()
	return r, nil
}
