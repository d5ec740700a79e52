package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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

func init() {
	register(&command{
		name:    "view",
		summary: "see and edit a model in the browser: groups of exporter names, shapes on edges, edits recorded as a script",
		usage:   "MODEL",
		flags: func(fs *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			addr := fs.String("addr", "127.0.0.1:0", "where to listen (HOST:PORT); a host other than 127.0.0.1, ::1 or localhost serves beyond this machine")
			noBrowser := fs.Bool("no-browser", false, "print the address without opening a browser")
			return func(args []string, out, errOut io.Writer) error {
				if len(args) != 1 {
					return usageErr("view needs MODEL")
				}
				s, err := view.Start(args[0], &view.Options{Addr: *addr})
				if err != nil {
					return err
				}
				defer s.Close()
				if !s.Loopback() {
					fmt.Fprintln(errOut, "warning: serving beyond this machine: anyone who can reach it and has the address (with its token) can edit the model")
				}
				if st := s.Session.Status(); st.Error != "" {
					fmt.Fprintf(errOut, "warning: the model failed to load; the page shows why: %s\n", st.Error)
				}
				fmt.Fprintf(out, "onnxgraph view: %s at %s\n(Ctrl+C to stop)\n", args[0], s.URL())
				if !*noBrowser {
					if err := view.OpenBrowser(s.URL()); err != nil {
						fmt.Fprintf(errOut, "could not open a browser (%v): open the address above\n", err)
					}
				}
				viewWait(s)
				return nil
			}
		},
	})
}
