package main

// The closed forms and derivative rules that methods register with the
// passes, so that pf transforms and runs their declarative ops: the
// nearest-ETF node's Procrustes closed form and polar-factor rule
// (testdata/etf/nearest_etf.pf).
import _ "github.com/pushforward/pushforward/methods/etf"
