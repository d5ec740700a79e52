// Command onnxgraph edits and inspects ONNX models from the shell: the
// simple-onnx-processing-tools family as subcommands of one program, on the
// onnxgraph library.
//
// Usage:
//
//	onnxgraph COMMAND [flags] [args]
//
// Run `onnxgraph help` for the list of commands and `onnxgraph COMMAND -h`
// for one command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // arguments after the flags, e.g. "IN OUT"
	flags   func(fs *flag.FlagSet) func(args []string, out, errOut io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func init() { register(toTFLiteCommand()) }

func init() { register(simplifyCommand()) }

// errUsage marks an error whose message is followed by the command's usage.
var errUsage = errors.New("usage")

// exitCode lets a command pick its exit status (check uses 1 for "invalid").
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string { return e.err.Error() }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: tests call it.
func run(args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		help(out)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(errOut, "onnxgraph: unknown command %q\n\n", args[0])
		help(errOut)
		return 2
	}
	fs := flag.NewFlagSet("onnxgraph "+c.name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "usage: onnxgraph %s [flags] %s\n\n%s\n\n", c.name, c.usage, c.summary)
		fs.PrintDefaults()
	}
	do := c.flags(fs)
	if err := fs.Parse(interleaved(fs, args[1:])); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := do(fs.Args(), out, errOut); err != nil {
		var ec *exitCode
		if errors.As(err, &ec) {
			if ec.err != nil {
				fmt.Fprintln(errOut, ec.err)
			}
			return ec.code
		}
		fmt.Fprintln(errOut, err)
		if errors.Is(err, errUsage) {
			fs.Usage()
			return 2
		}
		return 1
	}
	return 0
}

// interleaved moves flags after positional arguments to the front, so that
// "copy in.onnx out.onnx --external inline" works as users expect.
func interleaved(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil {
				if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
					continue
				}
				if i+1 < len(args) {
					flags = append(flags, args[i+1])
					i++
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func help(w io.Writer) {
	fmt.Fprintln(w, "onnxgraph: edit and inspect ONNX models")
	fmt.Fprintln(w, "\nusage: onnxgraph COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'onnxgraph COMMAND -h' for a command's flags.")
}

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}
