package flows

import (
	"strings"
	"sync"
	"time"
)

// maxGuardedMembers bounds the members an attemptGuard remembers.
const maxGuardedMembers = 1 << 16

// attemptGuard counts wrong codes, and remembers the last SMS sent, per
// member on the server. The flow cookie alone cannot hold a lock or a
// cooldown: a browser can replay a cookie saved before its wrong codes,
// choose the organization again or drop the cookie and start a new step-up,
// and a six-digit code could then be guessed without limit (the emulator
// does not count wrong TOTP codes, and the limit must not depend on Stytch
// doing so), or the member's phone texted again and again. The guard is per
// process and bounded: behind several instances each counts for itself,
// and when full it forgets members whose entry has lapsed first. It owns no
// goroutine and is safe for concurrent use.
type attemptGuard struct {
	mu      sync.Mutex
	members map[string]*guardEntry
}

type guardEntry struct {
	attempts    int
	lockedUntil time.Time
	smsSentAt   time.Time
	forgetAt    time.Time // after this the entry holds nothing

	// Of an entry key (see entryKey): the member key it last entered as,
	// whether Stytch texted that member on entry, and until when an entry
	// is in flight.
	member        string
	texts         bool
	enteringUntil time.Time
}

// entryMemory is how long an entry key remembers the member it entered as.
const entryMemory = time.Hour

// keepUntil makes the entry live at least until t.
func (e *guardEntry) keepUntil(t time.Time) {
	if t.After(e.forgetAt) {
		e.forgetAt = t
	}
}

func newAttemptGuard() *attemptGuard {
	return &attemptGuard{members: make(map[string]*guardEntry)}
}

// memberKey names the member a flow in the MFA or step-up step proves.
func memberKey(st *flowState) string {
	return memberKeyOf(st.OrganizationID, st.MemberID)
}

func memberKeyOf(orgID, memberID string) string {
	return orgID + "\x00" + memberID
}

// entryKey names an email entering an organization, before the member it
// is there is known.
func entryKey(orgID, email string) string {
	return orgID + "\x00email\x00" + strings.ToLower(email)
}

// beginEntry starts entering an organization under an entry key, unless
// the member it entered as before, whom Stytch texts on entry, was texted
// less than cooldown ago (on entry, on request or for a step-up), or
// another entry under the key is in flight; it returns how long to wait
// then, else 0. Call [attemptGuard.endEntry] when the entry is done.
func (g *attemptGuard) beginEntry(key string, now time.Time, cooldown time.Duration) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(key, now)
	if now.Before(e.enteringUntil) {
		return e.enteringUntil.Sub(now)
	}
	if m := g.members[e.member]; e.texts && m != nil && !m.smsSentAt.IsZero() {
		if wait := m.smsSentAt.Add(cooldown).Sub(now); wait > 0 {
			return wait
		}
	}
	e.enteringUntil = now.Add(cooldown)
	e.keepUntil(e.enteringUntil)
	return 0
}

// endEntry ends an entry begun with beginEntry; member is the member key it
// entered as, "" when it failed, and texts whether Stytch texted them.
func (g *attemptGuard) endEntry(key, member string, texts bool, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.members[key]
	if e == nil {
		return
	}
	e.enteringUntil = time.Time{}
	if member != "" {
		e.member, e.texts = member, texts
		e.keepUntil(now.Add(entryMemory))
	}
}

// reserve counts an attempt before its code is checked, so that parallel
// requests cannot each pass a check made before the others are counted. It
// returns until when the member is locked (the zero time when the attempt
// may go ahead): by a past lock, or because maxAttempts attempts are
// already counted or in flight.
func (g *attemptGuard) reserve(key string, now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(key, now)
	if now.Before(e.lockedUntil) {
		return e.lockedUntil
	}
	if e.attempts >= maxAttempts {
		return now.Add(lockoutPeriod)
	}
	e.attempts++
	// A count outlives a flow, which a new one would otherwise reset.
	e.keepUntil(now.Add(flowLifetime))
	return time.Time{}
}

// entry returns the member's live entry, a new one if it has none; g.mu
// must be held.
func (g *attemptGuard) entry(key string, now time.Time) *guardEntry {
	e := g.members[key]
	if e == nil || !now.Before(e.forgetAt) {
		g.makeRoom(now)
		e = &guardEntry{}
		g.members[key] = e
	}
	return e
}

// reserveSMS records an SMS about to be sent to the member unless one was
// sent less than cooldown ago; it returns how long to wait then, else 0.
// The send is recorded before Stytch is asked, so that parallel requests
// cannot each pass the check; [attemptGuard.unsentSMS] gives it back.
func (g *attemptGuard) reserveSMS(key string, now time.Time, cooldown time.Duration) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(key, now)
	if wait := e.smsSentAt.Add(cooldown).Sub(now); !e.smsSentAt.IsZero() && wait > 0 {
		return wait
	}
	e.smsSentAt = now
	e.keepUntil(now.Add(cooldown))
	return 0
}

// sentSMS records an SMS that Stytch sent by itself (when an organization
// is entered).
func (g *attemptGuard) sentSMS(key string, now time.Time, cooldown time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(key, now)
	e.smsSentAt = now
	e.keepUntil(now.Add(cooldown))
}

// unsentSMS forgets the send reserved at sentAt, which did not happen (an
// outage, a refused number), unless another has been recorded since.
func (g *attemptGuard) unsentSMS(key string, sentAt time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.members[key]; e != nil && e.smsSentAt.Equal(sentAt) {
		e.smsSentAt = time.Time{}
	}
}

// failed records that the reserved attempt was a wrong code and reports
// whether it locks the member.
func (g *attemptGuard) failed(key string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.members[key]
	if e == nil {
		return false
	}
	if e.attempts < maxAttempts {
		return false
	}
	e.attempts = 0
	e.lockedUntil = now.Add(lockoutPeriod)
	e.keepUntil(e.lockedUntil)
	return true
}

// release gives back a reserved attempt whose code was not judged (an
// outage, a refused step).
func (g *attemptGuard) release(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.members[key]; e != nil && e.attempts > 0 {
		e.attempts--
	}
}

// succeeded forgets the member's wrong codes. The last SMS is still
// remembered: a new flow must not text the member again at once.
func (g *attemptGuard) succeeded(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.members[key]; e != nil {
		e.attempts, e.lockedUntil = 0, time.Time{}
	}
}

// makeRoom drops lapsed entries when the guard is full, then any one.
func (g *attemptGuard) makeRoom(now time.Time) {
	if len(g.members) < maxGuardedMembers {
		return
	}
	for k, e := range g.members {
		if !now.Before(e.forgetAt) {
			delete(g.members, k)
		}
	}
	for k := range g.members {
		if len(g.members) < maxGuardedMembers {
			return
		}
		delete(g.members, k)
	}
}
