package flows

import (
	"embed"
	"fmt"
	"html/template"
)

//go:embed templates/*.html
var defaultTemplateFS embed.FS

// pageNames are the templates every set must provide.
var pageNames = []string{
	"login.html", "check_email.html", "organizations.html", "mfa.html",
	"totp_enroll.html", "step_up.html", "error.html", "organization_login.html",
	"enter_code.html", "password_reset.html", "switch_organization.html",
}

// buildTemplates parses the embedded pages, with the functions of b, and
// lays the user's templates over them by name, so an override may still
// call the default "head", "error" and "foot" blocks, or replace them.
func buildTemplates(user *template.Template, b branding) (*template.Template, error) {
	t, err := template.New("").Funcs(b.funcs()).ParseFS(defaultTemplateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("b2bauth: flows: default templates: %w", err)
	}
	if user != nil {
		for _, u := range user.Templates() {
			if u.Tree == nil {
				continue
			}
			if _, err := t.AddParseTree(u.Name(), u.Tree); err != nil {
				return nil, fmt.Errorf("b2bauth: flows: template %q: %w", u.Name(), err)
			}
		}
	}
	for _, name := range pageNames {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("b2bauth: flows: template %q missing", name)
		}
	}
	return t, nil
}
