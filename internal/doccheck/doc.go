// Package doccheck holds the test that keeps the repository's Markdown
// documents true to the code: every exported name they cite as
// `pkg.Name` exists, and every default they state for an option is the one
// written in that option's doc comment. It has no API.
package doccheck
