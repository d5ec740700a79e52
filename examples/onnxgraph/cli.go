package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxgraph/onnxgraph"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The runner: every command is a line of the table in main.go, turned into
// a cobra command here. Its setup declares its flags and its action with
// one of cmd's action helpers (edit, produce, do); the runner does the
// rest the same way for every command: argument counts, reading models
// (a file, or "-" for standard input), inference when the command needs
// types, saving the model it writes (a file, or "-" for standard output,
// with the same output flags everywhere), printing its report (text, or
// JSON with --json), closing, and errors and exit codes (0 ok, 1 failure,
// 2 usage).

// command is a line of the command table.
type command struct {
	group   string // the help section that lists it
	name    string
	args    string // its arguments, as usage shows them: "IN OUT", "[MODEL]"
	summary string
	setup   func(c *cmd) // declares the flags and the action
}

// The help sections, in the order help shows them.
var groups = []*cobra.Group{
	{ID: "inspect", Title: "Inspect and run:"},
	{ID: "graph", Title: "Edit the graph:"},
	{ID: "names", Title: "Names, shapes, types and opsets:"},
	{ID: "files", Title: "Files and formats:"},
}

// globals are the flags every command takes.
type globals struct {
	quiet   bool
	verbose int
	json    bool
	ctx     context.Context // done on an interrupt: reads, saves and runs stop
}

// interrupted is the context commands run under: main makes it end on
// SIGINT or SIGTERM, so that a long save, load or run stops, leaving no
// partial output.
var interrupted = context.Background()

// cmd is one run of a command: its flags, its streams and what the runner
// does around its action.
type cmd struct {
	*command
	flags          *pflag.FlagSet
	stdin          io.Reader
	stdout, stderr io.Writer
	g              *globals

	minArgs, maxArgs int // maxArgs < 0: no limit
	action           func(args []string) (*report, error)
	checks           []func() error // flag checks, run before anything is read

	reads   bool                  // the command reads models: --data-dir
	dataDir string                // where a model read from "-" keeps its external data
	load    onnxgraph.LoadOptions // how models are read
	typed   func() bool           // when it is true, the command needs types: inference, --no-infer
	noInfer bool

	writes  bool // the command writes a model: the output flags
	out     saveFlags
	spill   bool // a model over 2 GiB saved with --external keep goes to external data (from-json)
	spilled bool // ... and did

	choices map[string][]string // the values of enumerated flags, for completion
	recheck *shapeRecheck       // the re-check after the edit, when the command has one

	argv       []string  // the positional arguments
	times      stepTimes // how long reading and saving models took
	stdinUsed  bool      // a model was read from standard input
	stdinSize  int64     // ... of this many bytes
	stdoutSize int64     // the bytes of the model written to standard output
	stdoutUsed bool      // data went to standard output: the report goes to standard error
	opened     []*onnxgraph.Model
	cleanups   []func()
}

// do sets the command's action: fn takes the positional arguments, between
// min and max of them (max < 0: no limit).
func (c *cmd) do(min, max int, fn func(args []string) (*report, error)) {
	c.minArgs, c.maxArgs, c.action = min, max, fn
}

// before adds a check of the flags, run before any model is read; a
// usageErr it returns exits with status 2.
func (c *cmd) before(check func() error) { c.checks = append(c.checks, check) }

// produce sets the action of a command that writes a model: OUT, its last
// argument, is the model fn makes from the min to max arguments before it
// (max < 0: no limit). When fn fails, its report (if any) is printed and
// nothing is saved; when the model's chain recorded a failure, only the
// failure is printed.
func (c *cmd) produce(min, max int, fn func(args []string) (*onnxgraph.Model, *report, error)) {
	c.writesModel()
	if max >= 0 {
		max++
	}
	c.do(min+1, max, func(args []string) (*report, error) {
		m, r, err := fn(args[:len(args)-1])
		switch {
		case err != nil:
			return r, err
		case m == nil:
			return nil, errors.New("no model to save")
		case m.Err() != nil:
			return nil, m.Err() // the chain's failure: nothing to report
		}
		if err := c.saveModel(m, args[len(args)-1]); err != nil {
			return nil, err
		}
		return r, nil
	})
}

// edit sets the action of a command that edits a model: IN OUT. The
// runner reads IN (inferring its types when the command needs them), fn
// edits it (a chain's failure is recorded in the model), and the runner
// saves it to OUT.
func (c *cmd) edit(fn func(m *onnxgraph.Model) (*report, error)) {
	c.readsModels()
	c.produce(1, 1, func(args []string) (*onnxgraph.Model, *report, error) {
		m, err := c.open(args[0])
		if err != nil {
			return nil, nil, err
		}
		r, err := fn(m)
		return m, r, err
	})
}

// needsTypes says that the command's edit needs the types of values the
// model does not declare, when cond (nil: always) is true: models are read
// with shape inference as their type source (onnxgraph's Model.Infer),
// unless --no-infer.
func (c *cmd) needsTypes(cond func() bool) {
	if cond == nil {
		cond = func() bool { return true }
	}
	c.typed = cond
	c.flags.BoolVar(&c.noInfer, "no-infer", false, "take only the types the model declares (by default shape inference gives the others)")
}

// choice declares a string flag whose value is one of values: the runner
// refuses another (a usage error), shells complete them.
func (c *cmd) choice(p *string, name, def, usage string, values ...string) {
	c.flags.StringVar(p, name, def, usage)
	c.complete(name, values...)
	c.before(func() error {
		if !slices.Contains(values, *p) {
			return usageErr("--%s is %s, not %q", name, orList(values), *p)
		}
		return nil
	})
}

// complete makes shells offer values for the flag name.
func (c *cmd) complete(name string, values ...string) {
	if c.choices == nil {
		c.choices = map[string][]string{}
	}
	c.choices[name] = values
}

// require says that the command needs every flag of names.
func (c *cmd) require(names ...string) {
	c.before(func() error {
		for _, n := range names {
			if !c.flags.Changed(n) {
				return usageErr("%s needs --%s", c.name, strings.Join(names, " and --"))
			}
		}
		return nil
	})
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// wantsTypes reports whether models are read with inference.
func (c *cmd) wantsTypes() bool { return c.typed != nil && !c.noInfer && c.typed() }

// warn prints a warning on standard error, unless --quiet.
func (c *cmd) warn(format string, args ...any) {
	if c.g.quiet {
		return
	}
	p := &printer{w: c.stderr}
	p.line("onnxgraph: warning: "+format, args...)
}

// verbose reports whether -v was given at least n times.
func (c *cmd) verbose(n int) bool { return c.g.verbose >= n }

// progress starts showing progress on standard error (a terminal only, and
// not with --quiet); total 0 means the work has no steps.
func (c *cmd) progress(label string, total int) *progress {
	if c.g.quiet {
		return &progress{}
	}
	return startProgress(c.stderr, label, total)
}

// byteProgress starts showing the bytes done of total (0: unknown), on a
// terminal only and not with --quiet.
func (c *cmd) byteProgress(label string, total int64) *progress {
	if c.g.quiet {
		return &progress{}
	}
	return startByteProgress(c.stderr, label, total)
}

// execute runs the command on its positional arguments.
func (c *cmd) execute(args []string) error {
	defer c.cleanup()
	if n := len(args); n < c.minArgs || (c.maxArgs >= 0 && n > c.maxArgs) {
		return usageErr("%s", c.argsMessage(n))
	}
	if c.g.quiet && c.g.json {
		return usageErr("--quiet and --json exclude each other")
	}
	if c.writes {
		if _, err := c.out.options(); err != nil {
			return err
		}
	}
	for _, check := range c.checks {
		if err := check(); err != nil {
			return err
		}
	}
	c.argv = args
	r, err := c.action(args)
	if r != nil && r.finish != nil && err == nil {
		r.finish()
	}
	if r != nil && !c.g.quiet {
		w := c.stdout
		if c.stdoutUsed {
			w = c.stderr
		}
		if perr := printReport(w, r, c.g.json); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

// argsMessage says what arguments the command wants, having got n.
func (c *cmd) argsMessage(n int) string {
	words := strings.Fields(c.args)
	var want string
	switch {
	case strings.Contains(c.args, "["):
		return fmt.Sprintf("%s takes %s, not %d arguments", c.name, c.args, n)
	case len(words) == 0:
		return fmt.Sprintf("%s takes no arguments, not %d", c.name, n)
	case len(words) == 1:
		want = "one " + words[0]
	default:
		want = strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
	}
	return fmt.Sprintf("%s needs %s, not %d arguments", c.name, want, n)
}

// cleanup closes the models the command read and undoes what it left.
func (c *cmd) cleanup() {
	for _, m := range c.opened {
		m.Close()
	}
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
}

// exitCode ends a command with its own exit status (diff's 1 for
// "different", 2 for an error), printing err when not nil.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string {
	if e.err == nil {
		return "exit status " + strconv.Itoa(e.code)
	}
	return e.err.Error()
}

// Unwrap returns the error printed.
func (e *exitCode) Unwrap() error { return e.err }

// usageError is an error in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usageErr returns a usage error.
func usageErr(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// usageFrom makes err, the library's refusal of a flag's value, a usage
// error: after prefix (when not empty), its message without the library's
// "onnxgraph: ", which the program's own line starts with.
func usageFrom(prefix string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "onnxgraph: ")
	if prefix != "" {
		msg = prefix + " " + msg
	}
	return usageErr("%s", msg)
}

// failure is an error with its causes, one per line under it.
type failure struct {
	what   string
	causes []string
}

func (f *failure) Error() string {
	return f.what + ":\n" + strings.Join(f.causes, "\n")
}

// failWith returns what failed with its causes, at most max of them (the
// rest counted), or nil without causes.
func failWith(what string, causes []string, max int) error {
	if len(causes) == 0 {
		return nil
	}
	if len(causes) > max {
		causes = append(causes[:max:max], fmt.Sprintf("... and %d more", len(causes)-max))
	}
	return &failure{what, causes}
}

// printError prints err on w: every line starts with "onnxgraph:", the
// first says what failed, each further line (a cause, a line of a
// multi-line message) is indented under it.
func printError(w io.Writer, err error) {
	msg := strings.TrimPrefix(err.Error(), "onnxgraph: ")
	lines := strings.Split(strings.TrimRight(msg, "\n"), "\n")
	for i, line := range lines {
		line = strings.TrimRight(strings.ReplaceAll(line, "\t", "  "), " \r")
		if i > 0 && strings.TrimSpace(line) == "" {
			continue
		}
		if !utf8Printable(line) {
			line = esc(line)
		}
		if i == 0 {
			fmt.Fprintf(w, "onnxgraph: %s\n", line)
		} else {
			fmt.Fprintf(w, "onnxgraph:   %s\n", line)
		}
	}
}

// utf8Printable reports whether s prints as it is (see esc).
func utf8Printable(s string) bool { return esc(s) == s }

// version describes the build: the module's version and commit, and Go's.
func version() string {
	v, commit, modified := "(devel)", "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if commit != "" {
		v += ", commit " + commit[:min(12, len(commit))]
		if modified {
			v += " (modified)"
		}
	}
	return v + ", " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// newRoot builds the onnxgraph command with every command of the table.
func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{ctx: interrupted}
	root := &cobra.Command{
		Use:   "onnxgraph",
		Short: "edit and inspect ONNX models",
		Long: "onnxgraph edits and inspects ONNX models: the simple-onnx-processing-tools family as\n" +
			"subcommands of one program, on the onnxgraph library. A model argument may be - for\n" +
			"standard input or output, so commands chain in pipes:\n\n" +
			"  onnxgraph copy m.onnx - | onnxgraph rename - - --add-prefix det/ | onnxgraph summary -",
		Version:           version(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
		Args: func(cc *cobra.Command, args []string) error {
			if len(args) > 0 {
				msg := fmt.Sprintf("unknown command %q", args[0])
				if s := cc.SuggestionsFor(args[0]); len(s) > 0 {
					msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
				}
				return usageErr("%s", msg)
			}
			return nil
		},
		RunE: func(cc *cobra.Command, args []string) error {
			cc.SetOut(stderr)
			cc.Usage()
			return usageErr("no command given")
		},
	}
	// Usage says COMMAND for the root; commands keep cobra's form.
	tmpl := strings.Replace(root.UsageTemplate(), `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}`, `Usage:{{if .HasParent}}
  {{.UseLine}}{{else}}
  onnxgraph COMMAND [flags] [args]{{end}}`, 1)
	tmpl = strings.Replace(tmpl, `Use "{{.CommandPath}} [command] --help" for more information about a command.`,
		`Run "onnxgraph COMMAND --help" for a command's flags, "onnxgraph completion --help" for shell completion.`, 1)
	root.SetUsageTemplate(tmpl)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("onnxgraph {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	pf := root.PersistentFlags()
	pf.BoolVarP(&g.quiet, "quiet", "n", false, "print nothing but errors: no report, no warning, no progress")
	pf.CountVarP(&g.verbose, "verbose", "v", "more detail: every renamed name, every converted node, ONNX Runtime's info log (-vv: its verbose log)")
	pf.BoolVar(&g.json, "json", false, "print the report as JSON")
	root.AddGroup(groups...)
	for i := range commands {
		root.AddCommand(newCommand(&commands[i], g, stdin, stdout, stderr))
	}
	return root
}

// newCommand builds the cobra command of a table line.
func newCommand(line *command, g *globals, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	cc := &cobra.Command{
		Use:     strings.TrimSpace(line.name + " " + line.args),
		Short:   line.summary,
		GroupID: line.group,
		Args:    cobra.ArbitraryArgs,
	}
	c := &cmd{command: line, flags: cc.Flags(), stdin: stdin, stdout: stdout, stderr: stderr, g: g, maxArgs: -1}
	line.setup(c)
	if c.action == nil {
		panic("onnxgraph: command " + line.name + " sets no action")
	}
	cc.RunE = func(_ *cobra.Command, args []string) error { return c.execute(args) }
	long := line.summary
	switch {
	case c.reads && c.writes:
		long += "\n\nA model argument may be - for standard input or standard output."
	case c.reads:
		long += "\n\nA model argument may be - for standard input."
	case c.writes:
		long += "\n\nOUT may be - for standard output."
	}
	cc.Long = long
	cc.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"onnx", "json", "npy", "tflite"}, cobra.ShellCompDirectiveFilterFileExt
	}
	for name, values := range c.choices {
		cc.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	return cc
}

// run is main without the process, reading standard input from os.Stdin.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, os.Stdin, stdout, stderr)
}

// runWith runs the command line args and returns the exit status: 0 ok, 1
// failure, 2 usage.
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	root := newRoot(stdin, stdout, stderr)
	if len(args) == 0 {
		// As cobra would add them on Execute, so that usage shows them.
		root.InitDefaultHelpFlag()
		root.InitDefaultVersionFlag()
		root.InitDefaultHelpCmd()
		root.InitDefaultCompletionCmd()
		root.SetOut(stderr)
		root.Usage()
		return 2
	}
	root.SetArgs(args)
	var ran *cobra.Command
	defer func() {
		if p := recover(); p != nil {
			printError(stderr, fmt.Errorf("internal error (a bug: please report it): %v\n%s", p, debug.Stack()))
			code = 1
		}
	}()
	ran, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var ec *exitCode
	if errors.As(err, &ec) {
		if ec.err != nil {
			printError(stderr, ec.err)
		}
		return ec.code
	}
	printError(stderr, err)
	var ue *usageError
	if errors.As(err, &ue) {
		if ran != nil && ran != root {
			fmt.Fprintf(stderr, "onnxgraph: usage: %s (see %s --help)\n", ran.UseLine(), ran.CommandPath())
		} else {
			fmt.Fprintln(stderr, "onnxgraph: usage: onnxgraph COMMAND [flags] [args] (see onnxgraph help)")
		}
		return 2
	}
	return 1
}
