package emulator

import (
	"math"
	"strings"
	"unicode"
)

// The emulator judges passwords with a small deterministic scorer shaped
// like Stytch's zxcvbn answer (score 0 to 4, valid from 3), not with zxcvbn
// itself: tests need answers they can predict, not Stytch's exact scores.
//
//   - The guess space is the length times log2 of the alphabet the password
//     draws from (26 lowercase, 26 uppercase, 10 digits, 33 other).
//   - It is halved when most characters repeat or continue a sequence
//     ("aaaa", "1234", "abcd").
//   - A password on the breached list, or one whose letters are a common
//     word with digits or symbols around it ("Password1!"), scores 0.
//   - A password containing the local part of the email address scores at
//     most 1.
//   - Scores: below 28 bits 0, below 36 bits 1, below 60 bits 2, below 80
//     bits 3, else 4.
const (
	minValidScore   = 3
	strengthZxcvbn  = "zxcvbn"
	ludsMinLength   = 8
	ludsMinClasses  = 3
	emailPartMinLen = 3
)

// isBreached stands in for Stytch's breach detection: passwords known from
// breaches, refused wherever a password is set.
func isBreached(lower string) bool {
	switch lower {
	case "password", "password1", "password123", "123456", "12345678", "123456789", "1234567890",
		"qwerty", "qwerty123", "letmein", "welcome", "welcome1", "iloveyou", "admin", "admin123",
		"monkey", "dragon", "football", "baseball", "sunshine", "princess", "trustno1", "abc123",
		"111111", "000000", "hunter2", "passw0rd", "p@ssw0rd", "changeme", "secret":
		return true
	}
	return false
}

// strength is the verdict on one password.
type strength struct {
	score       int
	breached    bool
	warning     string
	suggestions []string
	luds        wireLudsFeedback
}

func (st strength) valid() bool { return st.score >= minValidScore && !st.breached }

// judgePassword scores a password; email may be empty.
func judgePassword(password, email string) strength {
	lower := strings.ToLower(password)
	st := strength{luds: ludsOf(password), suggestions: []string{}}
	classes := 0
	pool := 0
	for _, c := range []struct {
		has  bool
		size int
	}{{st.luds.HasLowerCase, 26}, {st.luds.HasUpperCase, 26}, {st.luds.HasDigit, 10}, {st.luds.HasSymbol, 33}} {
		if c.has {
			classes++
			pool += c.size
		}
	}
	n := len([]rune(password))
	bits := 0.0
	if pool > 0 {
		bits = float64(n) * math.Log2(float64(pool))
	}
	if predictable(password) {
		bits /= 2
		st.warning = "Repeated characters and sequences like aaaa or 1234 are easy to guess."
		st.suggestions = append(st.suggestions, "Avoid repeated characters and sequences.")
	}
	st.score = scoreOf(bits)
	letters := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	switch {
	case isBreached(lower):
		st.score, st.breached = 0, true
		st.warning = "This password has appeared in a data breach."
		st.suggestions = append(st.suggestions, "Choose a password you have never used anywhere else.")
	case isCommon(letters):
		st.score = 0
		st.warning = "This is similar to a commonly used password."
		st.suggestions = append(st.suggestions, "Adding digits or symbols to a common word does not make it strong.")
	}
	if local, _, ok := strings.Cut(strings.ToLower(email), "@"); ok && len(local) >= emailPartMinLen && strings.Contains(lower, local) {
		st.score = min(st.score, 1)
		st.warning = "Passwords containing your email address are easy to guess."
		st.suggestions = append(st.suggestions, "Do not use your email address in your password.")
	}
	if !st.valid() {
		if st.warning == "" {
			st.warning = "This password is too easy to guess."
		}
		if n < 12 {
			st.suggestions = append(st.suggestions, "Use a longer password: a few unrelated words make a strong one.")
		}
		if classes < 3 {
			st.suggestions = append(st.suggestions, "Mix uppercase and lowercase letters, digits and symbols.")
		}
	} else {
		st.warning, st.suggestions = "", []string{}
	}
	return st
}

func scoreOf(bits float64) int {
	switch {
	case bits < 28:
		return 0
	case bits < 36:
		return 1
	case bits < 60:
		return 2
	case bits < 80:
		return 3
	}
	return 4
}

// predictable reports whether most characters repeat or continue a
// sequence of the previous one.
func predictable(password string) bool {
	rs := []rune(password)
	if len(rs) < 2 {
		return len(rs) == 1
	}
	same := 0
	for i := 1; i < len(rs); i++ {
		if d := rs[i] - rs[i-1]; d >= -1 && d <= 1 {
			same++
		}
	}
	return same*2 >= len(rs)
}

// isCommon reports whether the letters of a password are a common password,
// whatever digits or symbols surround them.
func isCommon(letters string) bool {
	return letters != "" && isBreached(letters)
}

func ludsOf(password string) wireLudsFeedback {
	var f wireLudsFeedback
	for _, r := range password {
		switch {
		case r >= 'a' && r <= 'z':
			f.HasLowerCase = true
		case r >= 'A' && r <= 'Z':
			f.HasUpperCase = true
		case r >= '0' && r <= '9':
			f.HasDigit = true
		default:
			f.HasSymbol = true // Stytch counts anything outside a-z, A-Z as a symbol
		}
	}
	classes := 0
	for _, has := range []bool{f.HasLowerCase, f.HasUpperCase, f.HasDigit, f.HasSymbol} {
		if has {
			classes++
		}
	}
	f.MissingComplexity = max(0, ludsMinClasses-classes)
	f.MissingCharacters = max(0, ludsMinLength-len([]rune(password)))
	return f
}

type wireLudsFeedback struct {
	HasLowerCase      bool `json:"has_lower_case"`
	HasUpperCase      bool `json:"has_upper_case"`
	HasDigit          bool `json:"has_digit"`
	HasSymbol         bool `json:"has_symbol"`
	MissingComplexity int  `json:"missing_complexity"`
	MissingCharacters int  `json:"missing_characters"`
}

type wireZxcvbnFeedback struct {
	Warning     string   `json:"warning"`
	Suggestions []string `json:"suggestions"`
}

// weakPassword is the refusal of a password that does not pass the check.
func weakPassword(st strength) *apiError {
	return invalid(errWeakPassword, "the password is too weak: "+st.warning).
		withDetail("score", st.score).
		withDetail("breached_password", st.breached).
		withDetail("zxcvbn_feedback", wireZxcvbnFeedback{Warning: st.warning, Suggestions: st.suggestions})
}
