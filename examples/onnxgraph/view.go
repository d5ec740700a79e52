package main

import (
	"context"
	"os"
	"os/signal"
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
	c.do(1, 1, func(args []string) (*report, error) {
		if args[0] == stdio {
			return nil, usageErr("view needs a model file (undo reads it again), not standard input")
		}
		s, err := view.Start(args[0], &view.Options{Addr: *addr})
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
		p.line("onnxgraph view: %s at %s", args[0], s.URL())
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
