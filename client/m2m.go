package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// M2MService gets machine-to-machine access tokens and manages M2M clients.
// Get it from [Client.M2M]. Access tokens are verified locally by the
// middleware (middleware.Middleware.RequireScopes), never by a call.
type M2MService struct {
	c *Client
}

// M2MTokenParams are the client credentials of [M2MService.Token].
type M2MTokenParams struct {
	// ClientID is the M2M client's id (required).
	ClientID string
	// ClientSecret is the M2M client's secret (required).
	ClientSecret string
	// Scopes narrows the token to these scopes, each one of the client's;
	// empty asks for all of them.
	Scopes []string
}

// M2MTokenResponse carries an access token.
type M2MTokenResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// AccessToken is the JWT to send as "Authorization: Bearer <token>".
	AccessToken string `json:"access_token,omitempty"`
	// TokenType is "bearer".
	TokenType string `json:"token_type,omitempty"`
	// ExpiresIn is the token's lifetime in seconds (3600 at Stytch).
	ExpiresIn int `json:"expires_in,omitempty"`
}

// Token gets an access token with the client credentials grant (POST
// /v1/public/{project_id}/oauth2/token, form-encoded). The call
// authenticates with the M2M client's credentials, not the project's. A
// refusal is an [*Error] whose ErrorType is OAuth 2.0's code, such as
// "invalid_client" (401: unknown client, wrong secret, inactive client) or
// "invalid_scope" (400). It is not retried.
func (s *M2MService) Token(ctx context.Context, p *M2MTokenParams) (*M2MTokenResponse, error) {
	if p == nil || p.ClientID == "" || p.ClientSecret == "" {
		return nil, errors.New("b2bauth: m2m token: client id and secret are required")
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {p.ClientID},
		"client_secret": {p.ClientSecret},
	}
	if len(p.Scopes) > 0 {
		form.Set("scope", strings.Join(p.Scopes, " "))
	}
	r := request{method: http.MethodPost, path: "/v1/public/" + url.PathEscape(s.c.projectID) + "/oauth2/token",
		form: form, noAuth: true}
	var out M2MTokenResponse
	if err := s.c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// M2MClient is an M2M client as Stytch describes it.
type M2MClient struct {
	// ClientID is the client's id.
	ClientID string `json:"client_id,omitempty"`
	// ClientSecret is only set in the answer of [M2MService.CreateClient]:
	// Stytch keeps a hash and never shows it again.
	ClientSecret string `json:"client_secret,omitempty"`
	// NextClientSecret is only set in the answer of
	// [M2MService.RotateSecretStart].
	NextClientSecret string `json:"next_client_secret,omitempty"`
	// ClientName is a human-readable name.
	ClientName string `json:"client_name,omitempty"`
	// ClientDescription is a human-readable description.
	ClientDescription string `json:"client_description,omitempty"`
	// Status is "active" or "inactive" (an inactive client gets no tokens).
	Status string `json:"status,omitempty"`
	// Scopes are the scopes the client may be granted.
	Scopes []string `json:"scopes,omitempty"`
	// ClientSecretLastFour are the last four characters of the secret.
	ClientSecretLastFour string `json:"client_secret_last_four,omitempty"`
	// NextClientSecretLastFour is set while a secret rotation is under way.
	NextClientSecretLastFour *string `json:"next_client_secret_last_four,omitempty"`
	// TrustedMetadata is application data.
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
}

// M2MClientCreateParams describes a client to create.
type M2MClientCreateParams struct {
	// ClientID imports an existing id; default one Stytch generates.
	ClientID string `json:"client_id,omitempty"`
	// ClientSecret imports an existing secret (at least 8 characters);
	// default one Stytch generates.
	ClientSecret string `json:"client_secret,omitempty"`
	// ClientName is a human-readable name.
	ClientName string `json:"client_name,omitempty"`
	// ClientDescription is a human-readable description.
	ClientDescription string `json:"client_description,omitempty"`
	// Scopes are the scopes the client may be granted, e.g. "read:users".
	Scopes []string `json:"scopes,omitempty"`
	// TrustedMetadata is application data.
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
}

// M2MClientResponse carries one M2M client.
type M2MClientResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// M2MClient is the client.
	M2MClient M2MClient `json:"m2m_client,omitempty"`
}

// CreateClient creates an M2M client (POST /v1/m2m/clients). The answer is
// the only one that carries the client secret.
func (s *M2MService) CreateClient(ctx context.Context, p *M2MClientCreateParams) (*M2MClientResponse, error) {
	if p == nil {
		p = &M2MClientCreateParams{}
	}
	return send[M2MClientResponse](ctx, s.c, http.MethodPost, "/v1/m2m/clients", p)
}

func clientPath(id string, suffix string) (string, error) {
	if id == "" {
		return "", errors.New("b2bauth: m2m client: client id is required")
	}
	return "/v1/m2m/clients/" + url.PathEscape(id) + suffix, nil
}

// GetClient fetches an M2M client (GET /v1/m2m/clients/{client_id}).
func (s *M2MService) GetClient(ctx context.Context, clientID string) (*M2MClientResponse, error) {
	path, err := clientPath(clientID, "")
	if err != nil {
		return nil, err
	}
	return get[M2MClientResponse](ctx, s.c, path, nil, false)
}

// M2MClientUpdateParams changes a client; empty fields are left unchanged.
type M2MClientUpdateParams struct {
	// ClientID names the client (required; not sent in the body).
	ClientID string `json:"-"`
	// ClientName is a human-readable name.
	ClientName string `json:"client_name,omitempty"`
	// ClientDescription is a human-readable description.
	ClientDescription string `json:"client_description,omitempty"`
	// Status is "active" or "inactive". Deactivating a client stops new
	// tokens; tokens already issued stay valid until they expire.
	Status string `json:"status,omitempty"`
	// Scopes replaces the client's scopes.
	Scopes []string `json:"scopes,omitempty"`
	// TrustedMetadata replaces the client's metadata.
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
}

// UpdateClient changes an M2M client (PUT /v1/m2m/clients/{client_id}).
func (s *M2MService) UpdateClient(ctx context.Context, p *M2MClientUpdateParams) (*M2MClientResponse, error) {
	if p == nil {
		return nil, errors.New("b2bauth: m2m client update: nil params")
	}
	path, err := clientPath(p.ClientID, "")
	if err != nil {
		return nil, err
	}
	return send[M2MClientResponse](ctx, s.c, http.MethodPut, path, p)
}

// M2MClientDeleteResponse names the deleted client.
type M2MClientDeleteResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// ClientID is the deleted client's id.
	ClientID string `json:"client_id,omitempty"`
}

// DeleteClient deletes an M2M client (DELETE /v1/m2m/clients/{client_id}).
// Tokens already issued stay valid until they expire.
func (s *M2MService) DeleteClient(ctx context.Context, clientID string) (*M2MClientDeleteResponse, error) {
	path, err := clientPath(clientID, "")
	if err != nil {
		return nil, err
	}
	return send[M2MClientDeleteResponse](ctx, s.c, http.MethodDelete, path, (*struct{})(nil))
}

// M2MSearchQuery filters a search: Operator "AND" or "OR" joins Operands
// such as {"filter_name": "client_id", "filter_value": ["m2m-client-..."]},
// {"filter_name": "client_name", "filter_value": "exporter"} or
// {"filter_name": "scopes", "filter_value": ["read:users"]}.
type M2MSearchQuery struct {
	// Operator is "AND" or "OR".
	Operator string `json:"operator,omitempty"`
	// Operands are the filters.
	Operands []map[string]any `json:"operands,omitempty"`
}

// M2MClientSearchParams selects the clients [M2MService.SearchClients]
// returns.
type M2MClientSearchParams struct {
	// Cursor continues a previous search (its next cursor).
	Cursor string `json:"cursor,omitempty"`
	// Limit bounds the page (default 100, at most 1000).
	Limit uint32 `json:"limit,omitempty"`
	// Query filters; nil returns every client.
	Query *M2MSearchQuery `json:"query,omitempty"`
}

// M2MResultsMetadata describes a search's results.
type M2MResultsMetadata struct {
	// Total is the number of matching clients.
	Total int `json:"total,omitempty"`
	// NextCursor continues the search; empty on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// M2MClientSearchResponse is a page of clients.
type M2MClientSearchResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// M2MClients are the matching clients.
	M2MClients []M2MClient `json:"m2m_clients,omitempty"`
	// ResultsMetadata holds the total and the next cursor.
	ResultsMetadata M2MResultsMetadata `json:"results_metadata,omitempty"`
}

// SearchClients searches M2M clients (POST /v1/m2m/clients/search).
func (s *M2MService) SearchClients(ctx context.Context, p *M2MClientSearchParams) (*M2MClientSearchResponse, error) {
	if p == nil {
		p = &M2MClientSearchParams{}
	}
	return send[M2MClientSearchResponse](ctx, s.c, http.MethodPost, "/v1/m2m/clients/search", p)
}

// RotateSecretStart starts a secret rotation (POST
// /v1/m2m/clients/{client_id}/secrets/rotate/start): until it ends both
// secrets are valid. The answer is the only one carrying NextClientSecret.
func (s *M2MService) RotateSecretStart(ctx context.Context, clientID string) (*M2MClientResponse, error) {
	return s.rotate(ctx, clientID, "/start")
}

// RotateSecret ends a rotation: the next secret becomes the only one (POST
// .../secrets/rotate).
func (s *M2MService) RotateSecret(ctx context.Context, clientID string) (*M2MClientResponse, error) {
	return s.rotate(ctx, clientID, "")
}

// RotateSecretCancel abandons a rotation: the next secret is discarded (POST
// .../secrets/rotate/cancel).
func (s *M2MService) RotateSecretCancel(ctx context.Context, clientID string) (*M2MClientResponse, error) {
	return s.rotate(ctx, clientID, "/cancel")
}

func (s *M2MService) rotate(ctx context.Context, clientID, suffix string) (*M2MClientResponse, error) {
	path, err := clientPath(clientID, "/secrets/rotate"+suffix)
	if err != nil {
		return nil, err
	}
	return send[M2MClientResponse](ctx, s.c, http.MethodPost, path, &struct {
		ClientID string `json:"client_id"`
	}{clientID})
}
