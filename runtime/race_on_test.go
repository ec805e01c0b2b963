//go:build race

package runtime

// raceEnabled is set when the race detector runs, which makes the largest
// tests smaller.
const raceEnabled = true
