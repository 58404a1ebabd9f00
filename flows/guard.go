package flows

import (
	"bytes"
	"context"
	"strings"
	"time"
)

// guard counts wrong codes, and remembers the last SMS sent, per member on
// the server, and the last email of each kind asked for per address. The flow cookie alone cannot hold a lock or a cooldown: a
// browser can replay a cookie saved before its wrong codes, choose the
// organization again or drop the cookie and start a new step-up, and a
// six-digit code could then be guessed without limit (the emulator does not
// count wrong TOTP codes, and the limit must not depend on Stytch doing
// so), or the member's phone texted again and again.
//
// Its records live in a [Store] under fixed-size keys derived from ids
// that were validated (see validID) or came from Stytch; every method
// returns the store's error, which the steps answer as an outage without
// taking the check as passed.
type guard struct {
	store Store
}

// member names the member a flow in the MFA or step-up step proves.
type member struct{ organizationID, memberID string }

func memberOf(st *flowState) member { return member{st.OrganizationID, st.MemberID} }

func (m member) attemptsKey() Key { return keyOf("attempts", m.organizationID, m.memberID) }
func (m member) lockKey() Key     { return keyOf("lock", m.organizationID, m.memberID) }
func (m member) smsKey() Key      { return keyOf("sms", m.organizationID, m.memberID) }

// entry names an email entering an organization, before the member it is
// there is known.
type entry struct{ organizationID, email string }

func (e entry) enteringKey() Key {
	return keyOf("entering", e.organizationID, strings.ToLower(e.email))
}

// enteredKey holds the SMS key of the member the entry entered as, when
// Stytch texted them on entry.
func (e entry) enteredKey() Key {
	return keyOf("entered", e.organizationID, strings.ToLower(e.email))
}

// entryMemory is how long an entry remembers the member it entered as.
const entryMemory = time.Hour

// reserve counts an attempt before its code is checked, so that parallel
// requests cannot each pass a check made before the others are counted. It
// returns how long the member must wait (0 when the attempt may go ahead):
// while a past lock lasts, or because maxAttempts attempts are already
// counted or in flight; and the attempt's number, for [guard.failed].
func (g *guard) reserve(ctx context.Context, m member) (wait time.Duration, n int64, err error) {
	// A locked member costs a read, and is refused even by a store too
	// full to count.
	if wait, err = g.locked(ctx, m); wait > 0 || err != nil {
		return wait, 0, err
	}
	// A count outlives a flow, which a new one would otherwise reset.
	if n, err = g.store.Add(ctx, m.attemptsKey(), 1, flowLifetime); err != nil {
		return 0, 0, err
	}
	// The lock is read again once the attempt is counted: an attempt that
	// still sees none was counted before any lock was set, and so was one
	// of the attempts that set it.
	if wait, err = g.locked(ctx, m); err == nil && wait == 0 && n <= maxAttempts {
		return 0, n, nil
	}
	if err == nil && wait == 0 {
		wait = lockoutPeriod
	}
	// A refused attempt is not one: give it back.
	if rerr := g.release(ctx, m); err == nil {
		err = rerr
	}
	return wait, 0, err
}

// locked returns how long the member's lock lasts, 0 without one.
func (g *guard) locked(ctx context.Context, m member) (time.Duration, error) {
	_, ttl, ok, err := g.store.Get(ctx, m.lockKey())
	if err != nil || !ok {
		return 0, err
	}
	return max(ttl, time.Millisecond), nil
}

// failed records that the attempt numbered n was a wrong code and reports
// whether it locks the member.
func (g *guard) failed(ctx context.Context, m member, n int64) (bool, error) {
	if n < maxAttempts {
		return false, nil
	}
	if _, err := g.store.SetNX(ctx, m.lockKey(), []byte{1}, lockoutPeriod); err != nil {
		return true, err
	}
	// The count starts again after the lock; until the lock is set it is
	// kept, so that a count at the limit refuses attempts by itself.
	return true, g.store.Delete(ctx, m.attemptsKey())
}

// release gives back a reserved attempt whose code was not judged (an
// outage, a refused step).
func (g *guard) release(ctx context.Context, m member) error {
	n, err := g.store.Add(ctx, m.attemptsKey(), -1, flowLifetime)
	if err == nil && n < 0 {
		// The count was deleted by a lock while the attempt was in
		// flight: put it back to where it started.
		_, err = g.store.Add(ctx, m.attemptsKey(), 1, flowLifetime)
	}
	return err
}

// succeeded forgets the member's wrong codes. The last SMS is still
// remembered: a new flow must not text the member again at once.
func (g *guard) succeeded(ctx context.Context, m member) error {
	return g.store.Delete(ctx, m.attemptsKey())
}

// reserveSMS records an SMS about to be sent to the member unless one was
// sent less than cooldown ago; it returns how long to wait then, else 0 and
// the reservation, for [guard.unsentSMS]. The send is recorded before
// Stytch is asked, so that parallel requests cannot each pass the check.
func (g *guard) reserveSMS(ctx context.Context, m member, cooldown time.Duration) (wait time.Duration, reservation []byte, err error) {
	if cooldown <= 0 {
		return 0, nil, nil
	}
	reservation = []byte(randomString(12))
	for range 2 {
		set, err := g.store.SetNX(ctx, m.smsKey(), reservation, cooldown)
		if err != nil || set {
			return 0, reservation, err
		}
		_, ttl, ok, err := g.store.Get(ctx, m.smsKey())
		if err != nil {
			return 0, nil, err
		}
		if ok {
			return ttl, nil, nil
		}
		// The last send's record expired in between: try again.
	}
	return time.Second, nil, nil
}

// unsentSMS forgets the send reserved, which did not happen (an outage, a
// refused number), unless another has been recorded since.
func (g *guard) unsentSMS(ctx context.Context, m member, reservation []byte) error {
	return g.unreserve(ctx, m.smsKey(), reservation)
}

// unreserve deletes the record under k if it still holds reservation.
func (g *guard) unreserve(ctx context.Context, k Key, reservation []byte) error {
	if reservation == nil {
		return nil
	}
	v, _, ok, err := g.store.Get(ctx, k)
	if err != nil || !ok || !bytes.Equal(v, reservation) {
		return err
	}
	return g.store.Delete(ctx, k)
}

// emailKind names what an email of the flows is for. Each kind has a
// cooldown of its own per address: a member who asked for a sign-in link
// and switches to a code, or who must reset a password, is not told to
// wait for an email of another kind; one address still gets at most one
// email of each kind per cooldown.
type emailKind string

const (
	emailLink  emailKind = "link"  // a sign-in magic link, discovery or organization
	emailCode  emailKind = "code"  // a one-time sign-in code, discovery or organization
	emailReset emailKind = "reset" // a password reset link
)

// emailKey names the record of the last email of kind asked for address,
// project-wide: the same for every organization.
func emailKey(kind emailKind, address string) Key {
	return keyOf("email", string(kind), strings.ToLower(strings.TrimSpace(address)))
}

// reserveEmail records under k an email about to be sent, with record as
// its value, unless one was asked for less than cooldown ago; it returns
// how long to wait then, and the value recorded by that send (nil when it
// cannot be read). The send is recorded before Stytch is asked, so that
// parallel requests cannot each pass the check.
func (g *guard) reserveEmail(ctx context.Context, k Key, record []byte, cooldown time.Duration) (wait time.Duration, held []byte, err error) {
	for range 2 {
		set, err := g.store.SetNX(ctx, k, record, cooldown)
		if err != nil || set {
			return 0, nil, err
		}
		v, ttl, ok, err := g.store.Get(ctx, k)
		if err != nil {
			return 0, nil, err
		}
		if ok {
			return max(ttl, time.Millisecond), v, nil
		}
		// The last send's record expired in between: try again.
	}
	return time.Second, nil, nil
}

// Waiting for an email asked for by another request (see awaitEmail).
const (
	// emailSendWait bounds the wait: the default time limit of a Stytch
	// call (see client.WithTimeout).
	emailSendWait = 10 * time.Second
	// emailSendPoll is how often the store is read meanwhile.
	emailSendPoll = 50 * time.Millisecond
)

// emailSettledKey names the mark of the email reserved with record whose
// send has ended without Stytch saying it sent nothing.
func emailSettledKey(record []byte) Key {
	return keyOf("email-settled", string(record))
}

// settleEmail marks the email reserved with record as sent, or as sent
// for all anyone knows (a send without an answer).
func (g *guard) settleEmail(ctx context.Context, record []byte, cooldown time.Duration) error {
	_, err := g.store.SetNX(ctx, emailSettledKey(record), []byte{1}, cooldown)
	return err
}

// awaitEmail waits until the send of the email reserved under k with held
// ends, for at most emailSendWait, and reports whether it may have gone
// out: false when its reservation was lifted (Stytch sent nothing) or is
// gone, true when it was settled or the wait ran out.
func (g *guard) awaitEmail(ctx context.Context, k Key, held []byte) (bool, error) {
	limit := time.NewTimer(emailSendWait)
	defer limit.Stop()
	poll := time.NewTicker(emailSendPoll)
	defer poll.Stop()
	for {
		_, _, settled, err := g.store.Get(ctx, emailSettledKey(held))
		if err != nil || settled {
			return settled, err
		}
		v, _, ok, err := g.store.Get(ctx, k)
		if err != nil || !ok || !bytes.Equal(v, held) {
			return false, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-limit.C:
			return true, nil
		case <-poll.C:
		}
	}
}

// sentSMS records an SMS that Stytch sent by itself (when an organization
// is entered).
func (g *guard) sentSMS(ctx context.Context, m member, cooldown time.Duration) error {
	if cooldown <= 0 {
		return nil
	}
	sent := []byte(randomString(12))
	set, err := g.store.SetNX(ctx, m.smsKey(), sent, cooldown)
	if err != nil || set {
		return err
	}
	// A text recorded earlier would end its cooldown too soon.
	if err := g.store.Delete(ctx, m.smsKey()); err != nil {
		return err
	}
	_, err = g.store.SetNX(ctx, m.smsKey(), sent, cooldown)
	return err
}

// beginEntry starts entering an organization, unless the member the entry
// entered as before, whom Stytch texts on entry, was texted less than
// cooldown ago (on entry, on request or for a step-up), or another entry
// of the same email into the organization is in flight; it returns how
// long to wait then, else 0. Call [guard.endEntry] when the entry is done.
func (g *guard) beginEntry(ctx context.Context, e entry, cooldown time.Duration) (time.Duration, error) {
	if cooldown <= 0 {
		return 0, nil
	}
	sms, _, ok, err := g.store.Get(ctx, e.enteredKey())
	if err != nil {
		return 0, err
	}
	if ok && len(sms) == len(Key{}) {
		_, ttl, texted, err := g.store.Get(ctx, Key(sms))
		if err != nil {
			return 0, err
		}
		if texted {
			return ttl, nil
		}
	}
	set, err := g.store.SetNX(ctx, e.enteringKey(), []byte{1}, cooldown)
	if err != nil || set {
		return 0, err
	}
	_, ttl, ok, err := g.store.Get(ctx, e.enteringKey())
	if err != nil || ok {
		return ttl, err
	}
	return time.Second, nil // the other entry just ended
}

// endEntry ends an entry begun with beginEntry; texted is the member Stytch
// texted on entry, nil when it texted none or the entry failed.
func (g *guard) endEntry(ctx context.Context, e entry, texted *member) error {
	if err := g.store.Delete(ctx, e.enteringKey()); err != nil {
		return err
	}
	if texted == nil {
		// An entry that texted before and did not now is kept: its member
		// waits for the cooldown of a text sent anyway.
		return nil
	}
	sms := texted.smsKey()
	if err := g.store.Delete(ctx, e.enteredKey()); err != nil {
		return err
	}
	_, err := g.store.SetNX(ctx, e.enteredKey(), sms[:], entryMemory)
	return err
}
