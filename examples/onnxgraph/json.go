package main

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/onnxgraph/onnxgraph"
)

// toJSONCmd writes a model as JSON (onnx2json).
func toJSONCmd(c *cmd) {
	var weights string
	c.choice(&weights, "weights", "inline", "inline (all in the JSON, as onnx2json does) or external (tensors of at least --threshold bytes as .npy files in DIR, default OUT's name with _weights)", "inline", "external")
	threshold := c.flags.Int64("threshold", 1024, "with --weights external, the size in bytes from which a tensor goes to a .npy file")
	c.readsModels()
	c.do(2, 3, func(args []string) (*report, error) {
		opts := &onnxgraph.JSONOptions{Threshold: *threshold}
		out := args[1]
		switch weights {
		case "inline":
			if len(args) == 3 {
				return nil, usageErr("DIR is for --weights external")
			}
		default: // external
			if out == stdio {
				return nil, usageErr("--weights external writes .npy files beside OUT.json: give it a file name")
			}
			dir := strings.TrimSuffix(out, filepath.Ext(out)) + "_weights"
			if len(args) == 3 {
				dir = args[2]
			}
			absOut, err1 := filepath.Abs(filepath.Dir(out))
			absDir, err2 := filepath.Abs(dir)
			if err1 != nil || err2 != nil {
				return nil, errors.Join(err1, err2)
			}
			rel, err := filepath.Rel(absOut, absDir)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return nil, usageErr("DIR %s must be inside the folder of %s, where the JSON refers to it from", dir, out)
			}
			opts.ExternalDir = rel
		}
		m, err := c.open(args[0])
		if err != nil {
			return nil, err
		}
		if out == stdio {
			c.stdoutUsed = true
			err = m.WriteJSON(c.stdout, opts)
		} else {
			err = m.SaveJSON(out, opts)
		}
		if err != nil {
			return nil, err
		}
		data := struct {
			Out      string `json:"out"`
			NPYDir   string `json:"npy_dir,omitempty"`
			NPYBytes int64  `json:"npy_threshold,omitempty"`
		}{Out: out}
		if opts.ExternalDir != "" {
			data.NPYDir, data.NPYBytes = filepath.Join(filepath.Dir(out), opts.ExternalDir), *threshold
		}
		return reportOf(data, func(p *printer) {
			if data.NPYDir != "" {
				p.line("wrote %s (tensors of %d bytes or more in %s)", label(out), *threshold, data.NPYDir)
			} else {
				p.line("wrote %s", writtenLabel(out))
			}
		}), nil
	})
}

// fromJSONCmd reads a model from JSON and saves it (json2onnx).
func fromJSONCmd(c *cmd) {
	c.spill = true
	c.readsModels()
	c.produce(1, 1, func(args []string) (*onnxgraph.Model, *report, error) {
		var m *onnxgraph.Model
		var err error
		if args[0] == stdio {
			var b []byte
			if b, err = c.readStdin(); err == nil {
				m, err = onnxgraph.ReadJSON(bytes.NewReader(b), &onnxgraph.JSONOptions{Dir: c.dataDir})
			}
			if errors.Is(err, onnxgraph.ErrExternalData) && c.dataDir == "" {
				err = fmt.Errorf("%w: give the folder of the JSON read from standard input with --data-dir DIR", err)
			}
		} else {
			m, err = onnxgraph.OpenJSON(args[0], nil)
		}
		if err != nil {
			return nil, nil, err
		}
		c.opened = append(c.opened, m)
		out := c.argv[1]
		data := struct {
			Out     string `json:"out"`
			Spilled *bool  `json:"external_data"` // over 2 GiB: the weights went to OUT.data
		}{out, &c.spilled}
		return m, reportOf(data, func(p *printer) {
			if c.spilled {
				p.line("wrote %s with its weights in %s.data (the model is over 2 GiB)", out, filepath.Base(out))
				return
			}
			p.line("wrote %s", writtenLabel(out))
		}), nil
	})
}
