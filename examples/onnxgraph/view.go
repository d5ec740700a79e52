package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/onnxgraph/onnxgraph/examples/internal/view"
)

// viewWait blocks while the viewer serves: until an interrupt. Tests
// replace it.
var viewWait = func(s *view.Server) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}

// viewCmd serves a model to the browser, to see and edit it.
func viewCmd(c *cmd) {
	addr := c.flags.String("addr", "127.0.0.1:0", "where to listen, HOST:PORT; a host other than 127.0.0.1, ::1 or localhost serves beyond this machine")
	noBrowser := c.flags.Bool("no-browser", false, "print the address without opening a browser")
	c.readsModels()
	c.do(1, 1, func(args []string) (*report, error) {
		path, opts := args[0], &view.Options{Addr: *addr}
		if path == stdio {
			// Undo and diff read the opened file again: keep standard
			// input in a temporary file for as long as the page is served.
			// Saves go to the current folder, external data comes from
			// --data-dir.
			text, err := c.readStdin()
			if err != nil {
				return nil, err
			}
			tmp, err := os.MkdirTemp("", "onnxgraph-view-")
			if err != nil {
				return nil, err
			}
			defer os.RemoveAll(tmp)
			path = filepath.Join(tmp, "stdin.onnx")
			if err := os.WriteFile(path, text, 0o600); err != nil {
				return nil, err
			}
			cwd, err := os.Getwd()
			if err != nil {
				return nil, err
			}
			opts.Session = &view.SessionOptions{Label: "standard input", Dir: cwd, DataDir: c.dataDir}
		}
		s, err := view.Start(path, opts)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		if !s.Loopback() {
			c.warn("serving beyond this machine: anyone who can reach it and has the address (with its token) can edit the model")
		}
		if st := s.Session.Status(); st.Error != "" {
			c.warn("the model failed to load; the page shows why: %s", st.Error)
		}
		p := &printer{w: c.stdout}
		p.line("onnxgraph view: %s at %s", label(args[0]), s.URL())
		p.line("(Ctrl+C to stop)")
		if !*noBrowser {
			if err := view.OpenBrowser(s.URL()); err != nil {
				c.warn("could not open a browser (%v): open the address above", err)
			}
		}
		viewWait(s)
		return nil, nil
	})
}
