//go:build !amd64

package main

const haveFMA = false

const flopsPerIter = 1

func fmaLoop32(int) { panic("no FMA loop on this architecture") }
