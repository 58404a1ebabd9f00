module github.com/b2bauth/b2bauth/examples

go 1.26.0

replace github.com/b2bauth/b2bauth => ..

require github.com/b2bauth/b2bauth v0.0.0-00010101000000-000000000000
