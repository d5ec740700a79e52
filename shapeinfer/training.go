package shapeinfer

// The ai.onnx.preview.training family: optimizers (Adagrad, Adam,
// Momentum), whose outputs are new values of the tensors they update, and
// Gradient, whose outputs have the types of the values differentiated
// against.

const trainingDomain = "ai.onnx.preview.training"

var trainingTable = join(
	all(inferOptimizer,
		versions(trainingDomain, "Adagrad", 1),
		versions(trainingDomain, "Adam", 1),
		versions(trainingDomain, "Momentum", 1)),
	all(inferGradient, versions(trainingDomain, "Gradient", 1)),
)

// inferOptimizer: the inputs are R, T, then groups of n tensors (X, G and
// the optimizer's state: H for Adagrad, V for Momentum, V and H for Adam);
// the outputs are the new X and the new state, group by group.
func inferOptimizer(c *Ctx) error {
	groups, state := 3, []int{2} // Adagrad: X, G, H -> X, H
	switch c.Node.OpType() {
	case "Adam":
		groups, state = 4, []int{2, 3} // X, G, V, H -> X, V, H
	case "Momentum":
		groups, state = 3, []int{2} // X, G, V -> X, V
	}
	rest := c.NumInputs() - 2
	if rest <= 0 || rest%groups != 0 {
		return c.Errorf(CodeInvalid, "%d inputs after R and T do not form %d groups", rest, groups)
	}
	n := rest / groups
	if want := n * (1 + len(state)); c.NumOutputs() > want {
		return c.Errorf(CodeInvalid, "%d outputs for %d updated tensors, want at most %d", c.NumOutputs(), n, want)
	}
	for _, i := range []int{0, 1} {
		if s, ok := c.InputShape(i); ok && len(s) != 0 {
			return c.Errorf(CodeInvalid, "input %d has rank %d, not a scalar", i, len(s))
		}
	}
	for i := range n {
		c.SetOutput(i, c.Input(2+i))
		for k, g := range state {
			c.SetOutput(n*(1+k)+i, c.Input(2+g*n+i))
		}
	}
	return nil
}

// inferGradient: output i is the gradient with respect to the value named
// xs[i], so it has that value's type.
func inferGradient(c *Ctx) error {
	a := c.Attr("xs")
	if a == nil || c.Attr("y") == nil {
		return c.Errorf(CodeInvalid, "Gradient needs xs and y")
	}
	names := a.GetStrings()
	if len(names) != c.NumOutputs() {
		return c.Errorf(CodeInvalid, "%d xs for %d outputs", len(names), c.NumOutputs())
	}
	g := c.Node.Graph()
	for i, name := range names {
		v, ok := g.Value(string(name))
		if !ok {
			return c.Errorf(CodeInvalid, "xs names %q, which is not a value of the graph", name)
		}
		c.SetOutput(i, c.s.typeOf(v))
	}
	return nil
}
