package middleware

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/b2bauth/b2bauth/client"
)

// Member lookup defaults.
const (
	// MemberCacheTTL is how long [Middleware.Member] keeps a member it
	// read from Stytch: a change of name or email shows within it.
	MemberCacheTTL = 5 * time.Minute
	// MemberCacheSize bounds the members [Middleware.Member] keeps; when
	// full, the oldest entry is evicted.
	MemberCacheSize = 10000
)

// ErrMemberNotFound: Stytch knows no member of the session (deleted since
// the session was made).
var ErrMemberNotFound = &Error{Code: "member_not_found", Status: http.StatusNotFound, msg: "member not found"}

// memberGetter reads a member at Stytch (client.OrganizationsService).
type memberGetter interface {
	GetMember(ctx context.Context, p *client.MembersGetParams) (*client.MemberResponse, error)
}

// memberLookup reads members through a bounded cache with a TTL, with
// concurrent lookups of one member coalesced into one call.
type memberLookup struct {
	get    memberGetter
	now    func() time.Time
	ttl    time.Duration
	flight singleflight.Group

	entries *fifoMap[string, memberEntry]
}

type memberEntry struct {
	member  *client.Member
	expires time.Time
}

func newMemberLookup(get memberGetter, now func() time.Time, ttl time.Duration, size int) *memberLookup {
	return &memberLookup{get: get, now: now, ttl: ttl, entries: newFIFOMap[string, memberEntry](size)}
}

// Member returns the member of session s as Stytch knows it (name, email
// address, roles, metadata...), for pages that show who is signed in
// whatever the method: a session of Google or Microsoft OAuth carries no
// email address in its JWT (see [Session.Email]). Members are cached for
// [MemberCacheTTL], at most [MemberCacheSize] of them, and concurrent
// lookups of one member make one call. The *client.Member is shared:
// treat it as read-only. Errors: [ErrNoSession] for a nil session,
// [ErrMemberNotFound], or [ErrUnavailable] when Stytch cannot answer.
func (m *Middleware) Member(ctx context.Context, s *Session) (*client.Member, error) {
	if s == nil || s.MemberID == "" || s.OrganizationID == "" {
		return nil, ErrNoSession
	}
	return m.members.lookup(ctx, s.OrganizationID, s.MemberID)
}

func (l *memberLookup) lookup(ctx context.Context, orgID, memberID string) (*client.Member, error) {
	key := orgID + "\x00" + memberID
	now := l.now()
	if e, ok := l.entries.get(key); ok && now.Before(e.expires) {
		return e.member, nil
	}
	ch := l.flight.DoChan(key, func() (any, error) {
		// Detached from the first caller's cancellation: its waiters share
		// the answer. The client's own timeout still bounds the call.
		res, err := l.get.GetMember(context.WithoutCancel(ctx), &client.MembersGetParams{OrganizationID: orgID, MemberID: memberID})
		if err != nil {
			return nil, err
		}
		mem := res.Member
		l.entries.put(key, memberEntry{&mem, l.now().Add(l.ttl)})
		return &mem, nil
	})
	var res singleflight.Result
	select {
	case res = <-ch:
	case <-ctx.Done():
		return nil, ErrUnavailable.with(ctx.Err())
	}
	if res.Err != nil {
		var apiErr *client.Error
		if errors.As(res.Err, &apiErr) && apiErr.ErrorType == "member_not_found" {
			return nil, ErrMemberNotFound.with(res.Err)
		}
		return nil, ErrUnavailable.with(res.Err)
	}
	return res.Val.(*client.Member), nil
}

// emailOf returns the email address an authentication factor reveals, or
// "": email magic links and codes carry it; OAuth factors carry only an
// email id.
func emailOf(factors []client.AuthenticationFactor) string {
	for _, f := range factors {
		if f.EmailFactor != nil && f.EmailFactor.EmailAddress != "" {
			return f.EmailFactor.EmailAddress
		}
	}
	return ""
}
