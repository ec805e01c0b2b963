package ir

// Comments are the `//` comments of the text format attached to a
// function, an instruction or a function's return, as gofmt attaches them
// to Go declarations: Before holds the comment lines that precede it, Line
// the comment that ends its (last) line. Each is the comment's text from
// "//" to the end of its line.
//
// The parser attaches a comment on a line of its own to the construct that
// follows it (a function, a statement or a return; comments inside a
// construct move before it), and a comment after code to the construct
// whose last token precedes it on its line. Comments after a function's
// return are its Trailing comments; those after the last function, the
// module's. The printer writes them back in place, so that `pf fmt`
// keeps them and print ∘ parse ∘ print = print holds with comments too.
//
// Comments belong to source text: transformations do not carry them
// (Clone does not copy them), and functions built in Go have none.
type Comments struct {
	Before []string
	Line   string
}
