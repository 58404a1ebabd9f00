module github.com/b2bauth/b2bauth/adapters/echo

go 1.26

replace github.com/b2bauth/b2bauth => ../..
