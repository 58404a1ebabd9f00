package flows

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestLongestReturnPathFitsEveryFlowCookie: a flow holding the longest
// return path accepted, with the longest email address and Stytch's ids
// and tokens as they are today, still fits its cookie, so no step fails to
// save it after Stytch was asked. With ids and tokens at the largest the
// flows accept, the return path is dropped rather than the flow.
func TestLongestReturnPathFitsEveryFlowCookie(t *testing.T) {
	t.Parallel()
	keys := []KeyPair{{Hash: bytes.Repeat([]byte{1}, 64), Block: bytes.Repeat([]byte{2}, 32)}}
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	// 254 bytes, the longest address parseEmail accepts.
	email := strings.Repeat("a", 64) + "@" + strings.Repeat("a", 185) + ".test"
	type sizes struct {
		orgID, memberID, ist string
		keepsReturnPath      bool // in the MFA step
	}
	for sizeName, sz := range map[string]sizes{
		"Stytch's ids and tokens": {
			"organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931",
			"member-test-07971b06-ac8b-4cdb-9c15-63b17e653931",
			strings.Repeat("a", 44), true},
		"the largest ids and tokens": {
			strings.Repeat("a", maxIDSize), strings.Repeat("a", maxIDSize), strings.Repeat("a", 256), false},
	} {
		for rtName, rt := range map[string]string{
			"plain":   "/" + strings.Repeat("a", maxReturnPathSize-1),
			"escaped": "/" + strings.Repeat("<", (maxReturnPathSize-1)/6),
		} {
			if got, err := returnPath(rt); got != rt || err != nil {
				t.Fatalf("the %s return path is refused: %v", rtName, err)
			}
			states := map[string]*flowState{
				"email sent": {FlowID: randomString(12), Step: stepEmailSent, ReturnTo: rt,
					PKCEVerifier: randomString(32), Email: email},
				"organizations": {FlowID: randomString(12), Step: stepOrganizations, ReturnTo: rt, Email: email,
					IST: sz.ist, ISTExpiresAt: now},
				"MFA": {FlowID: randomString(12), Step: stepMFA, ReturnTo: rt, Email: email,
					IST: sz.ist, ISTExpiresAt: now, OrganizationID: sz.orgID, MemberID: sz.memberID,
					Methods:   []string{methodSMS, methodTOTP, methodRecovery},
					PhoneHint: "+1•••••1234", HasPhone: true, TOTPEnrolled: true, TOTPPending: true,
					SMSSentAt: now, Attempts: maxAttempts, LockedUntil: now},
				"step-up": {FlowID: randomString(12), Step: stepStepUp, ReturnTo: rt,
					OrganizationID: sz.orgID, MemberID: sz.memberID, Methods: []string{methodSMS, methodTOTP},
					PhoneHint: "+1•••••1234", HasPhone: true, TOTPEnrolled: true,
					SMSSentAt: now, Attempts: maxAttempts, LockedUntil: now},
			}
			for step, st := range states {
				t.Run("a "+step+" flow with "+sizeName+" and the longest "+rtName+" return path is saved", func(t *testing.T) {
					st.ExpiresAt = now
					fc := newFlowCookie(keys, true, st.Step == stepStepUp)
					v, err := fc.encode(st)
					if err != nil {
						t.Fatal(err)
					}
					back, err := fc.decode(v)
					if err != nil {
						t.Fatal(err)
					}
					// Only the MFA step holds the ids and the token at once.
					want := sz.keepsReturnPath || step != "MFA"
					if kept := back.ReturnTo == rt; kept != want {
						t.Fatalf("return path kept: %v, want %v", kept, want)
					}
					t.Logf("%d bytes of %d", len(v), maxCookieSize)
				})
			}
		}
	}
}
