module github.com/b2bauth/b2bauth

go 1.26.0

require (
	github.com/MicahParks/jwkset v0.11.4
	github.com/MicahParks/keyfunc/v3 v3.9.1
	github.com/boombuler/barcode v1.0.1-0.20190219062509-6c824513bacc
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/gorilla/securecookie v1.1.2
	github.com/pquerna/otp v1.5.0
	go.uber.org/goleak v1.3.0
	golang.org/x/crypto v0.53.0
	golang.org/x/sync v0.25.0
	golang.org/x/time v0.15.0
)
