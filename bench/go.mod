module github.com/b2bauth/b2bauth/bench

go 1.26.0

require (
	github.com/auth0/go-jwt-middleware/v2 v2.3.1
	github.com/b2bauth/b2bauth v0.1.0
	github.com/golang-jwt/jwt/v5 v5.3.1
)

require (
	github.com/MicahParks/jwkset v0.11.4 // indirect
	github.com/boombuler/barcode v1.0.1-0.20190219062509-6c824513bacc // indirect
	github.com/pquerna/otp v1.5.0 // indirect
	golang.org/x/crypto v0.53.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	gopkg.in/go-jose/go-jose.v2 v2.6.3 // indirect
)
