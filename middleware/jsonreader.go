package middleware

// maxFastDepth bounds the nesting jsonReader follows; deeper texts are left
// to encoding/json, whose own limit then applies.
const maxFastDepth = 64

// jsonReader reads a JSON text in one pass without allocating, for the
// decoders of JWT headers and claims. It validates the whole text by RFC 8259
// as encoding/json does, and reads only what it can read exactly as
// encoding/json would: anything else (a string with escapes or non-ASCII
// bytes where a value is kept, a key with them, a value of an unexpected
// type, a duplicate key, deep nesting) sets bad, and the caller then decodes
// the text with encoding/json, whose answer is authoritative. bad is sticky:
// once set, every method returns zero values.
type jsonReader struct {
	b   []byte
	s   string // b as a string, for the values kept; empty if none are
	i   int
	bad bool
}

func (r *jsonReader) fail() { r.bad = true }

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.bad || r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// open consumes the opening byte c of an object or array and reports
// whether an element follows (false for an empty one, or when bad).
func (r *jsonReader) open(c, end byte) bool {
	if r.peek() != c {
		r.fail()
		return false
	}
	r.i++
	if r.peek() == end {
		r.i++
		return false
	}
	return !r.bad
}

// more consumes the separator after an element and reports whether another
// element follows; it consumes the closing byte end and returns false when
// none does.
func (r *jsonReader) more(end byte) bool {
	switch r.peek() {
	case ',':
		r.i++
		return true
	case end:
		r.i++
		return false
	}
	r.fail()
	return false
}

// end checks that only white space follows the value read.
func (r *jsonReader) end() {
	if r.ws(); r.i != len(r.b) {
		r.fail()
	}
}

// str reads a string and returns the byte range of its content and whether
// it is plain: printable ASCII without escapes, so equal to its decoded
// value.
func (r *jsonReader) str() (start, end int, plain bool) {
	if r.peek() != '"' {
		r.fail()
		return 0, 0, false
	}
	start, plain = r.i+1, true
	b := r.b
	for i := start; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			r.i = i + 1
			return start, i, plain
		case c == '\\':
			plain = false
			if i++; i >= len(b) {
				break
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					r.fail()
					return 0, 0, false
				}
				i += 4
			default:
				r.fail()
				return 0, 0, false
			}
		case c < 0x20:
			r.fail()
			return 0, 0, false
		case c >= 0x7f:
			plain = false
		}
	}
	r.fail()
	return 0, 0, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// key reads an object key and the colon after it. A key that is not plain
// is bad: encoding/json matches keys to fields after unescaping and case
// folding, which the decoders do not repeat.
func (r *jsonReader) key() []byte {
	start, end, plain := r.str()
	if !plain {
		r.fail()
		return nil
	}
	if r.peek() != ':' {
		r.fail()
		return nil
	}
	r.i++
	return r.b[start:end]
}

// plainString reads a plain string value, or null as "".
func (r *jsonReader) plainString() string {
	if r.null() {
		return ""
	}
	start, end, plain := r.str()
	if !plain {
		r.fail()
		return ""
	}
	if r.s == "" {
		return string(r.b[start:end])
	}
	return r.s[start:end]
}

// null consumes a null literal if one comes next.
func (r *jsonReader) null() bool {
	if r.peek() != 'n' {
		return false
	}
	r.literal("null")
	return !r.bad
}

func (r *jsonReader) literal(lit string) {
	if len(r.b)-r.i < len(lit) || string(r.b[r.i:r.i+len(lit)]) != lit {
		r.fail()
		return
	}
	r.i += len(lit)
}

// plainStrings reads an array of plain strings (an empty one as a non-nil
// empty slice, as encoding/json does), or null as nil.
func (r *jsonReader) plainStrings() []string {
	if r.null() {
		return nil
	}
	list := []string{}
	for more := r.open('[', ']'); more && !r.bad; more = r.more(']') {
		if r.peek() != '"' {
			r.fail()
			break
		}
		list = append(list, r.plainString())
	}
	return list
}

// integer reads a number written as an integer of at most 15 digits, so
// exact as the float64 golang-jwt reads dates into. It reports false after
// null.
func (r *jsonReader) integer() (n int64, ok bool) {
	if r.null() {
		return 0, false
	}
	raw := r.number()
	neg := len(raw) > 0 && raw[0] == '-'
	digits := raw
	if neg {
		digits = raw[1:]
	}
	if r.bad || len(digits) == 0 || len(digits) > 15 {
		r.fail()
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			r.fail()
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// number reads a number by the JSON grammar and returns its text.
func (r *jsonReader) number() []byte {
	r.ws()
	b, i := r.b, r.i
	start := i
	digits := func() bool {
		n := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		r.fail()
		return nil
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			r.fail()
			return nil
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			r.fail()
			return nil
		}
	}
	r.i = i
	return b[start:i]
}

// skip reads and validates any value, keeping nothing.
func (r *jsonReader) skip(depth int) {
	if depth > maxFastDepth {
		r.fail()
		return
	}
	switch c := r.peek(); {
	case c == '"':
		r.str()
	case c == '{':
		for more := r.open('{', '}'); more && !r.bad; more = r.more('}') {
			if _, _, _ = r.str(); r.peek() != ':' {
				r.fail()
				return
			}
			r.i++
			r.skip(depth + 1)
		}
	case c == '[':
		for more := r.open('[', ']'); more && !r.bad; more = r.more(']') {
			r.skip(depth + 1)
		}
	case c == '-' || '0' <= c && c <= '9':
		r.number()
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	default:
		r.fail()
	}
}

// unknown handles a key the decoder does not read: its value is skipped,
// unless encoding/json would match the key to one of the fields named by
// known (it folds case), which is bad.
func (r *jsonReader) unknown(key []byte, depth int, known ...string) {
	for _, k := range known {
		// key is ASCII (see key), where Unicode case folding is ASCII's.
		if equalFoldASCII(key, k) {
			r.fail()
			return
		}
	}
	r.skip(depth)
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
