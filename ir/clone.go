package ir

// Clone returns a deep copy of f: new Values, Instrs, attributes and
// regions, with the same names, types and positions. Source comments are
// not copied: a copy is made to be transformed, and its text is new.
func (f *Func) Clone() *Func {
	m := map[*Value]*Value{}
	return cloneFunc(f, m)
}

func cloneFunc(f *Func, m map[*Value]*Value) *Func {
	g := &Func{Name: f.Name, Pos: f.Pos}
	for _, p := range f.Params {
		q := *p
		q.Type = p.Type.WithShape(p.Type.Shape)
		g.Params = append(g.Params, &q)
		m[p] = &q
	}
	for _, in := range f.Body {
		g.Body = append(g.Body, cloneInstr(in, m))
	}
	for _, r := range f.Results {
		g.Results = append(g.Results, mapValue(m, r))
	}
	if f.Marks != nil {
		g.Marks = make(map[string]*Value, len(f.Marks))
		for k, v := range f.Marks {
			g.Marks[k] = mapValue(m, v)
		}
	}
	return g
}

func cloneInstr(in *Instr, m map[*Value]*Value) *Instr {
	c := &Instr{Op: in.Op, Attrs: in.Attrs.Clone(), Pos: in.Pos}
	for _, a := range in.Args {
		c.Args = append(c.Args, mapValue(m, a))
	}
	for _, r := range in.Results {
		q := *r
		q.Def = c
		q.Type = r.Type.WithShape(r.Type.Shape)
		c.Results = append(c.Results, &q)
		m[r] = &q
	}
	if in.Region != nil {
		c.Region = &Region{}
		for _, rf := range in.Region.Funcs {
			c.Region.Funcs = append(c.Region.Funcs, cloneFunc(rf, map[*Value]*Value{}))
		}
	}
	return c
}

// mapValue returns the copy of v, or v itself if it was not copied (a
// malformed function using an outside value keeps pointing at it, so the
// verifier still reports it).
func mapValue(m map[*Value]*Value, v *Value) *Value {
	if c, ok := m[v]; ok {
		return c
	}
	return v
}

// Clone returns a deep copy of the region's functions.
func (r *Region) Clone() *Region {
	c := &Region{}
	for _, f := range r.Funcs {
		c.Funcs = append(c.Funcs, f.Clone())
	}
	return c
}
