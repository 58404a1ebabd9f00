package demo

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// The app's own paths.
const (
	PathHome      = "/"
	PathDashboard = "/dashboard"
	PathAdmin     = "/admin"
	PathSettings  = "/settings"
	PathOutbox    = "/dev/outbox"
	// PathHealth is the readiness probe: the middleware's health handler.
	PathHealth = "/healthz"
)

// SettingsFreshness is how recent the second factor of a session must be
// for [Pages.Settings]: older, or none, and the middleware sends the member
// to the step-up page first.
const SettingsFreshness = 5 * time.Minute

//go:embed templates/*.html
var templateFS embed.FS

// Pages are the app's pages as net/http handlers. Dashboard, Admin and
// Settings expect a session attached by the middleware (RequireSession,
// RequirePermission, RequireFreshFactor); Home shows one when
// OptionalSession attached it.
type Pages struct {
	// Home is the public landing page.
	Home http.HandlerFunc
	// Dashboard shows the member, the organization and the roles.
	Dashboard http.HandlerFunc
	// Admin is the page for members allowed to write reports.
	Admin http.HandlerFunc
	// Settings is a sensitive page: it is served behind
	// RequireFreshFactor(middleware.MFAFactor, SettingsFreshness), so a
	// member proves a second factor again (step-up) before seeing it.
	Settings http.HandlerFunc
	// Outbox shows the magic links and SMS codes the emulator "sent". It is
	// nil when the app talks to Stytch: serve it only when set. It answers
	// 421 to a request for another host than the public URL's, localhost or
	// a loopback address.
	Outbox http.HandlerFunc
}

// view is the data of every page.
type view struct {
	Title   string
	Prefix  string
	Outbox  bool
	Session *sessionView
	// CanAdmin reports whether the session may open the admin page: the
	// navigation shows only the links a member may use.
	CanAdmin bool
}

// sessionView is what the pages show of a session.
type sessionView struct {
	MemberID         string
	Email            string
	OrganizationID   string
	OrganizationSlug string
	Roles            []string
	Factors          []factorView
	ExpiresAt        time.Time
}

type factorView struct {
	Type, DeliveryMethod string
	At                   time.Time
}

func sessionViewOf(s *middleware.Session) *sessionView {
	v := &sessionView{
		MemberID:         s.MemberID,
		Email:            s.Email,
		OrganizationID:   s.OrganizationID,
		OrganizationSlug: s.OrganizationSlug,
		Roles:            s.Roles,
		ExpiresAt:        s.ExpiresAt,
	}
	for _, f := range s.AuthenticationFactors {
		if f.EmailFactor != nil && v.Email == "" {
			v.Email = f.EmailFactor.EmailAddress
		}
		fv := factorView{Type: f.Type, DeliveryMethod: f.DeliveryMethod}
		if f.LastAuthenticatedAt != nil {
			fv.At = *f.LastAuthenticatedAt
		}
		v.Factors = append(v.Factors, fv)
	}
	return v
}

func newPages(emu *emulator.Server, mw *middleware.Middleware, logger *slog.Logger, publicURL string) (Pages, error) {
	t, err := template.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return Pages{}, err
	}
	r := renderer{t: t, outbox: emu != nil, logger: logger, mw: mw}
	p := Pages{
		Home:      r.page("home.html", "Home", false),
		Dashboard: r.page("dashboard.html", "Dashboard", true),
		Admin:     r.page("admin.html", "Reports administration", true),
		Settings:  r.page("settings.html", "Account settings", true),
	}
	if emu != nil {
		p.Outbox = outbox(emu, publicURL)
	}
	return p, nil
}

type renderer struct {
	t      *template.Template
	outbox bool
	mw     *middleware.Middleware
	logger *slog.Logger
}

// page renders a template with the request's session. A page that needs a
// session and has none was mounted without the middleware: that is a
// wiring bug, answered 500 rather than shown empty.
func (rd renderer) page(name, title string, needsSession bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := view{Title: title, Prefix: Prefix, Outbox: rd.outbox}
		if s, ok := middleware.SessionFrom(r.Context()); ok {
			v.Session = sessionViewOf(s)
			if v.Session.Email == "" && rd.mw != nil {
				// An OAuth, SSO or password JWT names no address: ask
				// Stytch, through the middleware's member cache.
				if m, err := rd.mw.Member(r.Context(), s); err == nil {
					v.Session.Email = m.EmailAddress
				}
			}
			// The same check as the admin route's RequirePermission; a
			// policy that cannot be fetched hides the link.
			v.CanAdmin = rd.mw.Authorize(r.Context(), AdminResource, AdminAction) == nil
		} else if needsSession {
			rd.logger.ErrorContext(r.Context(), "demo: page served without a session: wrap it in RequireSession", "path", r.URL.Path)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		if err := rd.t.ExecuteTemplate(&buf, name, v); err != nil {
			rd.logger.ErrorContext(r.Context(), "demo: template failed", "template", name, "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		if v.Session != nil {
			// Pages with member data must not stay in shared or back-button caches.
			h.Set("Cache-Control", "no-store")
		}
		_, _ = w.Write(buf.Bytes())
	}
}

// outbox serves the emulator's outbox page in process, so it works however
// the emulator's port is reachable. It answers only requests for the host
// of publicURL or a loopback name: listening on loopback does not keep
// other sites out, since a page whose host name its owner points at
// 127.0.0.1 (DNS rebinding) reaches the app with that name in Host, and
// the outbox holds every member's sign-in links and codes.
func outbox(emu *emulator.Server, publicURL string) http.HandlerFunc {
	publicHost := ""
	if u, err := url.Parse(publicURL); err == nil {
		publicHost = u.Hostname()
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if !ownHost(r.Host, publicHost) {
			http.Error(w, "this page is served only at the app's own address", http.StatusMisdirectedRequest)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath, r2.RequestURI = "/_emulator/outbox", "", ""
		w.Header().Set("Cache-Control", "no-store")
		emu.Handler().ServeHTTP(w, r2)
	}
}

// ownHost reports whether the Host header hostPort names publicHost,
// localhost or a loopback address.
func ownHost(hostPort, publicHost string) bool {
	host := hostPort
	if h, _, err := net.SplitHostPort(hostPort); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" {
		return false
	}
	if strings.EqualFold(host, publicHost) || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
