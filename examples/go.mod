module github.com/b2bauth/b2bauth/examples

go 1.26

replace github.com/b2bauth/b2bauth => ..
