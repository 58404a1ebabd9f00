package demo

import (
	"encoding/json"
	"net/http"

	"github.com/b2bauth/b2bauth/middleware"
)

// The reports API, served to members and to machines.
const (
	// PathReports is the JSON API route served behind
	// RequireSessionOrScopes(ReportsScope): a member session or an M2M
	// access token granting ReportsScope.
	PathReports = "/api/reports"
	// ReportsScope is the scope machines need on PathReports.
	ReportsScope = "read:reports"
	// ReportsClientID and ReportsClientSecret are the seeded M2M client
	// (scope ReportsScope) of emulator mode. Never seed a real project with
	// a known secret.
	ReportsClientID     = "m2m-client-test-reports-exporter"
	ReportsClientSecret = "demo-reports-exporter-secret"
)

// reportsAnswer is the body of PathReports.
type reportsAnswer struct {
	// Caller is "member" or "machine".
	Caller string `json:"caller"`
	// ID is the member's or the M2M client's id.
	ID string `json:"id"`
	// OrganizationID is the member's organization; empty for a machine.
	OrganizationID string   `json:"organization_id,omitempty"`
	Scopes         []string `json:"scopes,omitempty"`
	Reports        []string `json:"reports"`
}

// Reports answers PathReports with who called and a list of reports, as
// JSON. Serve it behind RequireSessionOrScopes(ReportsScope).
func Reports(w http.ResponseWriter, r *http.Request) {
	var a reportsAnswer
	if s, ok := middleware.SessionFrom(r.Context()); ok {
		a = reportsAnswer{Caller: "member", ID: s.MemberID, OrganizationID: s.OrganizationID}
	} else if c, ok := middleware.M2MClientFrom(r.Context()); ok {
		a = reportsAnswer{Caller: "machine", ID: c.ClientID, Scopes: c.Scopes}
	} else {
		// Only reachable when mounted without its middleware.
		http.Error(w, "no caller", http.StatusInternalServerError)
		return
	}
	a.Reports = []string{"q1-revenue", "q2-revenue"}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(a)
}
