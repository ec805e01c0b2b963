package irview

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A minimal client of the Chrome DevTools protocol over
// --remote-debugging-pipe: Chromium reads commands from its file
// descriptor 3 and writes responses and events to 4, each a JSON message
// ended by a NUL byte. No websocket, no dependency.

// chromiumFlags start Chromium headless, alone: no sandbox (CI runs as
// root in a container), no GPU, and nothing that reaches the network.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
}

// findChromium returns the Chromium binary: $PUSHFORWARD_CHROMIUM, else the first
// of Debian's and others' names on $PATH, else "".
func findChromium() string {
	if p := os.Getenv("PUSHFORWARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// A cdpMessage is a response (ID set) or an event (Method set).
type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// A browser is a running Chromium and one page of it.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	send    *os.File
	msgs    chan cdpMessage
	stderr  *bytes.Buffer
	nextID  int
	session string

	mu     sync.Mutex
	events []cdpMessage // every event received, in order
}

// startBrowser starts Chromium with a fresh profile and attaches to a
// new page, or skips the test if there is no Chromium.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	bin := findChromium()
	if bin == "" && os.Getenv("PUSHFORWARD_REQUIRE_CHROMIUM") != "" {
		t.Fatal("no Chromium found, and PUSHFORWARD_REQUIRE_CHROMIUM is set (as CI sets it)")
	}
	if bin == "" {
		t.Skip("no Chromium found: install Debian's chromium (apt-get install chromium) or set PUSHFORWARD_CHROMIUM to the browser's path to run the browser test")
	}
	toChrome, send, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	recv, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, send: send, msgs: make(chan cdpMessage, 64), stderr: &bytes.Buffer{}}
	args := append(chromiumFlags[:len(chromiumFlags):len(chromiumFlags)], "--user-data-dir="+filepath.Join(t.TempDir(), "profile"), "about:blank")
	b.cmd = exec.Command(bin, args...)
	b.cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // its fds 3 and 4
	b.cmd.Stderr = b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	toChrome.Close()
	fromChrome.Close()
	go b.read(recv)
	t.Cleanup(b.close)

	var target struct {
		TargetID string `json:"targetId"`
	}
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.call(b.session, "Page.enable", nil, nil)
	b.call(b.session, "Network.enable", nil, nil)
	return b
}

// read passes the messages Chromium writes to b.msgs, until the pipe
// closes.
func (b *browser) read(r *os.File) {
	defer close(b.msgs)
	br := bufio.NewReader(r)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) == nil {
			b.msgs <- m
		}
	}
}

// call sends a command (to the page's session, or to the browser if
// session is "") and decodes its result into result; it fails the test
// on an error or after 30 seconds without a response.
func (b *browser) call(session, method string, params, result any) {
	b.t.Helper()
	b.nextID++
	id := b.nextID
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.send.Write(append(data, 0)); err != nil {
		b.t.Fatalf("%s: %v\n%s", method, err, b.stderr)
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-b.msgs:
			if !ok {
				b.t.Fatalf("%s: Chromium exited\n%s", method, b.stderr)
			}
			if m.ID == 0 {
				b.mu.Lock()
				b.events = append(b.events, m)
				b.mu.Unlock()
				continue
			}
			if m.ID != id {
				continue
			}
			if m.Error != nil {
				b.t.Fatalf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
			}
			if result != nil {
				if err := json.Unmarshal(m.Result, result); err != nil {
					b.t.Fatalf("%s: %v", method, err)
				}
			}
			return
		case <-timeout:
			b.t.Fatalf("%s: no response in 30 s\n%s", method, b.stderr)
		}
	}
}

// waitEvent waits up to 30 seconds for an event of the page named method
// and returns its parameters.
func (b *browser) waitEvent(method string) json.RawMessage {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for seen := 0; ; {
		b.mu.Lock()
		for ; seen < len(b.events); seen++ {
			if e := b.events[seen]; e.Method == method && e.SessionID == b.session {
				b.mu.Unlock()
				return e.Params
			}
		}
		b.mu.Unlock()
		if time.Now().After(deadline) {
			b.t.Fatalf("no %s in 30 s\n%s", method, b.stderr)
		}
		// A harmless command, to receive the events that come meanwhile.
		b.call(b.session, "Runtime.evaluate", map[string]any{"expression": "0"}, nil)
		time.Sleep(20 * time.Millisecond)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its
// value (returned by value) into result.
func (b *browser) eval(expr string, result any) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.Exception != nil {
		b.t.Fatalf("evaluating %s: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if result != nil {
		if err := json.Unmarshal(r.Result.Value, result); err != nil {
			b.t.Fatalf("evaluating %s: %v (value %s)", expr, err, r.Result.Value)
		}
	}
}

// mouse moves the mouse to the centre of the element selector picks
// (scrolled into view) and, if click, clicks it, as a person would: the
// browser dispatches the events from the position.
func (b *browser) mouse(selector string, click bool) {
	b.t.Helper()
	var at struct{ X, Y float64 }
	b.eval(fmt.Sprintf(`(function () {
		var e = document.querySelector(%q);
		if (!e) { throw new Error("no element " + %q); }
		e.scrollIntoView({block: "center", inline: "center"});
		var r = e.getBoundingClientRect();
		return {X: r.left + r.width / 2, Y: r.top + r.height / 2};
	})()`, selector, selector), &at)
	b.call(b.session, "Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": at.X, "y": at.Y}, nil)
	if !click {
		return
	}
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		b.call(b.session, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": at.X, "y": at.Y, "button": "left", "clickCount": 1}, nil)
	}
}

// requests returns the URLs the page requested.
func (b *browser) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var urls []string
	for _, e := range b.events {
		if e.Method != "Network.requestWillBeSent" {
			continue
		}
		var p struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(e.Params, &p) == nil {
			urls = append(urls, p.Request.URL)
		}
	}
	return urls
}

// close asks Chromium to quit, and kills it if it has not within 10
// seconds.
func (b *browser) close() {
	data, _ := json.Marshal(map[string]any{"id": 1 << 30, "method": "Browser.close"})
	b.send.Write(append(data, 0))
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-done
	}
	b.send.Close()
}
