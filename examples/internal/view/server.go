package view

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// TokenHeader is the request header that carries the session token; GET
// requests may carry it as the query parameter "token" instead.
const TokenHeader = "X-Onnxgraph-Token"

// Options configures Start.
type Options struct {
	// Addr is where to listen; "" means 127.0.0.1 on a free port. A host
	// other than a loopback address listens beyond this machine: only
	// when the user asks for it.
	Addr string
	// Token is the per-run secret every request must carry; "" makes a
	// random one.
	Token string
	// Session says how to show and read the model (nil: as the file is).
	Session *SessionOptions
}

// Server serves one Session to the browser.
type Server struct {
	Session  *Session
	token    string
	ln       net.Listener
	srv      *http.Server
	loopback bool
}

// Start opens the model at path and serves the page on opts.Addr. A model
// that fails to load is served too: the page shows the error.
func Start(path string, opts *Options) (*Server, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		o.Token = hex.EncodeToString(b)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	s := &Server{Session: OpenSessionWith(path, o.Session), token: o.Token, ln: ln}
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		s.loopback = a.IP.IsLoopback()
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Loopback reports whether the server listens on a loopback address only.
func (s *Server) Loopback() bool { return s.loopback }

// URL returns the page's address, token included.
func (s *Server) URL() string {
	return "http://" + s.ln.Addr().String() + "/?token=" + s.token
}

// Base returns the server's address without the token.
func (s *Server) Base() string { return "http://" + s.ln.Addr().String() }

// Token returns the per-run token.
func (s *Server) Token() string { return s.token }

// Close stops the server and releases the model.
func (s *Server) Close() error {
	err := s.srv.Close()
	s.Session.Close()
	return err
}

// Handler returns the server's routes, each behind the token check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServer(http.FS(static))))
	mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, r *http.Request) { reply(w, s.Session.Status(), nil) })
	mux.HandleFunc("POST /api/level", func(w http.ResponseWriter, r *http.Request) {
		var req levelRequest
		if !decode(w, r, &req) {
			return
		}
		lv, err := s.Session.Level(req)
		reply(w, lv, err)
	})
	mux.HandleFunc("GET /api/details", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.Session.Details(r.URL.Query().Get("key"))
		reply(w, d, err)
	})
	mux.HandleFunc("GET /api/search", func(w http.ResponseWriter, r *http.Request) {
		hits, more, err := s.Session.Search(r.URL.Query().Get("q"), r.URL.Query().Get("op"))
		reply(w, map[string]any{"hits": hits, "more": more}, err)
	})
	mux.HandleFunc("POST /api/edit", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Version int             `json:"version"`
			Step    json.RawMessage `json:"step"`
		}
		if !decode(w, r, &req) {
			return
		}
		res, err := s.Session.Edit(req.Version, req.Step)
		reply(w, res, err)
	})
	mux.HandleFunc("POST /api/undo", func(w http.ResponseWriter, r *http.Request) { reply(w, s.Session.Status(), s.Session.Undo()) })
	mux.HandleFunc("POST /api/redo", func(w http.ResponseWriter, r *http.Request) { reply(w, s.Session.Status(), s.Session.Redo()) })
	mux.HandleFunc("POST /api/save", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Path      string `json:"path"`
			Overwrite bool   `json:"overwrite"`
			Script    bool   `json:"script"`
		}
		if !decode(w, r, &req) {
			return
		}
		var p string
		var err error
		if req.Script {
			p, err = s.Session.SaveScript(req.Path)
		} else {
			p, err = s.Session.Save(req.Path, req.Overwrite)
		}
		reply(w, map[string]string{"path": p}, err)
	})
	mux.HandleFunc("GET /api/script", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(s.Session.Script().JSON())
	})
	mux.HandleFunc("GET /api/diff", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.Session.Diff()
		if err != nil {
			reply(w, nil, err)
			return
		}
		reply(w, map[string]any{"text": d.String(), "equal": d.Equal(), "diff": d}, nil)
	})
	mux.HandleFunc("GET /api/events", s.events)
	return s.guard(mux)
}

// guard refuses requests without the token, and, on a loopback address,
// requests whose Host is not this machine (DNS rebinding).
func (s *Server) guard(next http.Handler) http.Handler {
	want := []byte(s.token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
		if s.loopback && !loopbackHost(r.Host) {
			http.Error(w, "view: requests must name this machine as their host", http.StatusForbidden)
			return
		}
		got := r.Header.Get(TokenHeader)
		if got == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			got = r.URL.Query().Get("token")
		}
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			http.Error(w, "view: missing or wrong token: open the address onnxgraph view printed", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("assets/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	t := html.EscapeString(s.token)
	page := strings.ReplaceAll(string(b), "{{token}}", t)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, page)
}

// events streams the session's version to the page (server-sent events)
// so that every tab follows every change.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "view: streaming unsupported", http.StatusInternalServerError)
		return
	}
	c, stop := s.Session.watch()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, "data: %d\n\n", s.Session.Status().Version)
	fl.Flush()
	tick := time.NewTicker(20 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case v := <-c:
			fmt.Fprintf(w, "data: %d\n\n", v)
			fl.Flush()
		case <-tick.C:
			io.WriteString(w, ": keep-alive\n\n")
			fl.Flush()
		}
	}
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		reply(w, nil, fmt.Errorf("view: bad request: %w", err))
		return false
	}
	return true
}

// reply writes v as JSON, or the error as {"error": ..., and where}.
func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		body := map[string]any{"error": err.Error()}
		code := http.StatusUnprocessableEntity
		var ee *EditError
		if errors.As(err, &ee) {
			body["culprit"], body["key"], body["ancestors"] = ee.Culprit, ee.Key, ee.Ancestors
		}
		if errors.Is(err, ErrConflict) {
			code = http.StatusConflict
		}
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(body)
		return
	}
	json.NewEncoder(w).Encode(v)
}

// OpenBrowser asks the desktop to open url; it does not wait.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
