package emulator

import (
	"strings"
	"time"
)

// Checks of request fields that many calls share.

// requireFields refuses the first of fields that is empty.
func requireFields(fields ...field) error {
	for _, f := range fields {
		if f.Value == "" {
			return missingField(f.Name)
		}
	}
	return nil
}

// checkEmail refuses a missing or malformed email_address.
func checkEmail(email string) error {
	if email == "" {
		return missingField("email_address")
	}
	if _, domain, ok := strings.Cut(email, "@"); !ok || domain == "" || strings.ContainsAny(email, " <>") {
		return invalid("invalid_email", "email_address is not a valid email").withDetail("field", "email_address")
	}
	return nil
}

// minutesBetween checks the lifetime in minutes a call gives in field: 0
// means def, and it must be between lo and hi.
func minutesBetween(field string, v, def, lo, hi int) (time.Duration, error) {
	if v == 0 {
		v = def
	}
	if v < lo || v > hi {
		return 0, badRequest("%s must be between %d and %d", field, lo, hi).withDetail("field", field)
	}
	return time.Duration(v) * time.Minute, nil
}
