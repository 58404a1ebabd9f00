package middleware

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/b2bauth/b2bauth/internal/theme"
)

// refusal is what the page of a refused browser navigation says and
// offers (see [Middleware.DefaultErrorHandler]).
type refusal struct {
	Status        int
	Title, Reason string
	Style         template.CSS
	// Retry offers a reload of the page (an outage).
	Retry bool
	// SwitchURL leads to the login, where the member can choose another
	// organization or account; LogoutURL is where a form signs out. ""
	// when unknown.
	SwitchURL, LogoutURL string
}

// refusalPage is the page of a refused navigation: the shared stylesheet,
// the reason in words and the ways on (home, switch organization, sign
// out, reload).
var refusalPage = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
</head>
<body>
<main>
<p class="muted">Error {{.Status}}</p>
<h1>{{.Title}}</h1>
<p id="reason">{{.Reason}}</p>
{{if .Retry}}<p><a class="button" href="">Try again</a></p>
{{else if .SwitchURL}}<p><a class="button" href="{{.SwitchURL}}" id="switch">{{if eq .Status 401}}Sign in{{else}}Switch organization or account{{end}}</a></p>
{{end}}<nav class="links" aria-label="Ways on"><a href="/" id="home">Home</a>{{if .LogoutURL}}
<form method="post" action="{{.LogoutURL}}"><button type="submit" id="sign-out">Sign out</button></form>{{end}}</nav>
</main>
</body>
</html>
`))

// refusalOf returns the page of a refused navigation to r with code and
// status. The switch and sign-out links are derived from the login URL
// (see [WithLoginURL]): the login is where another organization is chosen,
// and the flows package serves the logout beside it (prefix + "/logout").
func (m *Middleware) refusalOf(r *http.Request, code string, status int) refusal {
	p := refusal{Status: status, Style: theme.CSS()}
	switch code {
	case ErrPermissionDenied.Code, ErrInsufficientScope.Code:
		p.Title = "You don't have access to this page"
		p.Reason = "Your role in this organization does not include the permission this page needs. Ask an administrator of your organization for access, or switch to an organization where you have it."
	case ErrRoleRequired.Code:
		p.Title = "You don't have access to this page"
		p.Reason = "This page is for members with a role you do not have in this organization. Ask an administrator of your organization for access, or switch to an organization where you have it."
	case ErrTenancy.Code:
		p.Title = "This page belongs to another organization"
		p.Reason = "You are signed in to a different organization than the one this page belongs to. Switch to that organization to open it."
	case ErrStepUpRequired.Code:
		p.Title = "Confirm it's you"
		p.Reason = "This page needs a recent second verification, such as a code sent to your phone, and this application offers no page to give one. Sign in again to continue."
	case ErrNoSession.Code, ErrInvalidToken.Code, ErrSessionInvalid.Code:
		p.Title = "Sign in required"
		p.Reason = "This page is only for signed-in members, and this browser is not signed in, or its session has expired or was ended."
	case ErrUnavailable.Code:
		p.Title = "Sign-in service unavailable"
		p.Reason = "Your sign-in could not be checked because the authentication service is not answering. Nothing is lost: try again in a few seconds."
		p.Retry = true
	default:
		p.Title = http.StatusText(status)
		p.Reason = "Something went wrong on our side. Try again later."
	}
	if login := m.cfg.loginURL; login != "" && status != http.StatusServiceUnavailable && status < 500 {
		p.SwitchURL = loginRedirect(login, m.cfg.returnParam, r.URL.RequestURI())
		if base, ok := strings.CutSuffix(login, "/login"); ok && status == http.StatusForbidden {
			p.LogoutURL = base + "/logout"
		}
	}
	return p
}
