package eval

// Random numbers as numpy's legacy RandomState draws them: MT19937 seeded
// with an integer, doubles of 53 random bits. Operators with a seed
// attribute use it, so that they give the values ONNX's reference (which
// seeds numpy) gives; without a seed, ONNX asks for fresh randomness,
// which a reference evaluator does not provide (ErrNotImplemented).

const mtN = 624

// mt19937 is the Mersenne Twister of numpy's RandomState.
type mt19937 struct {
	key [mtN]uint32
	pos int
}

// newMT19937 seeds the generator as RandomState(seed) does for a seed in
// [0, 2^32).
func newMT19937(seed uint32) *mt19937 {
	m := &mt19937{pos: mtN}
	for i := range m.key {
		m.key[i] = seed
		seed = 1812433253*(seed^(seed>>30)) + uint32(i) + 1
	}
	return m
}

func (m *mt19937) next32() uint32 {
	if m.pos == mtN {
		m.refill()
	}
	y := m.key[m.pos]
	m.pos++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	return y ^ (y >> 18)
}

func (m *mt19937) refill() {
	const upper, lower, matrixA = 0x80000000, 0x7fffffff, 0x9908b0df
	for i := range mtN {
		y := m.key[i]&upper | m.key[(i+1)%mtN]&lower
		v := m.key[(i+397)%mtN] ^ y>>1
		if y&1 != 0 {
			v ^= matrixA
		}
		m.key[i] = v
	}
	m.pos = 0
}

// double returns a uniform double in [0, 1) as numpy's random_sample.
func (m *mt19937) double() float64 {
	a, b := m.next32()>>5, m.next32()>>6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

// seeded returns the generator of a node's seed attribute, or an
// ErrNotImplemented error when the node has none.
func seeded(c *ctx) (*mt19937, error) {
	if !c.has("seed") {
		return nil, notImplf("random numbers without a seed")
	}
	s := c.int("seed")
	if c.err != nil {
		return nil, c.err
	}
	if s < 0 || s > 1<<32-1 {
		return nil, notImplf("seed %d outside numpy's range", s)
	}
	return newMT19937(uint32(s)), nil
}
