package eval

import (
	"regexp"
	"strconv"
	"strings"
)

// String operators: StringNormalizer, TfIdfVectorizer, StringConcat,
// StringSplit, RegexFullMatch.

var stringsTable = map[key]entry{
	{onnx, "StringNormalizer", 10}: k(stringNormalizer, []DataType{dtString}, "case_change_action", "is_case_sensitive", "locale", "stopwords"),
	{onnx, "TfIdfVectorizer", 9}: k(tfIdfVectorizer, []DataType{dtString, dtInt32, dtInt64}, "max_gram_length", "max_skip_count", "min_gram_length",
		"mode", "ngram_counts", "ngram_indexes", "pool_int64s", "pool_strings", "weights"),
	{onnx, "StringConcat", 20}:   k(stringConcat, []DataType{dtString}),
	{onnx, "StringSplit", 20}:    k(stringSplit, []DataType{dtString}, "delimiter", "maxsplit"),
	{onnx, "RegexFullMatch", 20}: k(regexFullMatch, []DataType{dtString}, "pattern"),
}

// stringNormalizer drops the stopwords (compared case-insensitively unless
// is_case_sensitive) and changes case. An input of [C] or [1, C] whose
// every string is dropped gives [""] (or [[""]]). The locale is taken as
// given: case mapping is Unicode's.
func stringNormalizer(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	action := c.str("case_change_action")
	sensitive := c.int("is_case_sensitive") != 0
	c.str("locale")
	stops, _ := c.strs("stopwords")
	if c.err != nil {
		return nil, c.err
	}
	change := func(s string) string { return s }
	switch action {
	case "LOWER":
		change = strings.ToLower
	case "UPPER":
		change = strings.ToUpper
	case "NONE":
	default:
		return nil, invalidf("case_change_action %q", action)
	}
	if x.rank() > 2 || (x.rank() == 2 && x.shape[0] != 1) {
		return nil, invalidf("input of shape %s: want [C] or [1, C]", shapeString(x.shape))
	}
	stop := map[string]bool{}
	for _, s := range stops {
		if !sensitive {
			s = strings.ToLower(s)
		}
		stop[s] = true
	}
	var out []string
	for _, s := range x.data.([]string) {
		key := s
		if !sensitive {
			key = strings.ToLower(s)
		}
		if !stop[key] {
			out = append(out, change(s))
		}
	}
	if len(out) == 0 {
		out = []string{""}
	}
	shape := []int{len(out)}
	if x.rank() == 2 {
		shape = []int{1, len(out)}
	}
	return []*tensor{withData(dtString, shape, out)}, nil
}

// tfIdfVectorizer counts the n-grams of the pool in each row of X (with
// skips between items up to max_skip_count, unigrams once) and weighs the
// counts as mode says, as ONNX's reference does.
func tfIdfVectorizer(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	maxGram, minGram := c.int("max_gram_length"), c.int("min_gram_length")
	maxSkip := c.int("max_skip_count")
	mode := c.str("mode")
	counts, _ := c.ints("ngram_counts")
	indexes, _ := c.ints("ngram_indexes")
	poolInts, hasInts := c.ints("pool_int64s")
	poolStrs, hasStrs := c.strs("pool_strings")
	weights, _ := c.floats("weights")
	if c.err != nil {
		return nil, c.err
	}
	if mode != "TF" && mode != "IDF" && mode != "TFIDF" {
		return nil, invalidf("mode %q", mode)
	}
	if minGram < 1 || maxGram < minGram || maxGram > 1<<10 || maxSkip < 0 || maxSkip > 1<<10 || len(indexes) == 0 {
		return nil, invalidf("gram lengths %d..%d, max_skip_count %d, %d ngram_indexes", minGram, maxGram, maxSkip, len(indexes))
	}
	// The pool as keys of n-grams: items joined with NUL.
	var pool []string
	if hasStrs && len(poolStrs) > 0 {
		pool = poolStrs
	} else if hasInts {
		for _, v := range poolInts {
			pool = append(pool, strconv.FormatInt(v, 10))
		}
	}
	size := int64(0)
	for _, i := range indexes {
		if i < 0 || i > 1<<24 {
			return nil, invalidf("ngram index %d", i)
		}
		size = max(size, i+1)
	}
	ids := map[string]int{} // n-gram -> its 0-based position in the pool's n-grams
	next := 0
	for i, start := range counts {
		n := int64(i + 1)
		end := int64(len(pool))
		if i+1 < len(counts) {
			end = counts[i+1]
		}
		if start < 0 || end > int64(len(pool)) || end < start {
			return nil, invalidf("ngram_counts %v for a pool of %d", counts, len(pool))
		}
		grams := int((end - start) / n)
		if n < minGram || n > maxGram {
			next += grams
			continue
		}
		for g := range grams {
			b := start + int64(g)*n
			ids[strings.Join(pool[b:b+n], "\x00")] = next
			next++
		}
	}
	var items []string
	switch s := x.data.(type) {
	case []string:
		items = s
	default:
		v, err := toInt64s(x)
		if err != nil {
			return nil, err
		}
		items = mapT(v, func(e int64) string { return strconv.FormatInt(e, 10) })
	}
	rows, cols := 1, x.size()
	batched := x.rank() == 2
	switch {
	case batched:
		rows, cols = x.shape[0], x.shape[1]
	case x.rank() > 2:
		return nil, invalidf("input of rank %d", x.rank())
	}
	shape := []int{int(size)}
	if batched {
		shape = []int{rows, int(size)}
	}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	freq := make([]float64, rows*int(size))
	for r := range rows {
		row := items[r*cols : (r+1)*cols]
		startSize := int(minGram)
		for skip := 1; skip <= int(maxSkip)+1; skip++ {
			for s := 0; s < len(row); s++ {
				if s+skip*(startSize-1) >= len(row) {
					break
				}
				var key string
				for n, p := 1, s; n <= int(maxGram) && p < len(row); n, p = n+1, p+skip {
					if n == 1 {
						key = row[p]
					} else {
						key += "\x00" + row[p]
					}
					if id, ok := ids[key]; ok && n >= startSize && id < len(indexes) {
						freq[r*int(size)+int(indexes[id])]++
					}
				}
			}
			// Unigrams count once, whatever the skip.
			if startSize == 1 {
				startSize++
				if startSize > int(maxGram) {
					break
				}
			}
		}
	}
	out := make([]float32, len(freq))
	for i, f := range freq {
		j := i % int(size)
		switch mode {
		case "TF":
			out[i] = float32(f)
		case "IDF":
			if f > 0 {
				out[i] = 1
				if len(weights) > 0 {
					out[i] = weightAt(weights, j)
				}
			}
		case "TFIDF":
			out[i] = float32(f)
			if len(weights) > 0 {
				out[i] = weightAt(weights, j) * float32(f)
			}
		}
	}
	return []*tensor{withData(dtFloat, shape, out)}, nil
}

func weightAt(w []float32, i int) float32 {
	if i < len(w) {
		return w[i]
	}
	return 0
}

func stringConcat(c *ctx, in []*tensor) ([]*tensor, error) {
	a, b := in[0], in[1]
	if b.dt != dtString {
		return nil, invalidf("%s operand", typeName(b.dt))
	}
	shape, err := broadcastShapes(a.shape, b.shape)
	if err != nil {
		return nil, err
	}
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	out := make([]string, numel(shape))
	binaryLoop(out, shape, a.data.([]string), a.shape, b.data.([]string), b.shape, func(x, y string) string { return x + y })
	return []*tensor{withData(dtString, shape, out)}, nil
}

// stringSplit splits each string at the delimiter (or at runs of
// whitespace when it is empty), at most maxsplit times, as Python's
// str.split does; Y pads the parts with "" to the longest.
func stringSplit(c *ctx, in []*tensor) ([]*tensor, error) {
	x := in[0]
	delim := c.str("delimiter")
	limit := -1
	if c.has("maxsplit") {
		if m := c.int("maxsplit"); m >= 0 && m < 1<<30 {
			limit = int(m)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	parts := make([][]string, x.size())
	longest := 0
	for i, s := range x.data.([]string) {
		parts[i] = pySplit(s, delim, limit)
		longest = max(longest, len(parts[i]))
	}
	shape := append(append([]int{}, x.shape...), longest)
	if _, err := c.check(shape); err != nil {
		return nil, err
	}
	y := make([]string, numel(shape))
	z := make([]int64, x.size())
	for i, p := range parts {
		copy(y[i*longest:], p)
		z[i] = int64(len(p))
	}
	return []*tensor{withData(dtString, shape, y), withData(dtInt64, x.shape, z)}, nil
}

// pySplit is Python's str.split(sep or None, maxsplit).
func pySplit(s, sep string, limit int) []string {
	if sep != "" {
		if limit < 0 {
			return strings.Split(s, sep)
		}
		return strings.SplitN(s, sep, limit+1)
	}
	var out []string
	rest := strings.TrimLeft(s, " \t\n\v\f\r")
	for rest != "" {
		if limit >= 0 && len(out) == limit {
			out = append(out, strings.TrimRight(rest, " \t\n\v\f\r"))
			break
		}
		i := strings.IndexAny(rest, " \t\n\v\f\r")
		if i < 0 {
			out = append(out, rest)
			break
		}
		out = append(out, rest[:i])
		rest = strings.TrimLeft(rest[i:], " \t\n\v\f\r")
	}
	return out
}

// regexFullMatch matches each string against the RE2 pattern, whole.
func regexFullMatch(c *ctx, in []*tensor) ([]*tensor, error) {
	p := c.str("pattern")
	if c.err != nil {
		return nil, c.err
	}
	re, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, invalidf("pattern %q: %v", p, err)
	}
	x := in[0]
	return []*tensor{withData(dtBool, x.shape, mapT(x.data.([]string), re.MatchString))}, nil
}
